"""Retention that runs itself: every rule about how long a kind of record is kept, in one list (``RULES``).

Each rule names a record type, answers which rows are due on a given day (``due(today)``, a queryset: the
dry run counts it) and removes or anonymises them (``apply(today)``, returns how many went). The README table
"Retention" is the same list in words; keep the two together. ``apply_rules`` runs them in order (the daily
Celery beat task and ``manage.py apply_retention``) and writes one audit entry per rule. Every rule is
idempotent: what it removed is no longer due, so a second run the same day finds nothing.

Runs as the system, without a user: there is no request and no scope, so no ``visible_to`` here.
"""

from __future__ import annotations

import calendar
import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import MFAReset
from allowances.models import AllowanceClaim, Contract, PayoutBatch, SelfDeclaration
from audit.models import AuditEntry
from audit.services import Action, record
from billing.models import BillingRun, ClaimStatement, YearEndBatch, YearEndStatement
from certificates.models import Certificate, CertificateBatch
from events.models import Attendance, BadgeBatch, GuestRegistration
from lotsen.models import Consultation, Lotse, LotseStatusChange
from notifications.models import SentReminder
from portal.signals import coalesced
from reports import rollups
from reports.models import ReportExport

logger = logging.getLogger(__name__)

#: § 147 AO / § 257 HGB: accounting records are kept 10 years after the end of the calendar year (law, not
#: a setting).
TAX_RETENTION_YEARS = 10
#: How long the log of sent reminders (notifications.SentReminder) is kept.
SENT_REMINDER_MONTHS = 12


@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    due: Callable[[datetime.date], models.QuerySet]
    apply: Callable[[datetime.date], int]


# -- dates -----------------------------------------------------------------------------------------------
def years_after_year_end(today: datetime.date, years: int) -> datetime.date:
    """The first day still kept when records are kept ``years`` years after the end of their calendar year:
    on 1 January 2025, with 10 years, records of 2014 are due (their period ended on 31 December 2024)."""
    return datetime.date(today.year - years, 1, 1)


def start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def months_before(today: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months earlier (the month's last day if it is shorter)."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(today.day, last_day))


def _tax_cutoff(today):
    return years_after_year_end(today, TAX_RETENTION_YEARS)


def _delete(queryset) -> int:
    return queryset.delete()[1].get(queryset.model._meta.label, 0)


def _delete_with_files(queryset, field: str) -> int:
    """Delete the rows and their stored files (a file first: a row without its file is worse than the
    reverse, which the next run removes)."""
    count = 0
    for obj in queryset.iterator():
        stored = getattr(obj, field)
        if stored:
            stored.delete(save=False)
        obj.delete()
        count += 1
    return count


# -- claims, self-declarations, contracts: 10 years after the end of the year (§ 147 AO) --------------------
def claims_due(today):
    cutoff = _tax_cutoff(today)
    # the later of the month claimed and the payment decides the year (December paid in January)
    return AllowanceClaim.objects.filter(month__lt=cutoff).filter(
        Q(paid_at__isnull=True) | Q(paid_at__lt=start_of(cutoff))
    )


def payout_batches_due(today):
    """Payout batches (payment records) of a year before the period whose claims are all gone: a batch goes
    with, never before, the claims it paid (the claims rule runs first)."""
    cutoff = start_of(_tax_cutoff(today))
    return (
        PayoutBatch.objects.filter(created_at__lt=cutoff)
        .filter(Q(sent_at__isnull=True) | Q(sent_at__lt=cutoff))
        .filter(claims__isnull=True)
    )


def self_declarations_due(today):
    cutoff = _tax_cutoff(today)
    return SelfDeclaration.objects.filter(year__lt=cutoff.year, received_on__lt=cutoff)


def contracts_due(today):
    """Ended contracts whose end lies before the period and under which no claim is kept any more."""
    return (
        Contract.objects.annotate(end=Coalesce("ended_on", "ends_on"))
        .filter(end__lt=_tax_cutoff(today))
        .exclude(status=Contract.Status.ACTIVE)
        .filter(claims__isnull=True)
    )


def claim_statements_due(today):
    """A paid claim's statement PDF goes with its claim (cascade); here the rows whose claim is due, so the
    file is deleted too (the claims rule runs after this one)."""
    return ClaimStatement.objects.filter(claim__in=claims_due(today))


def year_end_statements_due(today):
    """Year-end statements (tax papers, § 147 AO): 10 years after the end of the year they cover."""
    return YearEndStatement.objects.filter(year__lt=_tax_cutoff(today).year)


def _apply_year_end_statements(today) -> int:
    count = _delete_with_files(year_end_statements_due(today), "file")
    YearEndBatch.objects.filter(year__lt=_tax_cutoff(today).year, statements__isnull=True).delete()
    return count


def billing_runs_due(today):
    """Billing runs (who was invited and when): as the claims of their month, 10 years after its year."""
    return BillingRun.objects.filter(month__lt=_tax_cutoff(today))


def status_history_due(today):
    return LotseStatusChange.objects.filter(effective_on__lt=_tax_cutoff(today))


def attendances_due(today):
    return Attendance.objects.filter(event__starts_at__lt=start_of(_tax_cutoff(today)))


def certificates_due(today):
    return Certificate.objects.filter(programme_year__lt=_tax_cutoff(today).year)


def _apply_certificates(today) -> int:
    count = _delete_with_files(certificates_due(today), "file")
    CertificateBatch.objects.filter(
        programme_year__lt=_tax_cutoff(today).year, certificates__isnull=True
    ).delete()
    return count


# -- consultations: pseudonymous, kept N years for the reports, then only as monthly counts ---------------
def consultations_due(today):
    return Consultation.objects.filter(
        date__lt=years_after_year_end(today, settings.CONSULTATION_RETENTION_YEARS)
    )


class RetentionMismatch(Exception):
    """The consultations counted and those deleted differ (one was logged meanwhile): nothing is changed."""


@transaction.atomic
def _apply_consultations(today) -> int:
    """Bring the due consultations' months up to date in the reports' rollups, close those months and delete
    the records, in one transaction: if anything fails in between, all stays as it was, so a report never
    counts a consultation twice or not at all. A closed month's consultation counts are never recomputed
    (nor lowered by the deletion): they are all that is left of its records; its other figures stay live
    (``reports.rollups``)."""
    due = consultations_due(today)
    months = set(due.annotate(m=TruncMonth("date")).values_list("region_id", "m").distinct().order_by())
    if not months:
        return 0
    expected = due.count()
    rollups.refresh(months)
    rollups.close(months)
    # A raw DELETE: the rollups must not hear of it, and the collector would load every record first.
    deleted = due._raw_delete(due.db)
    if deleted != expected:
        raise RetentionMismatch
    return deleted


# -- a Lotse's personal data after leaving -----------------------------------------------------------------
def leavers_due(today):
    """Left more than LEAVER_RETENTION_MONTHS ago, not anonymised yet, and no claim waiting for a decision
    or payment (that one still needs the name and IBAN)."""
    from privacy.services import CLAIMS_NEEDING_PERSONAL_DATA

    return (
        Lotse.objects.filter(
            status=Lotse.Status.LEFT,
            left_on__lt=months_before(today, settings.LEAVER_RETENTION_MONTHS),
            anonymised_at__isnull=True,
        )
        .exclude(claims__status__in=CLAIMS_NEEDING_PERSONAL_DATA)
        .distinct()
    )


def _apply_leavers(today) -> int:
    from privacy.services import anonymise_lotse

    return sum(
        anonymise_lotse(lotse=lotse, acting_user=None, today=today) is not None
        for lotse in leavers_due(today).only("pk")
    )


# -- files, sessions and the records about access -------------------------------------------------------
def report_exports_due(today):
    return ReportExport.objects.filter(
        created_at__lt=start_of(today - datetime.timedelta(days=settings.REPORT_EXPORT_RETENTION_DAYS))
    )


def guests_due(today):
    """Guests of public events: name, organisation and e-mail are needed for the door and the list, not
    after it (GUEST_RETENTION_DAYS after the event's end)."""
    return GuestRegistration.objects.filter(
        event__ends_at__lt=start_of(today - datetime.timedelta(days=settings.GUEST_RETENTION_DAYS))
    )


def unconfirmed_guests_due(today):
    """Guest registrations never confirmed by the link in the e-mail: void after the confirmation window
    (events.guests.PENDING_HOURS), they held no seat and were never consented to by a click; whoever typed
    the address may not have been its owner."""
    from events.guests import PENDING_HOURS

    return GuestRegistration.objects.filter(
        status=GuestRegistration.Status.PENDING,
        created_at__lt=start_of(today) - datetime.timedelta(hours=PENDING_HOURS),
    )


def badges_due(today):
    """Name badge PDFs: printed for the door, not needed days later (BADGE_RETENTION_DAYS)."""
    return BadgeBatch.objects.filter(
        created_at__lt=start_of(today - datetime.timedelta(days=settings.BADGE_RETENTION_DAYS))
    )


def sent_reminders_due(today):
    """The memory that makes each reminder go out once: needed until the reminder can no longer come
    again (a week, a month), kept a year (ids only, no address)."""
    return SentReminder.objects.filter(sent_at__lt=start_of(months_before(today, SENT_REMINDER_MONTHS)))


def sessions_due(today):
    return Session.objects.filter(expire_date__lt=start_of(today))


def _audit_cutoff(today) -> datetime.datetime:
    return start_of(years_after_year_end(today, settings.AUDIT_RETENTION_YEARS))


def audit_due(today):
    return AuditEntry.objects.filter(at__lt=_audit_cutoff(today))


def mfa_resets_due(today):
    return MFAReset.objects.filter(at__lt=_audit_cutoff(today))


RULES: list[Rule] = [
    # before the claims: the statement's file goes with its claim (the row would go by cascade, the file not)
    Rule(
        "claim_statements",
        _("statements of paid claims (PDF)"),
        claim_statements_due,
        lambda today: _delete_with_files(claim_statements_due(today), "file"),
    ),
    # before the claims and batches: a run points at its payout batch
    Rule("billing_runs", _("billing runs"), billing_runs_due, lambda today: _delete(billing_runs_due(today))),
    # claims before contracts: a contract goes only when no claim under it is left
    Rule("claims", _("allowance claims"), claims_due, lambda today: _delete(claims_due(today))),
    # after the claims: a batch is kept while any claim it paid is kept (the claim protects its batch)
    Rule(
        "payout_batches",
        _("payout batches"),
        payout_batches_due,
        lambda today: _delete(payout_batches_due(today)),
    ),
    Rule(
        "self_declarations",
        _("self-declarations and their signed PDF files"),
        self_declarations_due,
        lambda today: _delete_with_files(self_declarations_due(today), "document"),
    ),
    Rule(
        "contracts",
        _("contracts and signed contract files"),
        contracts_due,
        lambda today: _delete_with_files(contracts_due(today), "signed_document"),
    ),
    Rule(
        "status_history",
        _("status history"),
        status_history_due,
        lambda today: _delete(status_history_due(today)),
    ),
    Rule("attendances", _("attendances"), attendances_due, lambda today: _delete(attendances_due(today))),
    Rule("certificates", _("certificates and their PDF files"), certificates_due, _apply_certificates),
    Rule(
        "year_end_statements",
        _("year-end statements and their PDF files"),
        year_end_statements_due,
        _apply_year_end_statements,
    ),
    Rule("consultations", _("consultations"), consultations_due, _apply_consultations),
    Rule("leavers", _("personal data of Lotsen who left"), leavers_due, _apply_leavers),
    Rule(
        "report_exports",
        _("report export files"),
        report_exports_due,
        lambda today: _delete_with_files(report_exports_due(today), "file"),
    ),
    Rule(
        "unconfirmed_guests",
        _("unconfirmed guest registrations"),
        unconfirmed_guests_due,
        lambda today: _delete(unconfirmed_guests_due(today)),
    ),
    Rule(
        "guests",
        _("guest registrations of public events"),
        guests_due,
        lambda today: _delete(guests_due(today)),
    ),
    Rule(
        "badges",
        _("name badge files"),
        badges_due,
        lambda today: _delete_with_files(badges_due(today), "file"),
    ),
    Rule(
        "sent_reminders",
        _("log of sent reminders"),
        sent_reminders_due,
        lambda today: _delete(sent_reminders_due(today)),
    ),
    Rule("sessions", _("expired sessions"), sessions_due, lambda today: _delete(sessions_due(today))),
    Rule("mfa_resets", _("MFA reset records"), mfa_resets_due, lambda today: _delete(mfa_resets_due(today))),
    # last: the entries this run writes are new and stay
    Rule(
        "audit_trail",
        _("audit trail"),
        audit_due,
        lambda today: AuditEntry.objects.purge_older_than(_audit_cutoff(today)),
    ),
]


def due_counts(today: datetime.date | None = None) -> dict[str, int]:
    """What each rule would remove today, changing nothing (the dry run)."""
    today = today or timezone.localdate()
    return {rule.name: rule.due(today).count() for rule in RULES}


def apply_rules(today: datetime.date | None = None) -> dict[str, int]:
    """Apply every rule, each in its own transaction, and record one audit entry per rule with its count.
    The reports' rollups are refreshed once per rule, at the end of its transaction (``coalesced``)."""
    today = today or timezone.localdate()
    done = {}
    for rule in RULES:
        with coalesced():
            count = rule.apply(today)
            record(Action.RETENTION, rule=rule.name, count=count, day=today.isoformat())
        done[rule.name] = count
        logger.info("retention %s: %s removed or anonymised", rule.name, count)
    return done
