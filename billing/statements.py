"""What is printed on a claim's statement and on a year-end statement, and their rendering.

The figures come from ``allowances.rules`` (paid claims of the year, the cap and its use); the PDF is made by
``certificates.documents`` (the certificates' fonts, URL fetcher and batch path). Values are formatted here in
German (the PDFs are German, as the certificate); the bank account is printed masked only.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from allowances import rules
from allowances.models import AllowanceClaim, Contract, TaxAllowanceKind
from certificates.documents import qr_data_uri, render_pages, text_direction
from lotsen.validators import mask_iban

CLAIM_TEMPLATE = "billing/pdf/claim_statement.html"
YEAR_END_TEMPLATE = "billing/pdf/year_end_statement.html"

#: German names on the paper (the PDFs are German like the certificate)
KIND_LABELS = {
    TaxAllowanceKind.EHRENAMTSPAUSCHALE: "Ehrenamtspauschale (§ 3 Nr. 26a EStG)",
    TaxAllowanceKind.UEBUNGSLEITERPAUSCHALE: "Übungsleiterpauschale (§ 3 Nr. 26 EStG)",
}
ALLOWANCE_TYPE_LABELS = {
    Contract.AllowanceType.MONTHLY_FLAT: "monatliche Pauschale",
    Contract.AllowanceType.HOURLY: "je Stunde",
    Contract.AllowanceType.PER_CONSULTATION: "je Beratung",
}
MONTHS = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]


def eur(amount: Decimal | None) -> str:
    """1.234,50 € (German grouping and decimal comma, independent of the active language)."""
    if amount is None:
        return "–"
    text = f"{amount:,.2f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return f"{text} €"


def percent(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:.1f} %".replace(".", ",")


def month_name(day) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def _transfer_iban(claim: AllowanceClaim) -> str:
    """The payee's account as the batch paid it (its kept transfers), masked."""
    batch = claim.payout_batch
    if batch is not None:
        for item in batch.transfers:
            if item.get("claim") == claim.pk:
                return mask_iban(item.get("iban", ""))
    return mask_iban(claim.lotse.iban)


def claim_statement_context(claim: AllowanceClaim, caps: rules.CapTable) -> dict:
    lotse, contract, batch = claim.lotse, claim.contract, claim.payout_batch
    # the year the money was received (§ 11 EStG), its payments up to and including this one
    paid_in = rules.payment_year(claim)
    year = rules.paid_year(rules.paid_claims_of_year(lotse.pk, paid_in, through=claim), paid_in, caps=caps)
    return {
        "programme_name": settings.PROGRAMME_NAME,
        "region": lotse.region.name,
        "coordinating_body": lotse.region.coordinating_body,
        "holder_name": lotse.full_name,
        "holder_dir": text_direction(lotse.full_name),
        "month": month_name(claim.month),
        "activities": claim.activities,
        "hours": "" if claim.hours is None else f"{claim.hours:.1f}".replace(".", ","),
        "amount": eur(claim.amount),
        "contract": f"{ALLOWANCE_TYPE_LABELS.get(contract.allowance_type, '')}, {eur(contract.rate)}, "
        f"seit {contract.starts_on:%d.%m.%Y}",
        "tax_allowance": KIND_LABELS.get(contract.tax_allowance, contract.tax_allowance),
        "year": paid_in,
        "year_paid": eur(year.total),
        "caps": [
            (KIND_LABELS.get(kind, kind), eur(paid), eur(cap), percent(share), eur(above) if above else "")
            for kind, paid, cap, share, above in year.caps
        ],
        "not_covered": eur(year.not_covered) if year.not_covered else "",
        "payer": batch.debtor_name if batch else "",
        "batch_reference": batch.reference if batch else "",
        "paid_on": timezone.localdate(claim.paid_at).strftime("%d.%m.%Y") if claim.paid_at else "",
        "iban": _transfer_iban(claim),
    }


def claim_statement_pdfs(claims: list[AllowanceClaim]) -> list[bytes]:
    claims = list(
        AllowanceClaim.objects.filter(pk__in=[claim.pk for claim in claims])
        .select_related("lotse__region", "contract", "payout_batch")
        .order_by("pk")
    )
    caps = rules.CapTable()
    contexts = [claim_statement_context(claim, caps) for claim in claims]
    titles = [f"Abrechnungsbeleg {claim.month:%m/%Y} – {claim.lotse.full_name}" for claim in claims]
    return render_pages(CLAIM_TEMPLATE, contexts, titles)


def year_end_context(statement, claims, caps: rules.CapTable) -> dict:
    lotse, region = statement.lotse, statement.lotse.region
    year = rules.paid_year(claims, statement.year, caps=caps)
    verify_url = settings.SITE_URL + reverse("verify:code", args=[statement.verification_code])
    return {
        "programme_name": settings.PROGRAMME_NAME,
        "region": region.name,
        "coordinating_body": region.coordinating_body,
        "place": region.certificate_place or region.name,
        "holder_name": lotse.full_name,
        "holder_dir": text_direction(lotse.full_name),
        "year": statement.year,
        "version": statement.version,
        "rows": [
            (
                month_name(claim.month),
                eur(claim.amount),
                timezone.localdate(claim.paid_at).strftime("%d.%m.%Y") if claim.paid_at else "",
                claim.payout_batch.reference if claim.payout_batch else "",
            )
            for claim in year.claims
        ],
        "total": eur(year.total),
        "caps": [
            (KIND_LABELS.get(kind, kind), eur(paid), eur(cap), percent(share), eur(above) if above else "")
            for kind, paid, cap, share, above in year.caps
        ],
        "not_covered": eur(year.not_covered) if year.not_covered else "",
        "issued_on": timezone.localdate(statement.created_at).strftime("%d.%m.%Y"),
        "signer_name": statement.signer_name,
        "signer_role": statement.signer_role,
        "verification_code": statement.verification_code,
        "verify_url": verify_url,
        "qr_data_uri": qr_data_uri(verify_url),
    }


def year_end_pdfs(statements) -> list[bytes]:
    """The statements' files, read in two queries for any number (the statements with Lotse and region
    loaded, and the claims paid in their year: by the day of payment, rules.paid_in_year)."""
    caps = rules.CapTable()
    claims: dict[tuple[int, int], list] = {}
    in_years = Q()
    for year in {statement.year for statement in statements}:
        in_years |= rules.paid_in_year(year)
    paid = (
        AllowanceClaim.objects.filter(in_years, lotse_id__in={statement.lotse_id for statement in statements})
        .select_related("contract", "payout_batch")
        .order_by("paid_at", "month", "pk")
    )
    for claim in paid:
        claims.setdefault((claim.lotse_id, rules.payment_year(claim)), []).append(claim)
    contexts = [year_end_context(s, claims.get((s.lotse_id, s.year), []), caps) for s in statements]
    titles = [f"Jahresbescheinigung {s.year} – {s.lotse.full_name}" for s in statements]
    return render_pages(YEAR_END_TEMPLATE, contexts, titles)
