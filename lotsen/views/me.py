"""The Lotse's self-service under /me/: log consultations, see one's own record, claim the allowance, keep the
profile up to date, register for events.

Every view answers 403 to a user without a Lotse profile, and every query is the Lotse's own rows
(``visible_to(user)`` narrowed to ``lotse=`` the user's profile, which also keeps a Lotse who coordinates a
region to their own record here), so another Lotse's object is a 404.
"""

import datetime
import logging
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit import selectors as audit_selectors
from events import services as event_services
from events.models import Attendance, Event
from lotsen.forms.me import (
    ClaimForm,
    ConsultationForm,
    ConsultationMonthForm,
    NewConsultationForm,
    ProfileForm,
)
from lotsen.models import AllowanceClaim, Consultation, minutes_as_hours
from lotsen.services import claims as claim_services
from lotsen.services import consultations as consultation_services
from lotsen.services.claim_prefill import claim_prefill
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


def own_claims(request):
    return AllowanceClaim.objects.visible_to(request.user).filter(lotse=request.lotse)


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


# -- allowance claims ---------------------------------------------------------------------------------
def _claimable_months(today: datetime.date, count: int = 3) -> list[datetime.date]:
    month = today.replace(day=1)
    months = []
    for _i in range(count):
        months.append(month)
        month = previous_month(month)
    return months


@lotse_required
def claim_list(request):
    claims = own_claims(request).select_related("contract").order_by("-month")
    page = Paginator(claims, 24).get_page(request.GET.get("page"))
    months = _claimable_months(timezone.localdate())
    existing = dict(own_claims(request).filter(month__in=months).values_list("month", "status"))
    labels = dict(AllowanceClaim.Status.choices)
    recent = [
        {"month": m, "status": existing.get(m), "status_label": labels.get(existing.get(m), "")}
        for m in months
    ]
    return render(
        request,
        "lotsen/me/claim_list.html",
        {"page_obj": page, "claims": page.object_list, "recent_months": recent},
    )


@lotse_required
@require_http_methods(["GET", "POST"])
def claim_month(request, year: int, month: int):
    try:
        first = datetime.date(year, month, 1)
    except ValueError as exc:
        raise Http404 from exc
    if first > timezone.localdate() or year < 2000:
        raise Http404
    claim = own_claims(request).select_related("contract").filter(month=first).first()
    prefill = claim_prefill(lotse=request.lotse, month=first)
    editable = prefill.contract is not None and (
        claim is None or claim.status in AllowanceClaim.OPEN_TO_LOTSE
    )
    form = None
    if editable:
        initial = {
            "hours": prefill.hours,
            "amount": prefill.suggested_amount,
            "activities": prefill.activities,
        }
        if claim is not None:
            initial = {
                "hours": claim.hours or prefill.hours,
                "amount": claim.amount,
                "activities": claim.activities,
            }
        form = ClaimForm(request.POST or None, initial=initial, prefill=prefill)
        if request.method == "POST" and form.is_valid():
            submit = request.POST.get("action") == "submit"
            try:
                with transaction.atomic():
                    claim = claim_services.save_claim_draft(
                        lotse=request.lotse,
                        month=first,
                        amount=form.cleaned_data["amount"],
                        hours=form.cleaned_data["hours"],
                        activities=form.cleaned_data["activities"],
                        acting_user=request.user,
                    )
                    if submit:
                        claim = claim_services.submit_claim(claim=claim, acting_user=request.user)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                if submit:
                    messages.success(request, _("Your claim was submitted to your coordinator."))
                    return redirect("me:claims")
                messages.success(request, _("Your claim was saved as a draft."))
                return redirect("me:claim_month", year=year, month=month)
    elif request.method == "POST":
        if prefill.contract is None:
            messages.error(request, _("There is no active contract for this month."))
        else:
            messages.error(request, _("This claim has already been submitted and can no longer be changed."))
        return redirect("me:claim_month", year=year, month=month)
    return render(
        request,
        "lotsen/me/claim_month.html",
        {"month": first, "claim": claim, "prefill": prefill, "form": form},
    )


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


# -- events -------------------------------------------------------------------------------------------
@lotse_required
def event_list(request):
    lotse = request.lotse
    own_status = Attendance.objects.filter(event=OuterRef("pk"), lotse=lotse).values("status")[:1]
    events = (
        Event.objects.visible_to(request.user)
        .upcoming()
        .select_related("region")
        .with_places_taken()
        .annotate(my_status=Subquery(own_status))
    )
    page = Paginator(events, 20).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for event in page.object_list:
        # The buttons offer what events.services.register / cancel will accept.
        event.can_register = (
            event.registration_open(today)
            and event.my_status not in Attendance.TAKES_A_PLACE
            and not event.is_full
        )
        event.can_cancel = event.my_status == Attendance.Status.REGISTERED and event.registration_open(today)
    attended = (
        Attendance.objects.visible_to(request.user)
        .attended_trainings()
        .filter(lotse=lotse)
        .select_related("event")
        .order_by("-event__starts_at")
    )
    attended = list(attended)
    return render(
        request,
        "lotsen/me/event_list.html",
        {
            "page_obj": page,
            "events": page.object_list,
            "attended": attended,
            "attended_hours": sum((a.event.hours_credited for a in attended), start=Decimal("0")),
        },
    )


@lotse_required
@require_POST
def event_register(request, pk: int):
    event = get_object_or_404(Event.objects.visible_to(request.user), pk=pk)
    try:
        event_services.register(event=event, lotse=request.lotse, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You are registered."))
    return redirect("me:events")


@lotse_required
@require_POST
def event_cancel(request, pk: int):
    event = get_object_or_404(Event.objects.visible_to(request.user), pk=pk)
    attendance = get_object_or_404(
        Attendance.objects.visible_to(request.user).filter(lotse=request.lotse), event=event
    )
    try:
        event_services.cancel(attendance=attendance, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your registration was cancelled."))
    return redirect("me:events")
