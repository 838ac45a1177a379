"""Issue #15, point 2: start pages that point at the work.

Coordinators and programme staff see first what waits for them ("Zu erledigen": claims to decide, claims to
pay for those who pay, invitations not accepted, contracts ending, certificates due), each with its count
and a link to the list behind it, and nothing for work that is not there; then two trends (this month
against the monthly average of the twelve before). Lotsen see a rejected claim with its reason, an event
tomorrow and their month at a glance.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from allowances.models import AllowanceClaim, Contract, PayoutBatch
from certificates.models import Certificate
from events.models import Attendance
from home.selectors import Trend
from lotsen.models import Lotse
from portal.dates import previous_month
from tests import factories as f

TODO = ("claims-to-decide", "claims-to-pay", "invitations-pending", "contracts-ending", "certificates-due")


def _todo(html: str) -> dict[str, tuple[int, str]]:
    """The "Zu erledigen" block as {kind: (count, link)}."""
    section = html[html.index('id="todo-heading"') : html.index('id="trends-heading"')]
    return {
        kind: (int(count), href.replace("&amp;", "&"))
        for href, kind, count in re.findall(
            r'<a class="todo__item" href="([^"]+)" id="todo-([a-z-]+)">'
            r'<span class="todo__count">(\d+)</span>',
            section,
        )
    }


def _invited_lotse(region):
    user = f.UserFactory()
    user.set_unusable_password()  # invited: no password chosen yet
    user.save()
    return f.LotseFactory(region=region, user=user)


def _due_for_certificate(lotse, trainings=3):
    year = timezone.localdate().year
    for _ in range(trainings):
        event = f.EventFactory(
            region=lotse.region, starts_at=timezone.make_aware(datetime.datetime(year, 1, 1, 10))
        )
        f.AttendanceFactory(event=event, lotse=lotse, status=Attendance.Status.ATTENDED)


def _work_in(region, lotse):
    """One piece of each kind of work in the region."""
    today = timezone.localdate()
    contract = Contract.objects.filter(lotse=lotse).first() or f.ContractFactory(lotse=lotse)
    f.AllowanceClaimFactory(lotse=lotse, contract=contract, status=AllowanceClaim.Status.SUBMITTED)
    f.AllowanceClaimFactory(
        lotse=lotse,
        contract=contract,
        status=AllowanceClaim.Status.APPROVED,
        month=previous_month(today),
    )
    _invited_lotse(region)
    f.ContractFactory(lotse=f.LotseFactory(region=region), ends_on=today + datetime.timedelta(days=10))
    _due_for_certificate(f.LotseFactory(region=region))


def test_the_paying_coordinator_sees_each_kind_of_work_first_with_count_and_link(coordinator_client, world):
    _work_in(world.owl, world.lotse_b)
    _work_in(world.siegen, world.lotse_siegen)  # another region's work is not counted
    html = coordinator_client.get("/").content.decode()
    main = html[html.index('id="main"') :]
    assert main.index('id="todo-heading"') < main.index('id="figures-heading"')
    assert _todo(html) == {
        # world.claim and the new one
        "claims-to-decide": (2, "/claims/?status=submitted&waiting_for=decision"),
        "claims-to-pay": (1, "/claims/?status=approved&waiting_for=payment"),
        "invitations-pending": (1, "/lotsen/?has_login=pending"),
        "contracts-ending": (1, "/lotsen/?contract_ends_within=30"),
        "certificates-due": (1, "/certificates/batches/new/"),
    }
    assert "2 Abrechnungen warten auf Ihre Entscheidung" in re.sub(r"<[^>]+>", "", html)
    assert "1 genehmigte Abrechnung ist auszuzahlen" in re.sub(r"<[^>]+>", "", html)


def test_the_links_lead_to_lists_with_the_same_number(coordinator_client, world):
    _work_in(world.owl, world.lotse_b)
    todo = _todo(coordinator_client.get("/").content.decode())
    for kind in ("claims-to-decide", "claims-to-pay", "invitations-pending", "contracts-ending"):
        count, url = todo[kind]
        assert coordinator_client.get(url).context["page_obj"].paginator.count == count, kind


def test_nothing_to_do_shows_no_items(coordinator_client, world):
    AllowanceClaim.objects.filter(pk=world.claim.pk).update(status=AllowanceClaim.Status.PAID)
    html = coordinator_client.get("/").content.decode()
    assert _todo(html) == {}
    assert 'id="todo-nothing"' in html


def test_each_item_disappears_when_its_work_is_done(coordinator_client, world):
    _work_in(world.owl, world.lotse_b)
    AllowanceClaim.objects.filter(status=AllowanceClaim.Status.SUBMITTED).update(
        status=AllowanceClaim.Status.REJECTED
    )
    AllowanceClaim.objects.filter(status=AllowanceClaim.Status.APPROVED).update(
        status=AllowanceClaim.Status.PAID
    )
    Contract.objects.update(ends_on=None)
    for lotse in world.owl.lotsen.filter(user__password__startswith="!"):
        lotse.user.set_password(f.TEST_PASSWORD)
        lotse.user.save()
    for lotse in world.owl.lotsen.all():
        if lotse.attendances.filter(status=Attendance.Status.ATTENDED).exists():
            f.CertificateFactory(lotse=lotse)
    assert _todo(coordinator_client.get("/").content.decode()) == {}


def _listed(client, url) -> set[int]:
    """The claim ids on the list a to-do item links to (one page holds them all here)."""
    response = client.get(url)
    assert response.context["page_obj"].paginator.count == len(response.context["claims"])
    return {claim.pk for claim in response.context["claims"]}


def test_claims_to_pay_link_to_the_pay_page_with_exactly_the_counted_claims(client, world):
    # The OWL coordinator (pays OWL) also coordinates Siegen without paying it, and is a Lotse in OWL.
    coordinator = world.coordinator
    f.CoordinationFactory(user=coordinator, region=world.siegen, handles_payments=False)
    own = f.LotseFactory(region=world.owl, user=f.UserFactory())
    own.user = coordinator
    own.save(update_fields=["user"])
    approved = AllowanceClaim.Status.APPROVED
    counted = f.AllowanceClaimFactory(lotse=world.lotse_b, status=approved)
    in_batch = f.AllowanceClaimFactory(lotse=f.LotseFactory(region=world.owl), status=approved)
    PayoutBatch.objects.create(
        region=world.owl,
        reference="LP-OWL-TEST-1",
        execution_date=timezone.localdate() + datetime.timedelta(days=7),
        total=in_batch.amount,
        count=1,
        debtor_name="Regionalagentur OWL",
        debtor_iban="DE89370400440532013000",
        debtor_bic="COBADEFFXXX",
    ).claims.add(in_batch)
    f.AllowanceClaimFactory(lotse=f.LotseFactory(region=world.owl), status=approved, amount=Decimal("0"))
    f.AllowanceClaimFactory(lotse=world.lotse_siegen, status=approved)  # a region they do not pay
    f.AllowanceClaimFactory(lotse=own, status=approved)  # nobody pays their own claim
    client.force_login(coordinator)
    count, url = _todo(client.get("/").content.decode())["claims-to-pay"]
    assert count == 1
    response = client.get(url)
    assert response.context["approved_view"]  # the pay page: checkboxes, 100 a page
    assert _listed(client, url) == {counted.pk}
    assert f'id="pay-{counted.pk}"' in response.content.decode()  # a box to tick, or why it cannot be


def test_claims_to_decide_leave_out_the_coordinators_own_claim(client, world):
    own = f.LotseFactory(region=world.owl, user=f.UserFactory())
    own.user = world.coordinator
    own.save(update_fields=["user"])
    mine = f.AllowanceClaimFactory(lotse=own)  # submitted: another coordinator decides it
    client.force_login(world.coordinator)
    count, url = _todo(client.get("/").content.decode())["claims-to-decide"]
    assert count == 1
    assert _listed(client, url) == {world.claim.pk}
    # the decision page agrees: no decision for their own claim
    assert not client.get(f"/claims/{mine.pk}/").context["can_decide"]
    assert client.get(f"/claims/{world.claim.pk}/").context["can_decide"]
    # without the filter the queue still shows every submitted claim of the region, their own included
    assert _listed(client, "/claims/?status=submitted") == {world.claim.pk, mine.pk}


def test_certificates_due_are_those_the_batch_would_issue_for(client, world):
    _due_for_certificate(world.lotse_b)
    own = f.LotseFactory(region=world.owl, user=f.UserFactory())
    own.user = world.coordinator
    own.save(update_fields=["user"])
    _due_for_certificate(own)  # nobody issues their own certificate
    gone = f.LotseFactory(region=world.owl, status=Lotse.Status.LEFT)
    _due_for_certificate(gone)
    Lotse.objects.filter(pk=gone.pk).update(anonymised_at=timezone.now())  # no person left to certify
    client.force_login(world.coordinator)
    count, url = _todo(client.get("/").content.decode())["certificates-due"]
    assert count == 1
    preview = client.post(url, {"region": world.owl.pk, "preview": "1"})
    assert preview.context["will_be_issued"] == count
    client.post(url, {"region": world.owl.pk})
    assert set(Certificate.objects.filter(batch__isnull=False).values_list("lotse_id", flat=True)) == {
        world.lotse_b.pk
    }
    assert "certificates-due" not in _todo(client.get("/").content.decode())


def test_claims_to_pay_only_for_those_who_pay(client, world):
    f.AllowanceClaimFactory(lotse=world.lotse_siegen, status=AllowanceClaim.Status.APPROVED)
    f.AllowanceClaimFactory(lotse=world.lotse_b, status=AllowanceClaim.Status.APPROVED)
    client.force_login(world.other_coordinator)  # coordinates Siegen, does not pay
    assert "claims-to-pay" not in _todo(client.get("/").content.decode())
    client.force_login(world.staff)  # programme staff see everything but do not pay
    todo = _todo(client.get("/").content.decode())
    assert "claims-to-pay" not in todo
    assert todo["claims-to-decide"][0] == 1


def test_staff_see_the_work_of_every_region(staff_client, world):
    _work_in(world.owl, world.lotse_b)
    _work_in(world.siegen, world.lotse_siegen)
    todo = _todo(staff_client.get("/").content.decode())
    assert todo["claims-to-decide"][0] == 3
    assert todo["invitations-pending"][0] == 2
    assert todo["contracts-ending"][0] == 2
    assert todo["certificates-due"][0] == 2


def test_trends_compare_this_month_with_the_last_twelve(coordinator_client, world):
    today = timezone.localdate()
    month = today.replace(day=1)
    # 12 consultations spread over the last twelve months (1 a month on average), 1 already this month
    for _ in range(12):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        f.ConsultationFactory(lotse=world.lotse_b, date=month)
    f.ConsultationFactory(lotse=world.lotse_b, date=today)  # and world.consultation: 2 this month
    f.ConsultationFactory(lotse=world.lotse_siegen, date=today)  # another region
    response = coordinator_client.get("/")
    trend = response.context["figures"].consultations_trend
    assert trend.current == 2 and trend.history == [1] * 12
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))
    assert "2 Beratungen in diesem Monat bis heute" in text
    assert "100 % über dem Monatsdurchschnitt der letzten 12 Monate (1,0)" in text
    # Active Lotsen: everyone on the roster all year, one joined this month.
    lotsen = response.context["figures"].lotsen_trend
    assert lotsen.history == [2] * 12 and lotsen.current == 2
    f.LotseFactory(region=world.owl, joined_on=today.replace(day=1))
    assert coordinator_client.get("/").context["figures"].lotsen_trend.current == 3


@pytest.mark.parametrize(
    ("current", "history", "change"), [(5, [5] * 12, 0), (0, [0] * 12, None), (3, [6] * 12, -50)]
)
def test_trend_change(current, history, change):
    assert Trend(current, history).change_percent == change


@pytest.mark.parametrize("rows", [1, 30])
def test_start_page_queries_are_constant(coordinator_client, world, django_assert_max_num_queries, rows):
    for _ in range(rows):
        lotse = f.LotseFactory(region=world.owl)
        _work_in(world.owl, lotse)
    with django_assert_max_num_queries(12):
        response = coordinator_client.get("/")
    assert _todo(response.content.decode())["claims-to-decide"][0] == rows + 1


# -- the Lotse -----------------------------------------------------------------------------------------
def test_lotse_sees_a_rejected_claim_with_its_reason_first(lotse_client, world):
    AllowanceClaim.objects.filter(pk=world.claim.pk).update(
        status=AllowanceClaim.Status.REJECTED, rejection_reason="Die Beratung am 3. fehlt."
    )
    html = lotse_client.get("/").content.decode()
    main = html[html.index('id="main"') :]
    assert main.index('data-testid="rejected-claim"') < main.index("Beratung erfassen")
    assert "Die Beratung am 3. fehlt." in main


def test_lotse_is_reminded_of_an_event_tomorrow(lotse_client, world):
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    event = f.EventFactory(region=world.owl, title="Workshop Bewerbung", starts_at=tomorrow)
    other = f.EventFactory(region=world.owl, title="Nicht angemeldet", starts_at=tomorrow)
    assert 'data-testid="event-tomorrow"' not in lotse_client.get("/").content.decode()
    f.AttendanceFactory(event=event, lotse=world.lotse_a)
    f.AttendanceFactory(event=other, lotse=world.lotse_b)
    html = lotse_client.get("/").content.decode()
    assert html.count('data-testid="event-tomorrow"') == 1
    assert "Morgen: Workshop Bewerbung" in html


def test_lotse_month_at_a_glance(lotse_client, world):
    f.ConsultationFactory(lotse=world.lotse_a, duration_minutes=75)
    html = lotse_client.get("/").content.decode()
    month = html[html.index('id="month-heading"') :]
    assert re.search(r'data-testid="consultations-this-month">2<', month)
    assert "(2 Std.)" in month  # 45 + 75 minutes
    assert "eingereicht" in month  # this month's claim
    assert Certificate.objects.filter(lotse=world.lotse_a).count() == 1
