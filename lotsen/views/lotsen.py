"""The coordinator's Lotsen pages: create, edit, status change, invitation, bank data (the list and the
Lotse page, which show other apps' data too, are composed in home.views.lotsen).

These are coordinator and programme-staff pages: a Lotse gets 403 (they have their own pages under "me"),
another region's Lotse is a 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.reauth import is_fresh, reauthenticate_url, require_fresh_login
from audit.services import Action, record
from lotsen.forms.lotsen import LotseForm, StatusChangeForm
from lotsen.models import Lotse
from lotsen.services import bank_data as bank_data_services
from lotsen.services import lotsen as services
from portal.access import get_editable_or_403, require_coordination
from portal.forms import apply_service_errors


def payment_details_context(request, lotse) -> dict:
    """The IBAN as this person may see it now, and where to re-authenticate to see it in full. Showing it in
    full is recorded in the audit trail (with the page that showed it)."""
    fresh = is_fresh(request)
    needs_reauth = lotse.iban and lotse.can_see_payment_details(request.user) and not fresh
    shows = lotse.shows_payment_details(request.user, fresh=fresh)
    if shows and lotse.iban:
        record(Action.VIEW_IBAN, actor=request.user, target=lotse, page=request.resolver_match.view_name)
    return {
        "iban": lotse.iban_for(request.user, fresh=fresh),
        # the account holder is bank data too: shown with the full IBAN only
        "account_holder": lotse.account_holder if shows else ("•••" if lotse.account_holder else ""),
        "show_iban_url": reauthenticate_url(request, request.get_full_path()) if needs_reauth else "",
    }


def _save_lotse_form(request, form):
    """Entering or changing bank details needs a fresh re-authentication (the POST is replayed after it).
    Saved with the acting user: changed bank data holds the payments and notifies the Lotse (Lotse.save)."""
    if form.changes_bank_details:
        require_fresh_login(request)
    return services.save_lotse_form(form=form, acting_user=request.user)


def lotse_create(request):
    require_coordination(request.user)
    form = LotseForm(
        request.POST if request.method == "POST" else None, user=request.user, fresh=is_fresh(request)
    )
    if request.method == "POST" and form.is_valid():
        lotse = _save_lotse_form(request, form)
        messages.success(request, _("The Lotse %(name)s has been added.") % {"name": lotse.full_name})
        return redirect("lotsen:detail", pk=lotse.pk)
    return render(request, "lotsen/lotse_form.html", {"form": form, "lotse": None})


def lotse_edit(request, pk: int):
    lotse = get_editable_or_403(Lotse.objects.select_related("region", "user"), request.user, pk=pk)
    form = LotseForm(
        request.POST if request.method == "POST" else None,
        instance=lotse,
        user=request.user,
        fresh=is_fresh(request),
    )
    if request.method == "POST" and form.is_valid():
        _save_lotse_form(request, form)
        messages.success(request, _("The changes have been saved."))
        return redirect("lotsen:detail", pk=lotse.pk)
    context = {"form": form, "lotse": lotse}
    if form.iban_visible and lotse.iban:
        record(Action.VIEW_IBAN, actor=request.user, target=lotse, page=request.resolver_match.view_name)
    if not form.iban_visible and lotse.iban and lotse.can_see_payment_details(request.user):
        context["show_iban_url"] = reauthenticate_url(request, request.get_full_path())
    return render(request, "lotsen/lotse_form.html", context)


def lotse_status(request, pk: int):
    lotse = get_editable_or_403(Lotse.objects.all(), request.user, pk=pk)
    form = StatusChangeForm(request.POST if request.method == "POST" else None, lotse=lotse)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_status(
                lotse=lotse,
                status=form.cleaned_data["status"],
                effective_on=form.cleaned_data["effective_on"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The status has been changed."))
            return redirect("lotsen:detail", pk=lotse.pk)
    return render(request, "lotsen/lotse_status.html", {"form": form, "lotse": lotse})


@require_POST
def lotse_invite(request, pk: int):
    lotse = get_editable_or_403(Lotse.objects.select_related("user"), request.user, pk=pk)
    resend = lotse.user_id is not None
    try:
        lotse = services.invite_lotse(lotse=lotse, acting_user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if resend:
            messages.success(request, _("The invitation has been sent again. Earlier links no longer work."))
        else:
            messages.success(
                request,
                _("A login has been created and the invitation sent to %(email)s.") % {"email": lotse.email},
            )
    return redirect("lotsen:detail", pk=lotse.pk)


@require_POST
def lotse_restore_login(request, pk: int):
    """Switch a disabled login (e.g. after leaving) back on: coordinators of the region and staff."""
    lotse = get_editable_or_403(Lotse.objects.select_related("user"), request.user, pk=pk)
    try:
        services.restore_login(lotse=lotse, acting_user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s can log in again.") % {"name": lotse.full_name})
    return redirect("lotsen:detail", pk=lotse.pk)


@require_POST
def lotse_confirm_bank_data(request, pk: int):
    """A second person who pays the region confirms changed bank details, after a fresh re-authentication."""
    lotse = get_editable_or_403(Lotse.objects.select_related("user"), request.user, pk=pk)
    require_fresh_login(request)
    try:
        bank_data_services.confirm_bank_data(
            lotse=lotse, acting_user=request.user, seen_version=request.POST.get("version", "")
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The new bank details are confirmed; the allowances can be paid again."))
    return redirect("lotsen:detail", pk=lotse.pk)
