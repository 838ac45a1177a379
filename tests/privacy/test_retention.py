"""Retention runs itself: each rule removes exactly what is past its time (frozen dates: ``today`` is
passed in), a dry run changes nothing, and the reports of a closed year stay the same without the records."""

import datetime
import os
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from accounts.models import MFAReset
from allowances.models import AllowanceClaim, Contract, SelfDeclaration
from audit.models import AuditEntry
from audit.services import Action
from certificates.models import Certificate
from events.models import Attendance
from lotsen.models import Consultation, Lotse, LotseStatusChange
from organisations.models import PartnerInstitution
from privacy import retention
from regions.models import Language
from reports.models import MonthlyCount, ReportExport, RollupMonth
from reports.selectors import Period, build_report, report_regions
from tests import factories as f
from tests.reports.conftest import shown

#: the day the rules run: 10 years after the end of 2014, so records of 2014 are due and those of 2015 not
TODAY = datetime.date(2025, 1, 1)


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=timezone.get_current_timezone())


def rule(name: str) -> retention.Rule:
    return next(r for r in retention.RULES if r.name == name)


def check(name: str, due: set, kept: set, model) -> None:
    """``due`` (pks) and nothing else goes; the rule applied again finds nothing (idempotent)."""
    assert set(rule(name).due(TODAY).values_list("pk", flat=True)) == due
    assert rule(name).apply(TODAY) == len(due)
    remaining = set(model.objects.filter(pk__in=due | kept).values_list("pk", flat=True))
    assert remaining == kept
    assert rule(name).due(TODAY).count() == 0 and rule(name).apply(TODAY) == 0


@pytest.fixture
def old_contract(world):
    return f.ContractFactory(
        lotse=world.lotse_b,
        status="ended",
        starts_on=datetime.date(2013, 1, 1),
        ended_on=datetime.date(2015, 1, 31),
    )


def _claim(contract, month, paid_at=None):
    return f.AllowanceClaimFactory(
        lotse=contract.lotse,
        contract=contract,
        month=month,
        status="paid" if paid_at else "rejected",
        paid_at=paid_at,
    )


def test_claims_go_10_years_after_the_end_of_the_year_of_month_and_payment(world, old_contract):
    due = _claim(old_contract, datetime.date(2014, 12, 1), paid_at=at(2014, 12, 20))
    unpaid = _claim(old_contract, datetime.date(2014, 11, 1))
    paid_in_january = _claim(old_contract, datetime.date(2014, 10, 1), paid_at=at(2015, 1, 5))
    january = _claim(old_contract, datetime.date(2015, 1, 1), paid_at=at(2015, 1, 20))
    check("claims", {due.pk, unpaid.pk}, {paid_in_january.pk, january.pk, world.claim.pk}, AllowanceClaim)


def test_payout_batches_go_with_the_claims_they_paid(world, old_contract):
    from allowances.models import PayoutBatch

    def batch(reference, created, sent=None):
        return PayoutBatch.objects.create(
            region=world.owl,
            reference=reference,
            execution_date=created.date(),
            status="sent" if sent else "cancelled",
            total=0,
            count=0,
            debtor_name="Regionalagentur OWL",
            debtor_iban="DE58480501610077123456",
            debtor_bic="SPBIDE3BXXX",
            created_at=created,
            sent_at=sent,
            cancelled_at=None if sent else created,
        )

    due = batch("LP-OWL-2014-12-0001", at(2014, 12, 10), sent=at(2014, 12, 11))
    paid = _claim(old_contract, datetime.date(2014, 11, 1), paid_at=at(2014, 12, 11))
    AllowanceClaim.objects.filter(pk=paid.pk).update(payout_batch=due)
    sent_in_january = batch("LP-OWL-2014-12-0002", at(2014, 12, 30), sent=at(2015, 1, 2))
    cancelled_old = batch("LP-OWL-2014-06-0003", at(2014, 6, 1))
    # the claims rule runs first: the paid claim goes, and with it the batch's last claim
    assert rule("claims").apply(TODAY) >= 1
    check("payout_batches", {due.pk, cancelled_old.pk}, {sent_in_january.pk}, PayoutBatch)


def test_self_declarations_go_10_years_after_the_year(world):
    due = SelfDeclaration.objects.create(
        lotse=world.lotse_b, year=2014, received_on=datetime.date(2014, 3, 1)
    )
    late = SelfDeclaration.objects.create(
        lotse=world.lotse_a, year=2014, received_on=datetime.date(2015, 1, 1)
    )
    kept = SelfDeclaration.objects.create(
        lotse=world.lotse_b, year=2015, received_on=datetime.date(2015, 1, 2)
    )
    check("self_declarations", {due.pk}, {late.pk, kept.pk}, SelfDeclaration)


def test_contracts_and_their_files_go_once_ended_10_years_and_without_claims(world):
    def ended(ended_on, lotse=world.lotse_b):
        return f.ContractFactory(
            lotse=lotse, status="ended", starts_on=datetime.date(2013, 1, 1), ended_on=ended_on
        )

    due = ended(datetime.date(2014, 12, 31))
    due.signed_document.save("x.pdf", ContentFile(f.pdf_bytes()), save=True)
    path = due.signed_document.path
    with_claim = ended(datetime.date(2014, 12, 31), lotse=world.lotse_siegen)
    _claim(with_claim, datetime.date(2014, 10, 1), paid_at=at(2015, 1, 5))
    kept = ended(datetime.date(2015, 1, 1))
    check("contracts", {due.pk}, {with_claim.pk, kept.pk, world.contract.pk}, Contract)
    assert not os.path.exists(path)


def test_status_history_goes_10_years_after_the_year(world):
    due = LotseStatusChange.objects.create(
        lotse=world.lotse_b, status="active", effective_on=datetime.date(2014, 12, 31)
    )
    kept = LotseStatusChange.objects.create(
        lotse=world.lotse_b, status="paused", effective_on=datetime.date(2015, 1, 1)
    )
    check("status_history", {due.pk}, {kept.pk}, LotseStatusChange)


def test_attendances_go_10_years_after_the_year_of_the_event(world):
    def attendance(starts_at):
        event = f.EventFactory(
            region=world.owl, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=1)
        )
        return f.AttendanceFactory(event=event, lotse=world.lotse_b, status="attended")

    due, kept = attendance(at(2014, 12, 31, 23)), attendance(at(2015, 1, 1, 0))
    check("attendances", {due.pk}, {kept.pk, world.attendance.pk}, Attendance)


def test_certificates_and_their_pdfs_go_10_years_after_the_programme_year(world):
    due = f.CertificateFactory(lotse=world.lotse_b, programme_year=2014)
    due.file.save("c.pdf", ContentFile(b"%PDF-1.7"), save=True)
    path = due.file.path
    kept = f.CertificateFactory(lotse=world.lotse_b, programme_year=2015)
    check("certificates", {due.pk}, {kept.pk, world.certificate.pk}, Certificate)
    assert not os.path.exists(path)


def test_consultations_go_after_n_years_into_monthly_counts(world, settings):
    settings.CONSULTATION_RETENTION_YEARS = 3
    due = f.ConsultationFactory(lotse=world.lotse_a, date=datetime.date(2021, 12, 31))
    kept = f.ConsultationFactory(lotse=world.lotse_a, date=datetime.date(2022, 1, 1))
    check("consultations", {due.pk}, {kept.pk, world.consultation.pk}, Consultation)
    # the month's rollup stays, closed: never recomputed from the records that are gone
    stored = MonthlyCount.objects.filter(month=datetime.date(2021, 12, 1))
    assert set(stored.values_list("region", "dimension", "value", "n")) >= {
        (world.owl.pk, "consultations", "", 1),
        (world.owl.pk, "topic", "job_search", 1),
    }
    assert RollupMonth.objects.get(region=world.owl, month=datetime.date(2021, 12, 1)).closed


def test_a_leavers_personal_data_go_m_months_after_leaving_unless_a_claim_needs_them(world, settings):
    settings.LEAVER_RETENTION_MONTHS = 6  # 1 January 2025: left before 1 July 2024

    def leaver(left_on, **kwargs):
        return f.LotseFactory(region=world.owl, status="left", left_on=left_on, **kwargs)

    due = leaver(datetime.date(2024, 6, 30), user=f.UserFactory(email="weg@example.org"))
    kept = leaver(datetime.date(2024, 7, 1))
    waiting = leaver(datetime.date(2024, 1, 31))
    f.AllowanceClaimFactory(lotse=waiting, status="approved", month=datetime.date(2024, 1, 1))
    assert set(rule("leavers").due(TODAY)) == {due}
    assert rule("leavers").apply(TODAY) == 1 and rule("leavers").apply(TODAY) == 0
    assert Lotse.objects.get(pk=due.pk).full_name == f"Anonymisiert #{due.pk}"
    assert Lotse.objects.get(pk=due.pk).user is None
    assert {Lotse.objects.get(pk=kept.pk).iban, Lotse.objects.get(pk=waiting.pk).iban} == {
        "DE89370400440532013000"
    }
    entry = AuditEntry.objects.get(action=Action.ANONYMISED)
    assert entry.actor is None and entry.details["by_retention"] is True


def test_report_files_go_after_7_days(world):
    def export(created_at):
        item = ReportExport.objects.create(requested_by=world.staff)
        item.file.save("r.pdf", ContentFile(b"%PDF-1.7"), save=True)
        ReportExport.objects.filter(pk=item.pk).update(created_at=created_at)
        return item

    due, kept = export(at(2024, 12, 24, 23, 59)), export(at(2024, 12, 25))
    path = due.file.path
    check("report_exports", {due.pk}, {kept.pk}, ReportExport)
    assert not os.path.exists(path)


def test_expired_sessions_go(world):
    Session.objects.create(session_key="a" * 32, session_data="", expire_date=at(2024, 12, 31, 23, 59))
    Session.objects.create(session_key="b" * 32, session_data="", expire_date=at(2025, 1, 1, 0, 1))
    check("sessions", {"a" * 32}, {"b" * 32}, Session)


def test_the_audit_trail_and_mfa_resets_go_after_3_years(world, settings, django_user_model):
    settings.AUDIT_RETENTION_YEARS = 3  # 1 January 2025: entries before 2022
    due = AuditEntry.objects.create(action=Action.LOGIN, at=at(2021, 12, 31, 23, 59))
    kept = AuditEntry.objects.create(action=Action.LOGIN, at=at(2022, 1, 1))
    check("audit_trail", {due.pk}, {kept.pk}, AuditEntry)
    root = django_user_model.objects.create_superuser("root@example.org", "a-long-password-2014")
    old = MFAReset.objects.create(user=world.staff, reset_by=root, at=at(2021, 12, 31, 23, 59), reason="lost")
    new = MFAReset.objects.create(user=world.staff, reset_by=root, at=at(2022, 1, 1), reason="lost")
    check("mfa_resets", {old.pk}, {new.pk}, MFAReset)


def test_a_dry_run_changes_nothing_and_a_real_run_is_audited_per_rule(world):
    export = ReportExport.objects.create(requested_by=world.staff)
    ReportExport.objects.filter(pk=export.pk).update(created_at=timezone.now() - datetime.timedelta(days=30))
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "dry run" in out.getvalue()
    assert [line.split()[:2] for line in out.getvalue().splitlines() if "report_exports" in line] == [
        ["report_exports", "1"]
    ]
    assert ReportExport.objects.filter(pk=export.pk).exists()
    assert not AuditEntry.objects.filter(action=Action.RETENTION).exists()

    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert not ReportExport.objects.filter(pk=export.pk).exists()
    entries = AuditEntry.objects.filter(action=Action.RETENTION)
    assert sorted(e.details["rule"] for e in entries) == sorted(r.name for r in retention.RULES)
    assert entries.get(details__rule="report_exports").details["count"] == 1


def test_the_worker_runs_retention_daily():
    from privacy.tasks import apply_retention

    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert apply_retention.name in schedule
    assert apply_retention.delay().get() == dict.fromkeys((r.name for r in retention.RULES), 0)


def _figures(report) -> dict:
    return {
        "headline": [(label, str(value)) for label, value, _kind in report.headline],
        **{
            key: [[str(v) for v in row.values] for row in table.all_rows]
            for key, table in report.tables.items()
        },
    }


def test_the_reports_of_a_closed_year_stay_the_same_after_the_records_are_gone(world, settings):
    settings.CONSULTATION_RETENTION_YEARS = 3
    turkish, arabic = Language.objects.order_by("pk")[:2]
    agency = f.PartnerInstitutionFactory(
        region=world.owl, name="Agentur für Arbeit Bielefeld", kind=PartnerInstitution.Kind.values[1]
    )
    plan = [
        # (date, mode, language, referral, topics)
        *[
            (datetime.date(2021, 3, day), "in_person", turkish, world.partner, {"topic_recognition": True})
            for day in range(1, 8)
        ],
        *[(datetime.date(2021, 3, 15), "phone", arabic, None, {}) for _ in range(2)],
        *[
            (datetime.date(2021, 11, day), "video", None, agency, {"topic_other": True})
            for day in range(1, 7)
        ],
    ]
    for date, mode, language, referral, topics in plan:
        f.ConsultationFactory(
            lotse=world.lotse_a, date=date, mode=mode, language=language, referral=referral, **topics
        )
    f.ConsultationFactory(lotse=world.lotse_siegen, date=datetime.date(2021, 6, 1))
    f.ConsultationFactory(lotse=world.lotse_a, date=datetime.date(2022, 1, 10))  # not due: stays a record
    periods = [
        Period(datetime.date(2021, 1, 1), datetime.date(2021, 12, 31), "2021"),
        Period(datetime.date(2021, 3, 1), datetime.date(2021, 3, 31), "03/2021"),
        Period(datetime.date(2021, 10, 1), datetime.date(2022, 3, 31), "10/2021–03/2022"),
    ]
    users = [world.staff, world.coordinator]

    def figures():
        return [
            _figures(build_report(user=user, regions=report_regions(user), period=period))
            for user in users
            for period in periods
        ]

    before = figures()
    # the year's consultations are counted (with their cell-key noise, reports.privacy), not hidden
    assert before[0]["headline"][0][1] == str(shown(16, date__year=2021))
    siegen_2021 = str(shown(1, date__year=2021, region=world.siegen))
    assert retention.apply_rules(TODAY)["consultations"] == 16
    assert not Consultation.objects.filter(date__year=2021).exists()
    assert figures() == before
    # the coordinator of Siegen sees only Siegen's stored counts
    assert (
        _figures(
            build_report(
                user=world.other_coordinator,
                regions=report_regions(world.other_coordinator),
                period=periods[0],
            )
        )["headline"][0][1]
        == siegen_2021
    )


def test_unconfirmed_guest_registrations_go_after_the_confirmation_window(world):
    """A registration never confirmed by the e-mail link is void after 24 hours (events.guests.PENDING_HOURS):
    the rule deletes it; confirmed, waiting and fresh pending ones stay."""
    from events.models import GuestRegistration
    from tests.events.helpers import make_guest

    event = f.EventFactory(region=world.owl, starts_at=at(2025, 3, 1, 10), ends_at=at(2025, 3, 1, 16))
    old_pending = make_guest(event, "Alt Offen", status="pending")
    fresh_pending = make_guest(event, "Neu Offen", status="pending")
    confirmed = make_guest(event, "Bestätigt")
    waiting = make_guest(event, "Wartend", status="waiting")
    GuestRegistration.objects.filter(pk__in=[old_pending.pk, confirmed.pk, waiting.pk]).update(
        created_at=at(2024, 12, 30, 23, 59)  # more than 24 hours before the day's run
    )
    GuestRegistration.objects.filter(pk=fresh_pending.pk).update(created_at=at(2024, 12, 31, 8, 0))
    check(
        "unconfirmed_guests",
        due={old_pending.pk},
        kept={fresh_pending.pk, confirmed.pk, waiting.pk},
        model=GuestRegistration,
    )
