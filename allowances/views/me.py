"""The Lotse's own allowance claims under /me/claims/: the months to claim, a month's claim prefilled from
the logged work, saved as a draft or submitted. Every query is the Lotse's own rows (another's is a 404)."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from allowances.forms.me import ClaimForm
from allowances.models import AllowanceClaim
from allowances.services import claims as claim_services
from allowances.services.prefill import claim_prefill
from portal.access import lotse_required
from portal.dates import previous_month
from portal.forms import apply_service_errors


def own_claims(request):
    return AllowanceClaim.objects.visible_to(request.user).filter(lotse=request.lotse)


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
        "allowances/me/claim_list.html",
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
    form = outdated = None
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
            if prefill.problems(amount=initial["amount"], hours=initial["hours"]):
                # Saved earlier, refused now (e.g. a consultation was deleted since): propose what the rules
                # accept instead of a form that cannot be submitted, and say so.
                initial.update(hours=prefill.proposal.hours, amount=prefill.proposal.amount)
                outdated = claim
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
        "allowances/me/claim_month.html",
        {"month": first, "claim": claim, "prefill": prefill, "form": form, "outdated": outdated},
    )
