"""Paying allowances: the pay page's batch (claims:pay), the payout batches, their files and actions.

A batch is prepared from the ticked claims (after a confirmation page with the sum), downloaded as a SEPA
file (pain.001) with a matching CSV/XLSX, uploaded to the bank by the payer, and then confirmed as sent:
only then are its claims paid. Those who pay the region act (fresh login); coordinators of the region
and programme staff see the batches with masked IBANs; another region's batch is a 404, Lotsen get 403.
"""

import datetime
import io
import logging
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.reauth import fresh_login_required, is_fresh, reauthenticate_url
from allowances import rules
from allowances.forms.claims import PayClaimsForm, next_business_day
from allowances.models import AllowanceClaim, PayoutBatch
from allowances.services import payouts as payout_services
from allowances.views.claims import _back_to_queue, queue_url_from_next
from audit.services import record_export
from lotsen.validators import format_iban, mask_iban
from portal.access import coordinators_only
from portal.exports import de_date, de_decimal, de_month, excel_csv, spreadsheet_text
from portal.forms import apply_service_errors

logger = logging.getLogger(__name__)
PAGE_SIZE = 25


def _euros(amount: Decimal) -> str:
    return rules.euros(amount)


def summary_message(result: payout_services.BatchResult) -> str:
    """One message for the whole batch: what went in, and what was left out grouped by reason."""
    parts = []
    if result.batch is not None:
        parts.append(
            ngettext(
                "Payout batch %(reference)s prepared: %(count)s claim, %(total)s €.",
                "Payout batch %(reference)s prepared: %(count)s claims, %(total)s €.",
                result.batch.count,
            )
            % {
                "reference": result.batch.reference,
                "count": result.batch.count,
                "total": _euros(result.batch.total),
            }
        )
    else:
        parts.append(_("No payout batch was prepared."))
    if result.skipped:
        reasons = "; ".join(f"{reason} ({count})" for reason, count in result.skipped_by_reason())
        parts.append(
            ngettext(
                "%(count)s not added: %(reasons)s.",
                "%(count)s not added: %(reasons)s.",
                len(result.skipped),
            )
            % {"count": len(result.skipped), "reasons": reasons}
        )
    return " ".join(parts)


# -- the pay page's form: confirmation, then the batch ---------------------------------------------------
def _confirmation(request, form, claims, status=200):
    now = timezone.now()
    rows = list(
        rules.with_cap_figures(
            AllowanceClaim.objects.visible_to(request.user).filter(pk__in=[claim.pk for claim in claims])
        )
        .select_related("lotse__region")
        .defer("activities")
        .order_by("lotse__region__name", "lotse__last_name", "month", "pk")
    )
    for claim in rows:
        claim.pay_block = rules.why_not_payable(
            claim, user=request.user, declaration_on_file=claim.declaration_on_file, now=now
        )
    payable = [claim for claim in rows if claim.pay_block is None]
    return render(
        request,
        "allowances/payouts/confirm.html",
        {
            "form": form,
            "rows": rows,
            "payable": payable,
            "skipped": [claim for claim in rows if claim.pay_block is not None],
            "total": sum((claim.amount for claim in payable), Decimal("0")),
            "regions": sorted({claim.lotse.region.name for claim in payable}),
            "next": queue_url_from_next(request),
        },
        status=status,
    )


@require_POST
@coordinators_only
@fresh_login_required
def claims_pay(request):
    """Step 1 (from the pay page): the confirmation page with the sum. Step 2 (``confirm``): the batch."""
    form = PayClaimsForm(request.POST, user=request.user)
    if not form.is_valid():
        if "claims" in form.errors:
            for error in form.errors["claims"]:
                messages.error(request, error)
            return _back_to_queue(request)
        return _confirmation(request, form, form.cleaned_data.get("claims", []), status=400)
    claims = form.cleaned_data["claims"]
    if "confirm" not in request.POST:
        if not form.cleaned_data["execution_date"]:
            form = PayClaimsForm(
                initial={
                    "claims": [claim.pk for claim in claims],
                    "execution_date": next_business_day(timezone.localdate()),
                },
                user=request.user,
            )
        return _confirmation(request, form, claims)
    if not form.cleaned_data["execution_date"]:
        form.add_error("execution_date", _("Please enter the execution date."))
        return _confirmation(request, form, claims, status=400)
    try:
        result = payout_services.create_batch(
            claim_ids=[claim.pk for claim in claims],
            execution_date=form.cleaned_data["execution_date"],
            acting_user=request.user,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            apply_service_errors(form, exc)
            return _confirmation(request, form, claims, status=400)
        messages.error(request, " ".join(exc.messages))
        return _back_to_queue(request)
    logger.info(
        "user %s prepared payout batch %s, skipped %s",
        request.user.pk,
        result.batch.pk if result.batch else None,
        len(result.skipped),
    )
    message = summary_message(result)
    if result.batch is None:
        messages.error(request, message)
        return _back_to_queue(request)
    (messages.warning if result.skipped else messages.success)(request, message)
    return redirect("claims:batch", pk=result.batch.pk)


# -- batches ------------------------------------------------------------------------------------------
@coordinators_only
def batch_list(request):
    batches = PayoutBatch.objects.visible_to(request.user).select_related("region", "created_by", "sent_by")
    page = Paginator(batches.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "allowances/payouts/batch_list.html", {"page_obj": page, "batches": page.object_list}
    )


def _batch_or_404(request, pk):
    return get_object_or_404(
        PayoutBatch.objects.visible_to(request.user).select_related(
            "region", "created_by", "sent_by", "cancelled_by"
        ),
        pk=pk,
    )


def _claims_queryset(request, batch):
    return (
        AllowanceClaim.objects.visible_to(request.user)
        .filter(payout_batch=batch)
        .select_related("lotse")
        .defer("activities")
        .order_by("pk")
    )


def _claims_of(request, batch) -> list[AllowanceClaim]:
    return list(_claims_queryset(request, batch))


@coordinators_only
def batch_detail(request, pk: int):
    batch = _batch_or_404(request, pk)
    claims = _claims_of(request, batch)
    pays = rules.pays_region(request.user, batch.region_id)
    fresh = is_fresh(request)
    for claim in claims:
        claim.iban_shown = claim.lotse.iban_masked
    return render(
        request,
        "allowances/payouts/batch_detail.html",
        {
            "file_date": payout_services.file_execution_date(batch),
            "batch": batch,
            "claims": claims,
            "pays": pays,
            "debtor_iban": format_iban(batch.debtor_iban) if pays and fresh else batch.debtor_iban_masked,
            "show_iban_url": reauthenticate_url(request, request.get_full_path())
            if pays and not fresh
            else "",
            "stale": payout_services.stale_reason(batch, claims) if batch.is_open else None,
        },
    )


def _act(request, pk, service, done_message, **options):
    batch = _batch_or_404(request, pk)
    if not rules.pays_region(request.user, batch.region_id):
        raise PermissionDenied
    try:
        service(batch=batch, acting_user=request.user, **options)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        logger.info("user %s: payout batch %s now %s", request.user.pk, batch.pk, service.__name__)
        messages.success(request, done_message % {"reference": batch.reference})
    return redirect("claims:batch", pk=batch.pk)


@require_POST
@coordinators_only
@fresh_login_required
def batch_confirm_sent(request, pk: int):
    return _act(
        request,
        pk,
        payout_services.confirm_sent,
        _("Payout batch %(reference)s is confirmed as sent to the bank; its claims are paid."),
    )


@require_POST
@coordinators_only
@fresh_login_required
def batch_cancel(request, pk: int):
    return _act(
        request,
        pk,
        payout_services.cancel_batch,
        _("Payout batch %(reference)s is cancelled; its claims can be put into a new batch."),
        not_uploaded=request.POST.get("not_uploaded") == "1",
    )


# -- the batch's files -----------------------------------------------------------------------------------
def _pays_any_region(request, **kwargs) -> bool:
    return request.user.is_superuser or bool(request.user.paying_region_ids())


def _file_claims(request, batch):
    """The claims the batch's files list, or None (with a message) when no file can be made now."""
    if batch.status == PayoutBatch.Status.CANCELLED:
        messages.error(request, _("A cancelled batch has no transfer file."))
        return None
    claims = list(rules.with_cap_figures(_claims_queryset(request, batch)))
    problem = payout_services.file_problem(batch, claims)
    if problem:
        messages.error(
            request,
            _("No file: %(problem)s Please cancel the batch and prepare a new one.") % {"problem": problem},
        )
        return None
    return claims


def _audit_file(request, batch, claims, *, file_format: str, full_ibans: bool) -> None:
    record_export(
        actor=request.user,
        export="payout_batch",
        file_format=file_format,
        rows=len(claims),
        region_ids={batch.region_id},
        iban_subjects=[claim.lotse for claim in claims if claim.lotse.iban] if full_ibans else (),
    )


@coordinators_only
@fresh_login_required(when=_pays_any_region)  # the file is for payers only: others get a 403 below
def batch_sepa(request, pk: int):
    batch = _batch_or_404(request, pk)
    if not rules.pays_region(request.user, batch.region_id):
        raise PermissionDenied
    claims = _file_claims(request, batch)
    if claims is None:
        return redirect("claims:batch", pk=batch.pk)
    try:
        xml = payout_services.sepa_xml(batch)
    except payout_services.sepa.SepaError as error:
        messages.error(request, str(error))
        return redirect("claims:batch", pk=batch.pk)
    payout_services.note_file_downloaded(batch)
    _audit_file(request, batch, claims, file_format="xml", full_ibans=True)
    logger.info("user %s downloaded the SEPA file of payout batch %s", request.user.pk, batch.pk)
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.reference}.xml"'
    return response


#: The batch's list for the bookkeeping: the same transfers as the SEPA file, German headers.
BATCH_HEADERS = [
    "Nr.",
    "Nachname",
    "Vorname",
    "Monat",
    "Betrag (EUR)",
    "Kontoinhaber",
    "IBAN",
    "Verwendungszweck",
    "End-to-End-ID",
]


def _batch_rows(request, batch, claims):
    """One row per transfer, as the batch kept it (the SEPA file's content); full IBANs for a payer after a
    fresh login, masked for the others."""
    full = rules.pays_region(request.user, batch.region_id) and is_fresh(request)
    for item in batch.transfers:
        yield (
            [
                item["claim"],
                spreadsheet_text(item["last_name"]),
                spreadsheet_text(item["first_name"]),
                datetime.date.fromisoformat(item["month"]),
                Decimal(item["amount"]),
                spreadsheet_text(item["name"]) if full else "***",
                format_iban(item["iban"]) if full else mask_iban(item["iban"]),
                item["purpose"],
                item["end_to_end_id"],
            ],
            full,
        )


def _file_rows(request, batch, claims, file_format):
    rows = list(_batch_rows(request, batch, claims))
    _audit_file(request, batch, claims, file_format=file_format, full_ibans=any(full for _row, full in rows))
    return [row for row, _full in rows]


def _summary_row(batch) -> list:
    return ["", "Summe", f"{batch.count} Überweisungen", "", batch.total, "", "", batch.reference, ""]


@coordinators_only
@fresh_login_required(when=_pays_any_region)
def batch_csv(request, pk: int):
    batch = _batch_or_404(request, pk)
    claims = _file_claims(request, batch)
    if claims is None:
        return redirect("claims:batch", pk=batch.pk)
    lines = []
    for row in [*_file_rows(request, batch, claims, "csv"), _summary_row(batch)]:
        row = list(row)
        row[3] = de_month(row[3]) if row[3] else ""
        row[4] = de_decimal(row[4], 2)
        lines.append(row)
    response = HttpResponse(excel_csv(BATCH_HEADERS, lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.reference}.csv"'
    return response


@coordinators_only
@fresh_login_required(when=_pays_any_region)
def batch_xlsx(request, pk: int):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    batch = _batch_or_404(request, pk)
    claims = _file_claims(request, batch)
    if claims is None:
        return redirect("claims:batch", pk=batch.pk)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Auszahlung"
    sheet.append(BATCH_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _file_rows(request, batch, claims, "xlsx"):
        sheet.append(row)
        sheet.cell(row=sheet.max_row, column=4).number_format = "MM/YYYY"
        sheet.cell(row=sheet.max_row, column=5).number_format = "#,##0.00"
    sheet.append(_summary_row(batch))
    sheet.cell(row=sheet.max_row, column=5).number_format = "#,##0.00"
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.append([])
    sheet.append(["", "Ausführungsdatum", de_date(batch.execution_date)])
    for letter, width in zip("ABCDEFGHI", (8, 20, 16, 10, 12, 26, 30, 46, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{batch.reference}.xlsx"'
    return response
