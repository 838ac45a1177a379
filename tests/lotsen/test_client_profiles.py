"""Need to know for client profiles (issue #11, point 6): the Lotse page shows consultations as counts per
month, mode and topic; the record-level list with client profiles is shown only for the plausibility check
of a claim's month, and every look at it is in the audit trail."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_countries import countries

from audit.models import AuditEntry
from lotsen import selectors
from lotsen.models import Consultation
from tests import factories as f

VIEW_CLIENT_PROFILES = AuditEntry.Action.VIEW_CLIENT_PROFILES


def _profiled(world, **fields):
    """A consultation whose client profile is unmistakable on a page."""
    defaults = {
        "lotse": world.lotse_a,
        "country_of_origin": "ER",  # Eritrea
        "age_band": Consultation.AgeBand.FROM_55,
        "time_in_germany": Consultation.TimeInGermany.UNDER_1,
        "mode": Consultation.Mode.VIDEO,
        "topic_recognition": True,
        "topic_job_search": False,
    }
    return f.ConsultationFactory(**(defaults | fields))


def test_the_lotse_page_shows_counts_per_month_mode_and_topic_never_a_client_profile(
    coordinator_client, world
):
    _profiled(world)
    response = coordinator_client.get(reverse("lotsen:detail", args=[world.lotse_a.pk]))
    html = response.content.decode()
    profile_values = [
        str(countries.name("ER")),
        str(countries.name("SY")),  # the world's consultation
        str(Consultation.AgeBand.FROM_55.label),
        str(Consultation.TimeInGermany.UNDER_1.label),
        str(Consultation.Gender.FEMALE.label),
    ]
    assert "Eritrea" in profile_values  # the page is German, the names too
    for profile_value in profile_values:
        assert profile_value not in html, profile_value
    assert "recent_consultations" not in response.context
    (month,) = response.context["consultations_by_month"]
    assert month["count"] == 2
    Mode = Consultation.Mode
    assert [(str(label), n) for label, n in month["modes"]] == [
        (str(Mode.IN_PERSON.label), 1),
        (str(Mode.VIDEO.label), 1),
    ]
    assert sorted(n for _label, n in month["topics"]) == [1, 1]
    assert f"{Mode.VIDEO.label}: 1" in html
    # Nothing record-level was shown, so nothing is recorded.
    assert not AuditEntry.objects.filter(action=VIEW_CLIENT_PROFILES).exists()


def test_the_counts_are_one_query_and_add_up_per_category(world):
    for mode in (Consultation.Mode.PHONE, Consultation.Mode.PHONE, Consultation.Mode.VIDEO):
        _profiled(world, mode=mode, topic_jobcenter=True)
    world.coordinator.coordinated_region_ids()  # the user's regions are read once per request anyway
    with CaptureQueriesContext(connection) as queries:
        (month,) = selectors.consultations_by_month(world.lotse_a, user=world.coordinator)
    assert len(queries) == 1
    modes = {str(Consultation.Mode(m).label): n for m, n in [("in_person", 1), ("phone", 2), ("video", 1)]}
    assert {str(label): n for label, n in month["modes"]} == modes
    topics = {str(label): n for label, n in month["topics"]}
    assert sum(n for n in topics.values()) == 1 + 3 + 3  # job search 1; recognition 3; Jobcenter 3
    assert month["count"] == 4 and month["minutes"] == 4 * 45


def test_the_claim_months_consultations_are_shown_for_the_check_and_each_look_is_recorded(
    coordinator_client, world
):
    claim = world.claim
    in_month = _profiled(world, date=claim.month)
    _profiled(world, date=claim.month - datetime.timedelta(days=1))  # the month before: not listed
    url = reverse("claims:consultations", args=[claim.pk])
    response = coordinator_client.get(url)
    assert response.status_code == 200
    shown = [c.pk for c in response.context["consultations"]]
    assert in_month.pk in shown and world.consultation.pk in shown and len(shown) == 2
    assert "Eritrea" in response.content.decode()
    entry = AuditEntry.objects.get(action=VIEW_CLIENT_PROFILES)
    assert (entry.actor, entry.subject, entry.region) == (world.coordinator, world.lotse_a, world.owl)
    assert (entry.target_type, entry.target_id) == ("allowances.allowanceclaim", str(claim.pk))
    assert entry.details == {"month": f"{claim.month:%Y-%m}", "rows": 2}
    coordinator_client.get(url)
    assert AuditEntry.objects.filter(action=VIEW_CLIENT_PROFILES).count() == 2


def test_the_claim_page_links_to_the_check(coordinator_client, world):
    html = coordinator_client.get(reverse("claims:detail", args=[world.claim.pk])).content.decode()
    assert reverse("claims:consultations", args=[world.claim.pk]) in html


def test_another_region_and_lotsen_never_see_the_list_and_nothing_is_recorded(client, world):
    url = reverse("claims:consultations", args=[world.claim.pk])
    client.force_login(world.other_coordinator)
    assert client.get(url).status_code == 404
    client.force_login(world.lotse_a.user)
    assert client.get(url).status_code == 403
    assert not AuditEntry.objects.filter(action=VIEW_CLIENT_PROFILES).exists()
