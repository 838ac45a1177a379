"""Billing runs, statements and the annual evaluation (README "Billing runs and statements").

Thin views: parse, ask one service or selector, render. Runs and year-end batches are the office's
(coordinators of the region and staff see them; those who pay the region act); a Lotse downloads their own
statements; another region's object is a 404.
"""

import io
import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.reauth import fresh_login_required
from allowances import rules
from allowances.models import AllowanceClaim
from audit.services import record_export
from billing import selectors, services
from billing.forms import FIRST_YEAR, CloseRunForm, StartRunForm, YearEndForm
from billing.models import BillingRun, YearEndBatch, YearEndStatement
from lotsen.models import Lotse
from portal.access import coordinators_only, works_in_coordination
from portal.exports import spreadsheet_text
from portal.zipstream import zip_stream

logger = logging.getLogger(__name__)


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


# -- billing runs ---------------------------------------------------------------------------------------
@coordinators_only
def run_list(request):
    runs = BillingRun.objects.visible_to(request.user).select_related("region", "payout_batch")[:60]
    return render(
        request,
        "billing/run_list.html",
        {
            "runs": runs,
            "form": StartRunForm(user=request.user),
            "this_year": timezone.localdate().year,
            "last_year": timezone.localdate().year - 1,
        },
    )


@require_POST
@coordinators_only
def run_start(request):
    form = StartRunForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("billing:runs")
    try:
        result = services.start_run(
            region=form.cleaned_data["region"], month=form.month_start(), acting_user=request.user
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("billing:runs")
    if result.created:
        messages.success(request, _("The billing run has been started; the Lotsen are being invited."))
    else:
        messages.info(request, _("This billing run had already been started; nothing new was sent."))
    return redirect("billing:run", pk=result.run.pk)


def _run_or_404(request, pk):
    return get_object_or_404(
        BillingRun.objects.visible_to(request.user).select_related("region", "payout_batch", "started_by"),
        pk=pk,
    )


@coordinators_only
def run_detail(request, pk: int):
    run = _run_or_404(request, pk)
    rows = selectors.run_rows(run, request.user)
    return render(
        request,
        "billing/run_detail.html",
        {
            "run": run,
            "rows": rows,
            "counts": selectors.counts(rows),
            "pays": rules.pays_region(request.user, run.region_id),
            "close_form": CloseRunForm(),
        },
    )


@require_POST
@coordinators_only
def run_remind(request, pk: int, lotse_pk: int):
    run = _run_or_404(request, pk)
    lotse = get_object_or_404(Lotse.objects.visible_to(request.user), pk=lotse_pk)
    try:
        sent = services.remind(run=run, lotse=lotse, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        if sent:
            messages.success(request, _("A reminder was sent to %(name)s.") % {"name": lotse.full_name})
        else:
            messages.info(request, _("%(name)s has already been reminded today.") % {"name": lotse.full_name})
    return redirect("billing:run", pk=run.pk)


@require_POST
@coordinators_only
@fresh_login_required
def run_close(request, pk: int):
    run = _run_or_404(request, pk)
    if not rules.pays_region(request.user, run.region_id):
        raise PermissionDenied
    form = CloseRunForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please enter a valid execution date."))
        return redirect("billing:run", pk=run.pk)
    try:
        result = services.close_run(
            run=run, execution_date=form.cleaned_data["execution_date"], acting_user=request.user
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("billing:run", pk=run.pk)
    skipped = "; ".join(f"{reason} ({count})" for reason, count in result.skipped)
    message = _("The billing run is closed; payout batch %(reference)s holds %(count)s claims.") % {
        "reference": result.batch.reference,
        "count": result.batch.count,
    }
    if skipped:
        message += " " + _("Not added: %(reasons)s.") % {"reasons": skipped}
    (messages.warning if skipped else messages.success)(request, message)
    return redirect("claims:batch", pk=result.batch.pk)


def _owner_or_payer(user, lotse) -> None:
    """Statements go to their holder and to those who pay the region; anyone else: as if there were none."""
    if lotse.user_id != user.pk and not rules.pays_region(user, lotse.region_id):
        raise Http404


# -- the statement of a paid claim ------------------------------------------------------------------------
def claim_statement(request, pk: int):
    """The PDF of a paid claim: for the Lotse and for those who pay the region (not every coordinator or
    staff member). Made now (not stored) when the worker's file is missing."""
    claim = get_object_or_404(
        AllowanceClaim.objects.visible_to(request.user)
        .filter(status=AllowanceClaim.Status.PAID)
        .select_related("lotse"),
        pk=pk,
    )
    _owner_or_payer(request.user, claim.lotse)
    pdf = services.claim_statement_pdf(claim)
    if works_in_coordination(request.user) or request.user.sees_everything:
        # the statement names the payee and a (masked) account: a download by the office is recorded
        record_export(
            actor=request.user,
            export="claim_statement",
            file_format="pdf",
            rows=1,
            region_ids={claim.lotse.region_id},
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="Abrechnungsbeleg-{claim.month:%Y-%m}-{claim.pk}.pdf"'
    )
    return response


# -- year-end statements ----------------------------------------------------------------------------------
def year_end_list(request):
    """Lotsen: their year-end statements. Coordinators and staff: the batches and the statements."""
    statements = (
        YearEndStatement.objects.visible_to(request.user)
        .select_related("lotse")
        .order_by("-year", "lotse__last_name", "lotse__first_name", "-version")
    )
    if not works_in_coordination(request.user):
        return render(request, "billing/year_end_list_lotse.html", {"statements": statements[:50]})
    batches = YearEndBatch.objects.visible_to(request.user).with_progress().select_related("region")[:20]
    return render(
        request,
        "billing/year_end_list.html",
        {"statements": statements[:200], "batches": batches, "form": YearEndForm(user=request.user)},
    )


@require_POST
@coordinators_only
def year_end_issue(request):
    form = YearEndForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("billing:year_end")
    try:
        result = services.issue_year_end(
            region=form.cleaned_data["region"], year=form.cleaned_data["year"], acting_user=request.user
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("billing:year_end")
    if result.batch is None:
        messages.info(request, _("No new year-end statement: every statement is up to date."))
        return redirect("billing:year_end")
    messages.success(
        request,
        _("%(new)s new and %(reissued)s re-issued year-end statements are being rendered.")
        % {"new": result.new, "reissued": result.reissued},
    )
    return redirect("billing:year_end_batch", pk=result.batch.pk)


def _batch_or_404(request, pk):
    return get_object_or_404(
        YearEndBatch.objects.visible_to(request.user).with_progress().select_related("region"), pk=pk
    )


@coordinators_only
def year_end_batch(request, pk: int):
    batch = _batch_or_404(request, pk)
    statements = (
        YearEndStatement.objects.visible_to(request.user)
        .filter(batch=batch)
        .select_related("lotse")
        .order_by("lotse__last_name", "lotse__first_name")
    )
    template = "billing/year_end_batch.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, {"batch": batch, "progress": batch.progress(), "statements": statements})


def _archive_name(statement) -> str:
    name = slugify(statement.lotse.full_name, allow_unicode=True) or "lotse"
    return f"{name}-{statement.year}-{statement.verification_code}.pdf"


@coordinators_only
def year_end_batch_zip(request, pk: int):
    batch = _batch_or_404(request, pk)
    if not rules.pays_region(request.user, batch.region_id):
        raise Http404
    statements = list(
        YearEndStatement.objects.visible_to(request.user)
        .filter(batch=batch, status=YearEndStatement.Status.ISSUED)
        .exclude(file="")
        .select_related("lotse")
        .order_by("lotse__last_name", "lotse__first_name")
    )
    if not statements:
        raise Http404
    record_export(
        actor=request.user,
        export="year_end_statements_zip",
        file_format="zip",
        rows=len(statements),
        region_ids={batch.region_id},
    )
    response = StreamingHttpResponse(
        zip_stream((_archive_name(s), s.file) for s in statements), content_type="application/zip"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="jahresbescheinigungen-{batch.year}-{batch.pk}.zip"'
    )
    return response


def year_end_download(request, pk: int):
    statement = get_object_or_404(
        YearEndStatement.objects.visible_to(request.user).select_related("lotse"), pk=pk
    )
    _owner_or_payer(request.user, statement.lotse)
    if not statement.is_downloadable:
        raise Http404
    if works_in_coordination(request.user) or request.user.sees_everything:
        record_export(
            actor=request.user,
            export="year_end_statement",
            file_format="pdf",
            rows=1,
            region_ids={statement.lotse.region_id},
        )
    try:
        handle = statement.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"Jahresbescheinigung-{statement.year}-{statement.verification_code}.pdf",
        content_type="application/pdf",
    )


@require_POST
@coordinators_only
def year_end_reissue(request, pk: int):
    """Issue version n+1 of the Lotse's statement when a payment changed since (else nothing)."""
    statement = get_object_or_404(
        YearEndStatement.objects.editable_by(request.user).select_related("lotse__region"), pk=pk
    )
    try:
        result = services.issue_year_end(
            region=statement.lotse.region,
            year=statement.year,
            acting_user=request.user,
            lotse_ids=[statement.lotse_id],
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("billing:year_end")
    if result.batch is None:
        messages.info(request, _("The payments have not changed: the statement is up to date."))
        return redirect("billing:year_end")
    messages.success(request, _("A new version of the year-end statement is being rendered."))
    return redirect("billing:year_end_batch", pk=result.batch.pk)


# -- the annual evaluation ------------------------------------------------------------------------------
#: German column headers (export headers are German, README "Wording")
MONTH_HEADERS = [
    "Region",
    "Monat",
    "Eingereicht (Anzahl)",
    "Eingereicht (EUR)",
    "Genehmigt (Anzahl)",
    "Genehmigt (EUR)",
    "Abgelehnt (Anzahl)",
    "Abgelehnt (EUR)",
    "Ausgezahlt (Anzahl)",
    "Ausgezahlt (EUR)",
]
CAP_HEADERS = [
    "Region",
    "Lotsin/Lotse",
    "Freibetrag",
    "Genehmigt und ausgezahlt (EUR)",
    "Jahresbetrag (EUR)",
    "Anteil (%)",
]


@coordinators_only
def evaluation_xlsx(request, year: int):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from billing.statements import KIND_LABELS

    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404
    claims = AllowanceClaim.objects.visible_to(request.user)
    months = selectors.evaluation_months(claims, year)
    near_cap = selectors.lotsen_near_cap(claims, year)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Abrechnungen {year}"
    sheet.append(MONTH_HEADERS)
    for row in months:
        sheet.append(
            [
                row["region"],
                row["month"],
                *(row[f"{name}_{part}"] for name in selectors.MONTH_FIGURES for part in ("count", "amount")),
            ]
        )
        sheet.cell(row=sheet.max_row, column=2).number_format = "MM/YYYY"
        for column in (4, 6, 8, 10):
            sheet.cell(row=sheet.max_row, column=column).number_format = "#,##0.00"
    watch = workbook.create_sheet(f"Über {rules.CAP_SHARE_WATCH:.0f} % des Freibetrags")
    watch.append(CAP_HEADERS)
    for row in near_cap:
        watch.append(
            [
                row["region"],
                spreadsheet_text(row["name"]),
                KIND_LABELS.get(row["kind"], row["kind"]),
                row["total"],
                row["cap"],
                row["share"],
            ]
        )
    for ws in (sheet, watch):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    record_export(
        actor=request.user,
        export="annual_evaluation",
        file_format="xlsx",
        rows=len(months) + len(near_cap),
        region_ids=set(request.user.coordinated_region_ids()) if not request.user.sees_everything else (),
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="auswertung-abrechnungen-{year}.xlsx"'
    return response
