"""The coordinator's Lotsen pages: list filters and queries, detail, create/edit, status, invitation."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tokens import invitation_token_generator
from events.models import Attendance
from lotsen.models import Lotse, LotseStatusChange
from regions.models import Coordination
from tests import factories as f
from tests.auth import reauthenticate

User = get_user_model()
LIST = "/lotsen/"


def names(response) -> set[str]:
    return {lotse.full_name for lotse in response.context["lotsen"]}


# -- list ---------------------------------------------------------------------------------------------
def test_list_shows_only_own_region(coordinator_client, world):
    response = coordinator_client.get(LIST)
    assert names(response) == {world.lotse_a.full_name, world.lotse_b.full_name}


def test_list_filters(coordinator_client, world):
    district = f.DistrictFactory(region=world.owl, name="Kreis Lippe")
    other_org = f.OrganisationFactory(region=world.owl, name="Syrischer Kulturverein")
    candidate = f.LotseFactory(region=world.owl, first_name="Karim", last_name="Haddad", status="candidate")
    candidate.organisations.add(other_org)
    candidate.languages.add(f.language("ar"))
    paused = f.LotseFactory(
        region=world.owl, first_name="Olena", last_name="Koval", status="paused", district=district
    )
    f.ContractFactory(lotse=paused, ends_on=timezone.localdate() + datetime.timedelta(days=10))
    pending = f.LotseFactory(
        region=world.owl,
        first_name="Dilan",
        last_name="Aydın",
        user=f.UserFactory(email="dilan@example.org", password=None),
    )
    pending.user.set_unusable_password()
    pending.user.save()

    def get(query):
        return names(coordinator_client.get(LIST + query))

    assert get("?status=candidate") == {"Karim Haddad"}
    assert get("?status=paused") == {"Olena Koval"}
    assert get(f"?organisation={other_org.pk}") == {"Karim Haddad"}
    assert get("?language=" + str(f.language("ar").pk)) == {"Karim Haddad"}
    assert get(f"?district={district.pk}") == {"Olena Koval"}
    assert get("?has_login=no") == {"Karim Haddad", "Olena Koval"}
    assert get("?has_login=pending") == {"Dilan Aydın"}
    assert get("?has_login=yes") == {world.lotse_a.full_name, world.lotse_b.full_name}
    assert get("?has_active_contract=yes") == {world.lotse_a.full_name, "Olena Koval"}
    assert "Karim Haddad" in get("?has_active_contract=no")
    assert get("?contract_ends_within=30") == {"Olena Koval"}
    assert get("?contract_ends_within=5") == set()
    assert get("?q=kar+had") == {"Karim Haddad"}
    assert get("?q=güllü") == {world.lotse_a.full_name}


def test_list_sort_and_page_keep_the_query(coordinator_client, world):
    for i in range(30):
        f.LotseFactory(region=world.owl, first_name=f"Name{i:02}", last_name="Zeta", status="candidate")
    response = coordinator_client.get(LIST + "?status=candidate&ordering=-name")
    rows = list(response.context["lotsen"])
    assert rows[0].first_name == "Name29"
    assert len(rows) == 25
    html = response.content.decode()
    assert "status=candidate&amp;ordering=-name&amp;page=2" in html
    second = coordinator_client.get(LIST + "?status=candidate&ordering=-name&page=2")
    assert [lotse.first_name for lotse in second.context["lotsen"]] == [
        f"Name{i:02}" for i in range(4, -1, -1)
    ]


def test_list_foreign_filter_values_are_refused(coordinator_client, world):
    """An organisation of another region is no valid choice: an error, not their Lotsen."""
    response = coordinator_client.get(LIST + f"?organisation={world.organisation_siegen.pk}")
    assert response.status_code == 200
    assert "organisation" in response.context["filter"].form.errors
    assert names(response) == set()


def test_list_empty_states(coordinator_client, world):
    response = coordinator_client.get(LIST + "?status=left")
    assert response.context["is_filtered"]
    assert b'class="empty"' in response.content
    assert names(response) == set()


def _many_lotsen(world, n: int):
    organisation = world.organisation
    for _ in range(n):
        lotse = f.LotseFactory(region=world.owl)
        lotse.organisations.add(organisation)
        f.ContractFactory(lotse=lotse)


@pytest.mark.parametrize("rows", [1, 200])
def test_list_queries_are_constant(coordinator_client, world, django_assert_max_num_queries, rows):
    _many_lotsen(world, rows)
    with django_assert_max_num_queries(10):
        response = coordinator_client.get(LIST + "?ordering=status&has_active_contract=yes")
    assert response.status_code == 200
    assert len(response.context["lotsen"]) == min(rows + 1, 25)


# -- detail --------------------------------------------------------------------------------------------
def test_detail_shows_profile_activity_and_anonymous_consultations(coordinator_client, world):
    Attendance.objects.filter(pk=world.attendance.pk).update(status=Attendance.Status.ATTENDED)
    response = coordinator_client.get(reverse("lotsen:detail", args=[world.lotse_a.pk]))
    assert response.status_code == 200
    assert response.context["consultations_total"] == 1
    assert response.context["consultations_by_month"][0]["count"] == 1
    assert [a.pk for a in response.context["trainings"]] == [world.attendance.pk]
    assert response.context["training_hours"] == world.event.hours_credited
    assert list(response.context["certificates"]) == [world.certificate]
    assert list(response.context["claims"]) == [world.claim]
    assert response.context["login_state"] == "active"


def test_detail_shows_only_consultations_of_the_coordinators_region(client, world):
    """A Lotse who moved from Siegen to OWL: the Siegen entries stay with the Siegen coordinator
    (consultations are scoped by the region they were logged in), the OWL coordinator sees the OWL ones."""
    f.ConsultationFactory(lotse=world.lotse_a, region=world.siegen)
    url = reverse("lotsen:detail", args=[world.lotse_a.pk])
    client.force_login(world.coordinator)
    response = client.get(url)
    assert response.context["consultations_total"] == 1
    assert sum(row["count"] for row in response.context["consultations_by_month"]) == 1
    client.force_login(world.staff)
    response = client.get(url)
    assert response.context["consultations_total"] == 2
    assert sum(row["count"] for row in response.context["consultations_by_month"]) == 2


def test_detail_iban_full_only_for_those_who_pay(client, world):
    client.force_login(world.coordinator)
    reauthenticate(client)
    assert (
        client.get(reverse("lotsen:detail", args=[world.lotse_a.pk])).context["iban"]
        == "DE89 3704 0044 0532 0130 00"
    )
    Coordination.objects.filter(user=world.coordinator).update(handles_payments=False)
    client.force_login(User.objects.get(pk=world.coordinator.pk))
    response = client.get(reverse("lotsen:detail", args=[world.lotse_a.pk]))
    assert response.context["iban"] == "DE89 **** **** **** **30 00"
    assert b"0532" not in response.content
    # Not in the edit form either; leaving it empty keeps the stored IBAN.
    edit = client.get(reverse("lotsen:edit", args=[world.lotse_a.pk]))
    assert b"0532" not in edit.content
    client.post(
        reverse("lotsen:edit", args=[world.lotse_a.pk]),
        {"first_name": "Ayşe", "last_name": "Güllüoğlu", "iban": ""},
    )
    world.lotse_a.refresh_from_db()
    assert world.lotse_a.iban == "DE89370400440532013000"


# -- create / edit ---------------------------------------------------------------------------------
def test_create_sets_the_single_region_and_confirms(coordinator_client, world):
    district = f.DistrictFactory(region=world.owl)
    reauthenticate(coordinator_client)  # the form enters bank details
    response = coordinator_client.post(
        reverse("lotsen:create"),
        {
            "first_name": "Leyla",
            "last_name": "Demir",
            "email": "leyla@example.org",
            "district": district.pk,
            "organisations": [world.organisation.pk],
            "languages": [f.language("ku").pk, f.language("tr").pk],
            "expertise": ["recognition"],
            "iban": "de89 3704 0044 0532 0130 00",
        },
        follow=True,
    )
    lotse = Lotse.objects.get(last_name="Demir")
    assert lotse.region == world.owl
    assert lotse.status == Lotse.Status.CANDIDATE
    assert lotse.iban == "DE89370400440532013000"
    assert list(lotse.organisations.all()) == [world.organisation]
    assert [m.level_tag for m in response.context["messages"]] == ["success"]


def _lotse_count_unchanged(func):
    before = Lotse.objects.count()
    response = func()
    assert Lotse.objects.count() == before
    return response


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", ""),
        ("first_name", "x" * 101),
        ("email", "not-an-email"),
        ("iban", "DE00370400440532013000"),
        ("iban", "DE8937040044053201300"),
    ],
)
def test_create_bad_input_changes_nothing(coordinator_client, world, field, value):
    data = {"first_name": "Leyla", "last_name": "Demir", field: value}
    response = _lotse_count_unchanged(lambda: coordinator_client.post(reverse("lotsen:create"), data))
    assert response.status_code == 200
    assert field in response.context["form"].errors


def test_create_refuses_foreign_ids(coordinator_client, world):
    siegen_district = f.DistrictFactory(region=world.siegen)
    response = _lotse_count_unchanged(
        lambda: coordinator_client.post(
            reverse("lotsen:create"),
            {
                "first_name": "Leyla",
                "last_name": "Demir",
                "district": siegen_district.pk,
                "organisations": [world.organisation_siegen.pk],
                "region": world.siegen.pk,
            },
        )
    )
    errors = response.context["form"].errors
    assert "district" in errors and "organisations" in errors


def test_staff_cannot_mix_regions(staff_client, world):
    response = _lotse_count_unchanged(
        lambda: staff_client.post(
            reverse("lotsen:create"),
            {
                "first_name": "Leyla",
                "last_name": "Demir",
                "region": world.owl.pk,
                "organisations": [world.organisation_siegen.pk],
            },
        )
    )
    assert "organisations" in response.context["form"].errors


def test_html_in_names_is_stored_as_text_and_rendered_escaped(coordinator_client, world):
    coordinator_client.post(
        reverse("lotsen:create"), {"first_name": "<script>alert(1)</script>", "last_name": "Demir"}
    )
    lotse = Lotse.objects.get(last_name="Demir")
    assert lotse.first_name == "<script>alert(1)</script>"
    for url in (reverse("lotsen:detail", args=[lotse.pk]), LIST):
        html = coordinator_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_edit_of_other_region_is_404_and_changes_nothing(other_coordinator_client, world):
    response = other_coordinator_client.post(
        reverse("lotsen:edit", args=[world.lotse_a.pk]), {"first_name": "X", "last_name": "Y"}
    )
    assert response.status_code == 404
    world.lotse_a.refresh_from_db()
    assert world.lotse_a.first_name == "Ayşe"


# -- status ---------------------------------------------------------------------------------------
def test_status_change_records_history_and_dates(coordinator_client, world):
    today = timezone.localdate()
    response = coordinator_client.post(
        reverse("lotsen:status", args=[world.lotse_a.pk]),
        {"status": "left", "effective_on": today.isoformat(), "note": "moved"},
    )
    assert response.status_code == 302
    world.lotse_a.refresh_from_db()
    assert (world.lotse_a.status, world.lotse_a.left_on, world.lotse_a.status_since) == ("left", today, today)
    change = LotseStatusChange.objects.get(lotse=world.lotse_a)
    assert (change.status, change.changed_by, change.note) == ("left", world.coordinator, "moved")
    # Coming back: active again from a date, joined anew, no longer left.
    coordinator_client.post(
        reverse("lotsen:status", args=[world.lotse_a.pk]),
        {"status": "active", "effective_on": today.isoformat()},
    )
    world.lotse_a.refresh_from_db()
    assert (world.lotse_a.status, world.lotse_a.joined_on, world.lotse_a.left_on) == ("active", today, None)


def test_status_change_refuses_bad_transitions_and_dates(coordinator_client, world):
    url = reverse("lotsen:status", args=[world.lotse_a.pk])
    world.lotse_a.status_since = timezone.localdate()
    world.lotse_a.save()
    not_allowed = coordinator_client.post(
        url, {"status": "candidate", "effective_on": timezone.localdate().isoformat()}
    )
    assert "status" in not_allowed.context["form"].errors
    too_early = coordinator_client.post(url, {"status": "paused", "effective_on": "2000-01-01"})
    assert "effective_on" in too_early.context["form"].errors
    empty = coordinator_client.post(url, {})
    assert set(empty.context["form"].errors) == {"status", "effective_on"}
    world.lotse_a.refresh_from_db()
    assert world.lotse_a.status == "active"
    assert not LotseStatusChange.objects.exists()


# -- invitation --------------------------------------------------------------------------------------
def _link(message) -> str:
    return re.search(r"https?://\S+/accounts/invitation/\S+/", message.body).group(0)


def test_invite_creates_login_and_resend_invalidates_older_link(
    coordinator_client, world, django_capture_on_commit_callbacks
):
    client = Client()  # the invited person, not logged in
    lotse = f.LotseFactory(region=world.owl, user=None, email="Neu.Lotsin@example.org")
    url = reverse("lotsen:invite", args=[lotse.pk])
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(url)
    lotse.refresh_from_db()
    user = lotse.user
    assert user.email == "neu.lotsin@example.org"
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    # The coordinator sees that the invitation is not accepted yet.
    detail = coordinator_client.get(reverse("lotsen:detail", args=[lotse.pk]))
    assert detail.context["login_state"] == "pending"
    assert b'id="invitation-pending"' in detail.content
    assert lotse.full_name in names(coordinator_client.get(LIST + "?has_login=pending"))
    # A link from an invitation sent five minutes ago ...
    user.invited_at = timezone.now() - datetime.timedelta(minutes=5)
    user.save(update_fields=["invited_at"])
    uid = _link(mail.outbox[0]).rstrip("/").split("/")[-2]
    old_link = reverse("accept_invitation", args=[uid, invitation_token_generator.make_token(user)])
    # (the link answers with a redirect to the password form, the token then lives in the session)
    assert client.get(old_link, follow=True).status_code == 200
    # ... stops working when the invitation is sent again; the new link works.
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert len(mail.outbox) == 2
    assert User.objects.filter(email="neu.lotsin@example.org").count() == 1
    assert client.get(old_link).status_code == 400
    assert client.get(re.sub(r"^https?://[^/]+", "", _link(mail.outbox[1])), follow=True).status_code == 200


def test_invite_refuses_an_email_of_another_user(coordinator_client, world):
    lotse = f.LotseFactory(region=world.owl, user=None, email=world.staff.email.upper())
    response = coordinator_client.post(reverse("lotsen:invite", args=[lotse.pk]), follow=True)
    lotse.refresh_from_db()
    assert lotse.user is None
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert world.staff.email in str(list(response.context["messages"])[0])
    assert mail.outbox == []


def test_invite_without_email_or_when_accepted_is_refused(coordinator_client, world):
    lotse = f.LotseFactory(region=world.owl, user=None, email="")
    response = coordinator_client.post(reverse("lotsen:invite", args=[lotse.pk]), follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    response = coordinator_client.post(reverse("lotsen:invite", args=[world.lotse_a.pk]), follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert User.objects.filter(lotse__pk=lotse.pk).count() == 0
    assert mail.outbox == []


def test_list_filters_say_all_instead_of_dashes(staff_client, world):
    """Like the events and claims filters: an empty choice reads "all …", never "---------"."""
    html = staff_client.get(LIST).content.decode()
    assert '<select name="district"' in html and '<select name="region"' in html
    assert "---------" not in html
