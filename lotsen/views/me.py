"""The Lotse's self-service under /me/: log consultations, see one's own record, claim the allowance, keep the
profile up to date (the events and claims under /me/ are the events and allowances apps' views).

Every view answers 403 to a user without a Lotse profile, and every query is the Lotse's own rows
(``visible_to(user)`` narrowed to ``lotse=`` the user's profile, which also keeps a Lotse who coordinates a
region to their own record here), so another Lotse's object is a 404.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit import selectors as audit_selectors
from lotsen.forms.me import (
    ConsultationForm,
    ConsultationMonthForm,
    NewConsultationForm,
    ProfileForm,
)
from lotsen.models import Consultation, minutes_as_hours
from lotsen.services import consultations as consultation_services
from lotsen.services.profile import update_own_profile
from portal.access import lotse_required
from portal.dates import next_month, previous_month
from portal.forms import apply_service_errors

logger = logging.getLogger(__name__)

CONSULTATIONS_PER_PAGE = 25
#: Session key: the submission key of the entry just saved, so the page can drop the browser draft of it.
SAVED_KEY = "lotse_consultation_saved_key"


def own_consultations(request):
    return Consultation.objects.visible_to(request.user).filter(lotse=request.lotse)


# -- consultations ------------------------------------------------------------------------------------
@lotse_required
def consultation_list(request):
    month_form = ConsultationMonthForm(request.GET or None, initial={"month": timezone.localdate()})
    month = month_form.selected_month()
    following = next_month(month)
    entries = own_consultations(request).in_month(month)
    totals = entries.totals()
    page = Paginator(
        entries.select_related("language", "referral").order_by("-date", "-created_at"),
        CONSULTATIONS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    minutes = totals["minutes"]
    return render(
        request,
        "lotsen/me/consultation_list.html",
        {
            "month_form": month_form,
            "month": month,
            "previous_month": previous_month(month),
            "next_month": following if following <= timezone.localdate() else None,  # never beyond this month
            "page_obj": page,
            "consultations": page.object_list,
            "total_count": totals["count"],
            "total_minutes": minutes,
            "total_hours": minutes_as_hours(minutes),
            "edit_days": settings.CONSULTATION_EDIT_DAYS,
            "saved_submission_key": request.session.pop(SAVED_KEY, ""),
            "today": timezone.localdate(),
        },
    )


@lotse_required
@require_http_methods(["GET", "POST"])
def consultation_create(request):
    form = NewConsultationForm(request.POST or None, lotse=request.lotse, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            consultation, created = consultation_services.log_consultation(
                lotse=request.lotse,
                values=form.service_values(),
                submission_key=form.cleaned_data["submission_key"],
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if created:
                messages.success(request, _("The consultation was saved."))
            else:
                messages.info(request, _("This consultation had already been saved."))
            request.session[SAVED_KEY] = str(consultation.submission_key)
            return redirect(_list_url_for(consultation))
    return render(request, "lotsen/me/consultation_form.html", {"form": form, "is_new": True})


def _list_url_for(consultation: Consultation) -> str:
    today = timezone.localdate()
    url = reverse("me:consultations")
    if (consultation.date.year, consultation.date.month) != (today.year, today.month):
        url += f"?month={consultation.date:%Y-%m}"
    return url + f"#consultation-{consultation.pk}"


@lotse_required
@require_http_methods(["GET", "POST"])
def consultation_edit(request, pk: int):
    consultation = get_object_or_404(own_consultations(request), pk=pk)
    if consultation.is_locked:
        messages.warning(request, _("This entry is locked: it is already part of the reports."))
        return redirect(_list_url_for(consultation))
    form = ConsultationForm(
        request.POST or None, instance=consultation, lotse=request.lotse, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            consultation = consultation_services.update_consultation(
                consultation=consultation, values=form.service_values(), acting_user=request.user
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The consultation was changed."))
            return redirect(_list_url_for(consultation))
    return render(
        request,
        "lotsen/me/consultation_form.html",
        {"form": form, "is_new": False, "consultation": consultation},
    )


@lotse_required
@require_http_methods(["GET", "POST"])
def consultation_delete(request, pk: int):
    consultation = get_object_or_404(own_consultations(request), pk=pk)
    if consultation.is_locked:
        messages.warning(request, _("This entry is locked: it is already part of the reports."))
        return redirect(_list_url_for(consultation))
    if request.method == "POST":
        try:
            consultation_services.delete_consultation(consultation=consultation, acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The consultation was deleted."))
        return redirect(_list_url_for(consultation).split("#")[0])
    return render(request, "lotsen/me/consultation_delete.html", {"consultation": consultation})


# -- profile ------------------------------------------------------------------------------------------
@lotse_required
@require_http_methods(["GET", "POST"])
def profile(request):
    lotse = request.lotse
    form = ProfileForm(request.POST or None, instance=lotse)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_own_profile(
                lotse=lotse,
                acting_user=request.user,
                languages=data["languages"],
                email=data["email"],
                phone=data["phone"],
                availability=data["availability"],
                expertise=data["expertise"],
                address_form=data["address_form"] or lotse.address_form,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Your profile was saved."))
            return redirect("me:profile")
    organisations = list(lotse.organisations.all())
    return render(
        request,
        "lotsen/me/profile.html",
        {
            "form": form,
            "lotse": lotse,
            "organisations": organisations,
            "bank_data_access": audit_selectors.bank_data_access(request.user),
        },
    )
