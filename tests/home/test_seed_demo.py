"""`manage.py seed_demo`: the NRW regions and a believable, invented programme; idempotent."""

import datetime
import io
import re

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from allowances.models import AllowanceClaim, Contract
from events.models import Event
from home import dashboards
from home.demo import DEMO_LOGINS, DEMO_PASSWORD, de_iban, district_kind
from lotsen.models import Consultation, Lotse
from regions.models import District, Region

DEMO_DASHBOARDS = {
    "staff@example.org": "dashboard/staff.html",
    "coordinator.owl@example.org": "dashboard/coordinator.html",
    "coordinator.siegen@example.org": "dashboard/coordinator.html",
    "lotse.owl@example.org": "dashboard/lotse.html",
    "lotse.siegen@example.org": "dashboard/lotse.html",
    "admin@example.org": "dashboard/staff.html",
}


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"accounts", "regions", "organisations", "lotsen", "events", "allowances", "certificates"}
    }


def test_seed_demo_twice_creates_no_duplicates():
    seed()
    first = _counts()
    seed()
    assert _counts() == first
    assert first["lotsen.Consultation"] > 100


def test_the_16_regions_and_53_districts_from_the_csv():
    seed()
    assert Region.objects.count() == 16
    # 31 Kreise (with the StädteRegion Aachen) and 22 kreisfreie Städte, each with its official key ...
    districts = District.objects.exclude(kind=District.Kind.KREISANGEHOERIGE_STADT)
    assert districts.count() == 53
    assert districts.filter(official_key="").count() == 0
    assert District.objects.get(name="StädteRegion Aachen").kind == District.Kind.STAEDTEREGION
    assert District.objects.get(name="Bielefeld").kind == District.Kind.KREISFREIE_STADT
    # ... plus Witten and Hattingen: towns of the Ennepe-Ruhr-Kreis that belong to another region.
    witten = District.objects.get(name="Witten")
    assert witten.kind == District.Kind.KREISANGEHOERIGE_STADT
    assert witten.official_key == ""
    assert witten.region.slug == "mittleres-ruhrgebiet"
    assert "Ennepe-Ruhr-Kreis" in witten.note
    assert District.objects.get(name="Ennepe-Ruhr-Kreis").note == "without Witten and Hattingen"
    assert Region.objects.get(slug="owl").coordinating_body == "Regionalagentur OWL"


def test_district_kinds_are_mapped_strictly():
    assert district_kind("kreisangehörige Stadt (Ennepe-Ruhr-Kreis)") == District.Kind.KREISANGEHOERIGE_STADT
    with pytest.raises(ValueError, match="unknown area_kind"):
        district_kind("Gemeinde")


def test_demo_ibans_have_valid_check_digits():
    from lotsen.validators import validate_iban

    validate_iban(de_iban("37040044", 532013000))
    assert de_iban("37040044", 532013000) == "DE89370400440532013000"


def test_the_2014_programme_and_the_current_year():
    seed()
    local = timezone.localtime
    workshop = Event.objects.get(region__slug="owl", kind=Event.Kind.WORKSHOP, starts_at__year=2014)
    assert local(workshop.starts_at).date() == datetime.date(2014, 6, 5)
    assert workshop.attendances.exists()
    closing = Event.objects.get(kind=Event.Kind.CLOSING, starts_at__year=2014)
    assert local(closing.starts_at).date() == datetime.date(2014, 11, 24)
    assert closing.region.slug == "siegen-wittgenstein-olpe"
    assert "Siegen" in closing.place
    conference = Event.objects.get(kind=Event.Kind.CONFERENCE, starts_at__year=2014)
    assert conference.region is None
    assert local(conference.starts_at).date() == datetime.date(2014, 12, 16)
    assert conference.registration_deadline == datetime.date(2014, 12, 9)
    assert "Düsseldorf" in conference.place
    assert Lotse.objects.filter(region__slug="siegen-wittgenstein-olpe").count() == 14
    assert Event.objects.filter(
        kind=Event.Kind.TRAINING, starts_at__year=2014, attendances__isnull=False
    ).exists()
    assert Lotse.objects.filter(user__isnull=True).exists()

    # The current programme year: every dashboard has something to show.
    from accounts.models import User

    today = timezone.localdate()
    coordinator = dashboards.coordinator_dashboard(User.objects.get(email="coordinator.owl@example.org"))
    assert coordinator["upcoming_events"]
    assert coordinator["figures"].claims_waiting > 0
    assert coordinator["figures"].consultations_this_month > 0
    start = dashboards.lotse_dashboard(User.objects.get(email="lotse.owl@example.org"))["start_html"]
    upcoming = start[start.index('id="upcoming-heading"') :]
    assert '<ul class="plain-list">' in upcoming  # events listed
    assert int(re.search(r'data-testid="consultations-this-month">(\d+)<', start).group(1)) > 0
    ending_soon = Contract.objects.active().filter(
        ends_on__range=(today, today + datetime.timedelta(days=30))
    )
    assert ending_soon.exists()
    assert AllowanceClaim.objects.filter(status=AllowanceClaim.Status.SUBMITTED).exists()


def test_names_in_many_scripts_and_only_invented_example_addresses():
    seed()
    names = " ".join(f"{lotse.first_name} {lotse.last_name}" for lotse in Lotse.objects.all())
    for letter in ("ü", "ğ", "ş"):
        assert letter in names
    assert any("\u0400" <= ch <= "\u04ff" for ch in names), "Cyrillic"
    assert any("\u0600" <= ch <= "\u06ff" for ch in names), "Arabic"
    from accounts.models import User

    assert all(email.endswith("example.org") for email in User.objects.values_list("email", flat=True))


def test_consultations_carry_no_names():
    seed()
    text_fields = [
        field.name
        for field in Consultation._meta.get_fields()
        if field.get_internal_type() in {"CharField", "TextField"} and not field.choices
    ]
    # Only coded fields: nothing where a client's name could be typed.
    assert text_fields == []


def test_every_demo_login_reaches_its_dashboard(client):
    seed()
    assert {email for email, _name, _role in DEMO_LOGINS} == set(DEMO_DASHBOARDS)
    for email, template in DEMO_DASHBOARDS.items():
        client.logout()
        response = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert response["Location"] == reverse("dashboard")
        response = client.get(reverse("dashboard"))
        assert response.status_code == 200
        assert template in [t.name for t in response.templates], email


def test_the_demo_superuser_and_staff_enter_the_admin(client):
    seed()
    for email in ("admin@example.org", "staff@example.org"):
        client.logout()
        client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
        assert client.get(reverse("admin:index")).status_code == 200


def test_seed_demo_refuses_to_run_in_production(settings):
    settings.DJANGO_ENV = "production"
    with pytest.raises(CommandError, match="production"):
        seed()
    assert not Region.objects.exists()


def test_the_owl_coordinator_pays_in_the_demo():
    """Payment rights are off by default (issue #10); the demo grants them to the OWL coordinator, who the
    README says pays the allowances and sees full IBANs."""
    seed()
    owl = Region.objects.get(slug="owl")
    coordinator = User.objects.get(email="coordinator.owl@example.org")
    assert coordinator.paying_region_ids() == {owl.pk}


def test_the_demo_drafts_can_be_submitted_as_they_are():
    """Issue #12: the demo's November draft named 8,0 h while 7,3 h were logged and could not be submitted."""
    from allowances import rules
    from allowances.models import AllowanceClaim

    seed()
    drafts = AllowanceClaim.objects.filter(status=AllowanceClaim.Status.DRAFT).select_related(
        "contract", "lotse"
    )
    assert drafts
    for claim in drafts:
        work = rules.month_work(lotse=claim.lotse, month=claim.month)
        assert rules.claim_problems(claim.contract, amount=claim.amount, hours=claim.hours, work=work) == {}


def test_the_public_transfer_conference_with_workshops_guests_and_a_waiting_list(client):
    from events.models import GuestRegistration

    seed()
    year = timezone.localdate().year
    conference = Event.objects.get(title="Transfer- und Abschlussveranstaltung", starts_at__year=year)
    assert conference.is_public and conference.address and conference.accessibility
    start, end = timezone.localtime(conference.starts_at), timezone.localtime(conference.ends_at)
    assert (start.month, start.day, start.hour, end.hour, end.minute) == (12, 16, 10, 16, 30)
    assert conference.registration_deadline == datetime.date(year, 12, 9)
    assert [s.number for s in conference.sessions.all()] == [1, 20]
    assert "Migrantenorganisationen – starke Partner der Arbeitsmarktakteure" in str(
        conference.sessions.last()
    )
    statuses = list(GuestRegistration.objects.filter(event=conference).values_list("status", flat=True))
    assert (
        statuses.count("confirmed") >= 3 and statuses.count("pending") == 1 and statuses.count("waiting") == 2
    )
    kinds = set(GuestRegistration.objects.filter(event=conference).values_list("institution_kind", flat=True))
    assert len(kinds) >= 4
    tokens = set(GuestRegistration.objects.values_list("token", flat=True))
    seed()
    assert set(GuestRegistration.objects.values_list("token", flat=True)) == tokens  # the links stay valid
    assert client.get(reverse("events:public_detail", args=[conference.pk])).status_code == 200
