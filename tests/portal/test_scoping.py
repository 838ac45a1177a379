"""One door per model: visible_to(user) for every region- or person-owned model, checked row by row."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from allowances.models import AllowanceClaim, Contract, PayoutBatch, SelfDeclaration
from audit.models import AuditEntry
from audit.services import Action, record
from billing.models import BillingRun, ClaimStatement, YearEndBatch, YearEndStatement
from certificates.models import Certificate, CertificateBatch
from events.models import Attendance, BadgeBatch, Event, GuestRegistration
from lotsen.models import Consultation, Lotse, LotseStatusChange
from organisations.models import Organisation, PartnerInstitution
from portal.scoping import ScopedQuerySet
from regions.models import District, Region
from reports.models import MonthlyCount
from tests import factories as f


@dataclass
class Rule:
    model: type
    #: the region a row belongs to (None: programme-wide)
    region_of: Callable
    #: whether a Lotse sees the row
    lotse_sees: Callable


def _own(obj, lotse) -> bool:
    return obj.lotse_id == lotse.pk


RULES = [
    Rule(Region, lambda o: o.pk, lambda o, lotse: o.pk == lotse.region_id),
    Rule(District, lambda o: o.region_id, lambda o, lotse: o.region_id == lotse.region_id),
    Rule(Organisation, lambda o: o.region_id, lambda o, lotse: o.lotsen.filter(pk=lotse.pk).exists()),
    Rule(PartnerInstitution, lambda o: o.region_id, lambda o, lotse: o.region_id == lotse.region_id),
    Rule(Lotse, lambda o: o.region_id, lambda o, lotse: o.pk == lotse.pk),
    Rule(LotseStatusChange, lambda o: o.lotse.region_id, _own),
    Rule(Contract, lambda o: o.lotse.region_id, _own),
    Rule(SelfDeclaration, lambda o: o.lotse.region_id, _own),
    Rule(AllowanceClaim, lambda o: o.lotse.region_id, _own),
    # Payout batches are the payers' tool: Lotsen see their paid claims, never the batch.
    Rule(PayoutBatch, lambda o: o.region_id, lambda o, lotse: False),
    Rule(Consultation, lambda o: o.region_id, _own),
    Rule(Event, lambda o: o.region_id, lambda o, lotse: o.region_id in (None, lotse.region_id)),
    Rule(Attendance, lambda o: o.lotse.region_id, _own),
    # Guests of public events: personal data of people without an account; never Lotsen.
    Rule(GuestRegistration, lambda o: o.event.region_id, lambda o, lotse: False),
    Rule(Certificate, lambda o: o.lotse.region_id, _own),
    # Batches are a coordinator's tool: Lotsen never see them, only their own certificates.
    Rule(AuditEntry, lambda o: o.region_id, lambda o, lotse: o.subject_id == lotse.pk),
    Rule(CertificateBatch, lambda o: o.region_id, lambda o, lotse: False),
    # Name badge files: the event's coordinators (programme-wide events: staff), never Lotsen.
    Rule(BadgeBatch, lambda o: o.event.region_id, lambda o, lotse: False),
    # Consultation counts of closed years (kept by retention): coordinators by region, never Lotsen.
    Rule(MonthlyCount, lambda o: o.region_id, lambda o, lotse: False),
    # Billing: a run and a year-end batch are the office's tool; statements are the Lotse's own.
    Rule(BillingRun, lambda o: o.region_id, lambda o, lotse: False),
    Rule(YearEndBatch, lambda o: o.region_id, lambda o, lotse: False),
    Rule(ClaimStatement, lambda o: o.claim.lotse.region_id, lambda o, lotse: o.claim.lotse_id == lotse.pk),
    Rule(YearEndStatement, lambda o: o.lotse.region_id, _own),
]


@pytest.fixture
def full_world(world):
    """The shared world plus a row of every kind in Siegen and for Lotse B, so every scope has rows
    it must show and rows it must hide."""
    for region in (world.owl, world.siegen):
        f.DistrictFactory(region=region, name=f"Kreis in {region.slug}")
        f.PartnerInstitutionFactory(region=region, name=f"Agentur für Arbeit {region.slug}")
    for lotse in (world.lotse_a, world.lotse_b, world.lotse_siegen):
        contract = world.contract if lotse == world.lotse_a else f.ContractFactory(lotse=lotse)
        if lotse != world.lotse_a:
            f.AllowanceClaimFactory(lotse=lotse, contract=contract)
            f.ConsultationFactory(lotse=lotse)
            f.CertificateFactory(lotse=lotse)
        LotseStatusChange.objects.create(
            lotse=lotse, status=Lotse.Status.ACTIVE, effective_on=lotse.joined_on
        )
        SelfDeclaration.objects.create(lotse=lotse, year=2014)
        record(Action.VIEW_IBAN, actor=world.staff, target=lotse)
    record(Action.LOGIN, actor=world.staff)  # programme-wide: no region
    world.lotse_siegen.organisations.add(world.organisation_siegen)
    f.AttendanceFactory(event=world.event_siegen, lotse=world.lotse_siegen)
    for event in (world.event, world.event_siegen, world.programme_event):
        GuestRegistration.objects.create(
            event=event,
            name="Gast",
            organisation="Jobcenter",
            institution_kind=GuestRegistration.InstitutionKind.JOBCENTER,
            email=f"gast{event.pk}@example.org",
            email_key=f"gast{event.pk}@example.org",
            consent_at=timezone.now(),
            token=f"token-{event.pk}",
        )
        BadgeBatch.objects.create(event=event, requested_by=world.staff)
    f.AttendanceFactory(event=world.programme_event, lotse=world.lotse_siegen)
    f.AttendanceFactory(event=world.programme_event, lotse=world.lotse_b)
    for region in (world.owl, world.siegen):
        CertificateBatch.objects.create(region=region, programme_year=2014, requested_by=world.staff, total=0)
        PayoutBatch.objects.create(
            region=region,
            reference=f"LP-{region.slug[:8].upper()}-2014-01-0001",
            execution_date=datetime.date(2014, 1, 31),
            total=0,
            count=0,
            debtor_name="Regionalagentur",
            debtor_iban="DE89370400440532013000",
            debtor_bic="COBADEFFXXX",
        )
        MonthlyCount.objects.create(
            region=region, month=datetime.date(2014, 5, 1), dimension="mode", value="phone", n=3
        )
        BillingRun.objects.create(region=region, month=datetime.date(2014, 1, 1))
        YearEndBatch.objects.create(region=region, year=2014, total=0)
    for claim in AllowanceClaim.objects.select_related("lotse"):
        ClaimStatement.objects.create(claim=claim)
        YearEndStatement.objects.get_or_create(
            lotse=claim.lotse, year=2014, defaults={"payments_digest": "x", "total": 0}
        )
    return world


def test_every_scoped_model_has_a_rule():
    scoped = {
        model for model in apps.get_models() if isinstance(model._default_manager.all(), ScopedQuerySet)
    }
    assert scoped == {rule.model for rule in RULES}


def _pks(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.model.__name__)
def test_visible_to(rule: Rule, full_world):
    w = full_world
    rows = list(rule.model.objects.all())
    everything = {row.pk for row in rows}
    owl_rows = {row.pk for row in rows if rule.region_of(row) == w.owl.pk}
    siegen_rows = {row.pk for row in rows if rule.region_of(row) == w.siegen.pk}
    programme_wide = {row.pk for row in rows if rule.region_of(row) is None}
    assert owl_rows and siegen_rows, "the fixture must have rows in both regions"

    visible = rule.model.objects.visible_to
    # Programme staff see everything.
    assert _pks(visible(w.staff)) == everything
    # A coordinator sees their region (and programme-wide rows), nothing of another region.
    coordinator_rows = _pks(visible(w.coordinator))
    assert owl_rows <= coordinator_rows
    assert coordinator_rows - owl_rows <= programme_wide
    other_rows = _pks(visible(w.other_coordinator))
    assert not other_rows & owl_rows
    assert siegen_rows <= other_rows
    # A Lotse sees only their own rows (for shared tables: their region's or their organisations').
    for lotse in (w.lotse_a, w.lotse_b, w.lotse_siegen):
        expected = {row.pk for row in rows if rule.lotse_sees(row, lotse)}
        assert _pks(visible(lotse.user)) == expected, lotse
    # Anonymous and deactivated users see nothing.
    from django.contrib.auth.models import AnonymousUser

    assert not _pks(visible(AnonymousUser()))
    w.coordinator.is_active = False
    assert not _pks(visible(w.coordinator))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.model.__name__)
def test_editable_by_never_reaches_beyond_visible(rule: Rule, full_world):
    w = full_world
    for user in (w.staff, w.coordinator, w.other_coordinator, w.lotse_a.user):
        assert _pks(rule.model.objects.editable_by(user)) <= _pks(rule.model.objects.visible_to(user))
    # Lotsen never edit through the coordinator door.
    assert not _pks(rule.model.objects.editable_by(w.lotse_a.user))


@pytest.mark.parametrize(
    ("model", "record"),
    [
        (Lotse, "lotse_a"),
        (Consultation, "consultation"),
        (AllowanceClaim, "claim"),
        (Attendance, "attendance"),
        (Certificate, "certificate"),
    ],
)
def test_owned_by_is_the_lotse_own_rows_only(world, model, record):
    """The owner door: Lotse A owns their rows; nobody else does, not even staff who see everything."""
    row = getattr(world, record)
    assert list(model.objects.owned_by(world.lotse_a.user).filter(pk=row.pk)) == [row]
    for other in (world.lotse_b.user, world.coordinator, world.staff, AnonymousUser()):
        assert not model.objects.owned_by(other).filter(pk=row.pk).exists()
    world.lotse_a.user.is_active = False
    assert not model.objects.owned_by(world.lotse_a.user).exists()


def test_models_without_owner_have_no_owned_rows(world):
    assert not Organisation.objects.owned_by(world.lotse_a.user).exists()
