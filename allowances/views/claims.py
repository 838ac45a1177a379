"""The coordinators' allowance-claim screens: queue (and pay page), decision, exports.

Payout batches (the pay page's form and what follows) are in allowances.views.payouts; self-declarations in
allowances.views.declarations.

Lotsen never reach these pages (403); another region's claim is a 404; writes go through
allowances.services.claims, which locks the claim rows and checks the state under the lock.
"""

import io
import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.reauth import fresh_login_required, is_fresh
from allowances import plausibility, rules
from allowances.filters import ClaimFilter, claim_filter_data
from allowances.forms.claims import RejectClaimForm
from allowances.forms.flags import AcknowledgeFlagForm
from allowances.models import AllowanceClaim
from allowances.plausibility import FlagCode
from allowances.services import claims as claim_services
from allowances.services import flags as flag_services
from audit.services import Action, record, record_export
from lotsen.models import Consultation
from lotsen.views.lotsen import payment_details_context
from portal.access import acts_for_self, coordinators_only, get_editable_or_403, is_own
from portal.dates import last_of_month
from portal.exports import de_date, de_decimal, de_month, excel_csv, spreadsheet_text
from portal.forms import apply_service_errors

logger = logging.getLogger(__name__)
PAGE_SIZE = 25
#: The pay page shows more rows at once: a month's approved claims of a region fit on one page.
PAY_PAGE_SIZE = 100


def _claims_for(request):
    return (
        rules.with_cap_figures(AllowanceClaim.objects.visible_to(request.user))
        .select_related("lotse__region", "contract")
        .defer("activities")
    )


def queue_url_from_next(request) -> str:
    """The claims URL in ``next`` (the queue or the declarations list, with their filters) if it is ours,
    else "". Also printed as a link, so a crafted ``?next=javascript:...`` must never get through."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith(reverse("claims:list")) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _back_to_queue(request):
    """Return to the queue the user came from (its filters are in ``next``), never to another site."""
    return redirect(queue_url_from_next(request) or reverse("claims:list"))


# -- queue ----------------------------------------------------------------------------------------
@coordinators_only
def claim_list(request):
    # the region's paying account joined in (no query of its own): without one no batch can be made
    claims = _claims_for(request).annotate(region_account=F("lotse__region__paying_account__id"))
    claim_filter = ClaimFilter(claim_filter_data(request.GET), queryset=claims, request=request)
    approved_view = claim_filter.form.is_valid() and claim_filter.form.cleaned_data.get("status") == (
        AllowanceClaim.Status.APPROVED
    )
    page_size = PAY_PAGE_SIZE if approved_view else PAGE_SIZE
    page = Paginator(claim_filter.qs, page_size).get_page(request.GET.get("page"))
    claims = rules.attach_cap_use(page.object_list)
    # The pay page: every approved claim with a checkbox for those who pay; a claim that cannot be paid is
    # shown disabled with the reason (allowances.rules.why_not_payable, the one rule the batch applies too).
    pays = _with_bank_details(request)
    now = timezone.now()
    approved = [c for c in claims if c.status == AllowanceClaim.Status.APPROVED]
    for claim in approved:
        claim.pay_block = rules.why_not_payable(
            claim, user=request.user, declaration_on_file=claim.declaration_on_file, now=now
        )
    payable = [c for c in approved if c.pay_block is None] if pays else []
    return render(
        request,
        "allowances/claims/claim_list.html",
        {
            "filter": claim_filter,
            "page_obj": page,
            "claims": claims,
            "pays": pays and bool(approved),
            "payable": payable,
            "approved_view": approved_view,
            "regions_without_account": sorted(
                {c.lotse.region.name for c in approved if c.region_account is None} if pays else set()
            ),
            "query": request.GET.urlencode(),
            "current_url": request.get_full_path(),
        },
    )


# -- one claim: decide ----------------------------------------------------------------------------
def _claim_or_404(request, pk):
    return get_object_or_404(_claims_for(request), pk=pk)


def _flag_views(claim, work, can_decide: bool, ack_form=None) -> list[dict]:
    """The raised flags with their acknowledgement or, for those who decide, a form to acknowledge them (the
    bound form again where a note was refused)."""
    rows = []
    for item in plausibility.flags_with_acknowledgements(claim, plausibility.flags(claim, work)):
        form = None
        if can_decide and item.acknowledgement is None:
            bound = ack_form is not None and ack_form.data.get("code") == item.flag.code
            form = ack_form if bound else AcknowledgeFlagForm(code=item.flag.code)
        rows.append({"flag": item.flag, "acknowledgement": item.acknowledgement, "form": form})
    return rows


def _render_detail(request, claim, reject_form=None, ack_form=None, status=200):
    (claim,) = rules.attach_cap_use([claim])
    can_decide = AllowanceClaim.objects.editable_by(request.user).filter(pk=claim.pk).exists()
    can_decide = can_decide and not is_own(claim, request.user)
    work = plausibility.month_work(claim)
    return render(
        request,
        "allowances/claims/claim_detail.html",
        {
            "claim": claim,
            "can_decide": can_decide,
            "work": work,
            "flags": _flag_views(claim, work, can_decide, ack_form),
            "reject_form": reject_form or RejectClaimForm(),
            "next": queue_url_from_next(request),
            "can_confirm_bank_data": claim.lotse.bank_data_on_hold()
            and claim.lotse.can_confirm_bank_data(request.user),
            **payment_details_context(request, claim.lotse),
        },
        status=status,
    )


@coordinators_only
def claim_detail(request, pk: int):
    return _render_detail(request, _claim_or_404(request, pk))


@require_POST
@coordinators_only
def claim_approve(request, pk: int):
    claim = _claim_or_404(request, pk)
    try:
        claim_services.approve_claim(claim=claim, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("claims:detail", pk=claim.pk)
    logger.info("claim %s approved by user %s", claim.pk, request.user.pk)
    messages.success(
        request,
        _("The claim of %(lotse)s for %(month)s was approved.")
        % {"lotse": claim.lotse.full_name, "month": claim.month.strftime("%m/%Y")},
    )
    return _back_to_queue(request)


@require_POST
@coordinators_only
def claim_reject(request, pk: int):
    claim = _claim_or_404(request, pk)
    form = RejectClaimForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, claim, reject_form=form)
    try:
        claim_services.reject_claim(claim=claim, reason=form.cleaned_data["reason"], acting_user=request.user)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            apply_service_errors(form, exc)
            return _render_detail(request, claim, reject_form=form)
        messages.error(request, " ".join(exc.messages))
        return redirect("claims:detail", pk=claim.pk)
    logger.info("claim %s rejected by user %s", claim.pk, request.user.pk)
    messages.success(
        request,
        _("The claim of %(lotse)s for %(month)s was rejected; the Lotse will see your reason.")
        % {"lotse": claim.lotse.full_name, "month": claim.month.strftime("%m/%Y")},
    )
    return _back_to_queue(request)


@require_POST
@coordinators_only
def claim_acknowledge_flag(request, pk: int):
    """Acknowledge a plausibility flag of the claim with a note (those who decide it, never their own)."""
    claim = get_editable_or_403(_claims_for(request), request.user, pk=pk)
    if acts_for_self(request.user, claim.lotse):
        raise PermissionDenied
    posted = request.POST.get("code", "")
    form = AcknowledgeFlagForm(request.POST, code=posted if posted in FlagCode.values else "unknown")
    if not form.is_valid():
        if "code" in form.errors:
            messages.error(request, _("This claim raises no such flag."))
            return redirect("claims:detail", pk=claim.pk)
        return _render_detail(request, claim, ack_form=form)
    try:
        flag_services.acknowledge_flag(
            claim=claim,
            code=form.cleaned_data["code"],
            note=form.cleaned_data["note"],
            acting_user=request.user,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "note" in exc.error_dict:
            apply_service_errors(form, exc)
            return _render_detail(request, claim, ack_form=form)
        messages.error(request, " ".join(exc.messages))
        return redirect("claims:detail", pk=claim.pk)
    logger.info(
        "flag %s of claim %s acknowledged by user %s", form.cleaned_data["code"], claim.pk, request.user.pk
    )
    messages.success(request, _("The flag is acknowledged; your note is kept with the claim."))
    detail = reverse("claims:detail", args=[claim.pk])
    next_url = queue_url_from_next(request)
    return redirect(f"{detail}?{urlencode({'next': next_url})}#work" if next_url else f"{detail}#work")


# -- plausibility check: the claim month's consultations, record by record --------------------------------
@coordinators_only
def claim_consultations(request, pk: int):
    """The consultations of the claim's month with their client profiles, for those who decide the claim:
    the one place a coordinator sees client profiles record by record (need to know), and every look is
    recorded in the audit trail."""
    claim = get_editable_or_403(AllowanceClaim.objects.select_related("lotse__region"), request.user, pk=pk)
    consultations = list(
        Consultation.objects.visible_to(request.user)
        .filter(lotse=claim.lotse_id, date__range=(claim.month, last_of_month(claim.month)))
        .select_related("language", "referral")
        .order_by("date", "pk")
    )
    record(
        Action.VIEW_CLIENT_PROFILES,
        actor=request.user,
        target=claim,
        month=f"{claim.month:%Y-%m}",
        rows=len(consultations),
    )
    return render(
        request,
        "allowances/claims/claim_consultations.html",
        {"claim": claim, "consultations": consultations, "next": queue_url_from_next(request)},
    )


# -- exports of the approved claims -------------------------------------------------------------------
# A working list of the approved claims, each with whether it can be paid and, if not, why: the office
# chases missing self-declarations and bank data from it. The bank is paid from a payout batch's files
# (allowances.views.payouts), which list exactly the batch; this list is named for what it holds.
# The column names are fixed German words: the file goes to the bookkeeping's German Excel, whatever
# language the coordinator's screen is in.
EXPORT_HEADERS = [
    "Nr.",
    "Nachname",
    "Vorname",
    "Region",
    "Monat",
    "Betrag (EUR)",
    "Stunden",
    "Genehmigt am",
    "Kontoinhaber",
    "IBAN",
    "Selbsterklärung liegt vor",
    "Jahressumme genehmigt (EUR)",
    "Freibetrag (EUR)",
    "Freibetrag überschritten",
    # Bank data changed and not confirmed yet: do not transfer before this moment (Lotse.bank_data_on_hold)
    "Neue Bankdaten, gesperrt bis",
    # "ja", or why the portal does not pay the claim now (allowances.rules.why_not_payable)
    "Auszahlbar",
]


def _export_rows(request):
    data = claim_filter_data(request.GET, status=AllowanceClaim.Status.APPROVED)
    claim_filter = ClaimFilter(data, queryset=_claims_for(request), request=request)
    claims = rules.attach_cap_use(claim_filter.qs)
    fresh = is_fresh(request)
    now = timezone.now()
    for claim in claims:
        reason = rules.why_not_payable(
            claim, user=request.user, declaration_on_file=claim.declaration_on_file, now=now
        )
        lotse = claim.lotse
        held = lotse.bank_data_on_hold()
        # A held Lotse's new bank details are not in the file the transfer is made from (new-payee hold).
        sees_bank = lotse.shows_payment_details(request.user, fresh=fresh) and not held
        blocked = "gesperrt: neue Bankdaten nicht bestätigt"  # exports are German, like their headers
        yield {
            "pk": claim.pk,
            "last_name": spreadsheet_text(lotse.last_name),
            "first_name": spreadsheet_text(lotse.first_name),
            "region": lotse.region.name,
            "month": claim.month,
            "amount": claim.amount,
            "hours": claim.hours,
            "decided_on": timezone.localdate(claim.decided_at) if claim.decided_at else None,
            "account_holder": blocked
            if held
            else (spreadsheet_text(lotse.account_holder) if sees_bank else "***"),
            "iban": blocked if held else lotse.iban_for(request.user, fresh=fresh),
            "declaration": claim.declaration_on_file,
            "year_total": claim.cap.approved_total,
            "cap": claim.cap.cap,
            "exceeded": claim.cap.exceeded,
            "held_until": (
                timezone.localtime(lotse.bank_data_hold_until).strftime("%d.%m.%Y %H:%M") if held else ""
            ),
            "payable": "ja" if reason is None else reason,
            "lotse": lotse,
            "full_iban": sees_bank and bool(lotse.iban),
        }


def _export(request, file_format: str) -> list[dict]:
    """The rows of the export, recorded in the audit trail (one entry, and one per full IBAN in the file)."""
    rows = list(_export_rows(request))
    record_export(
        actor=request.user,
        export="approved_claims",
        file_format=file_format,
        rows=len(rows),
        region_ids={row["lotse"].region_id for row in rows},
        iban_subjects=[row["lotse"] for row in rows if row["full_iban"]],
    )
    return rows


def _filename(extension: str) -> str:
    return f"genehmigte-abrechnungen-{timezone.localdate():%Y-%m-%d}.{extension}"


def _with_bank_details(request) -> bool:
    """Those who pay get full bank details in the export, so they re-authenticate first; others get a file
    with masked IBANs and need not."""
    return request.user.is_superuser or bool(request.user.paying_region_ids())


@coordinators_only
@fresh_login_required(when=_with_bank_details)
def claims_export_csv(request):
    content = excel_csv(
        EXPORT_HEADERS,
        (
            [
                row["pk"],
                row["last_name"],
                row["first_name"],
                row["region"],
                de_month(row["month"]),
                de_decimal(row["amount"], 2),
                de_decimal(row["hours"], 1),
                de_date(row["decided_on"]),
                row["account_holder"],
                row["iban"],
                "ja" if row["declaration"] else "nein",
                de_decimal(row["year_total"], 2),
                de_decimal(row["cap"], 2),
                "ja" if row["exceeded"] else "nein",
                row["held_until"],
                row["payable"],
            ]
            for row in _export(request, "csv")
        ),
    )
    logger.info("user %s exported approved claims (csv)", request.user.pk)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


@coordinators_only
@fresh_login_required(when=_with_bank_details)
def claims_export_xlsx(request):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Genehmigte Abrechnungen"
    sheet.append(EXPORT_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    money, date, month, hours = "#,##0.00", "DD.MM.YYYY", "MM/YYYY", "0.0"
    formats = {5: month, 6: money, 7: hours, 8: date, 12: money, 13: money}
    for row in _export(request, "xlsx"):
        sheet.append(
            [
                row["pk"],
                row["last_name"],
                row["first_name"],
                row["region"],
                row["month"],
                row["amount"],
                row["hours"],
                row["decided_on"],
                row["account_holder"],
                row["iban"],
                "ja" if row["declaration"] else "nein",
                row["year_total"],
                row["cap"],
                "ja" if row["exceeded"] else "nein",
                row["held_until"],
                row["payable"],
            ]
        )
        for column, number_format in formats.items():
            sheet.cell(row=sheet.max_row, column=column).number_format = number_format
    for letter, width in zip(
        "ABCDEFGHIJKLMNOP", (8, 20, 16, 22, 10, 12, 9, 13, 26, 30, 12, 14, 12, 12, 18, 40), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    logger.info("user %s exported approved claims (xlsx)", request.user.pk)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
