"""The organisations pages: list filters and queries, scoped form choices, detail with Lotsen activity."""

import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from events.models import Attendance
from organisations.models import Organisation
from tests import factories as f

LIST = "/organisations/"


def names(response) -> set[str]:
    return {o.name for o in response.context["organisations"]}


def complete(**kwargs):
    return f.OrganisationFactory(**dict.fromkeys(Organisation.MINIMUM_STANDARD_FIELDS, True), **kwargs)


def test_list_filters_search_and_sort(coordinator_client, world):
    lippe = f.DistrictFactory(region=world.owl, name="Kreis Lippe")
    bielefeld = f.DistrictFactory(region=world.owl, name="Bielefeld")
    syrian = complete(
        region=world.owl,
        name="Syrischer Kulturverein Detmold",
        district=lippe,
        cooperation_status="preparing",
    )
    syrian.languages.add(f.language("ar"))
    world.organisation.district = bielefeld
    world.organisation.save()

    def get(query):
        return names(coordinator_client.get(LIST + query))

    everything = {world.organisation.name, syrian.name}
    assert get("") == everything
    assert get(f"?district={lippe.pk}") == {syrian.name}
    assert get("?cooperation_status=preparing") == {syrian.name}
    assert get(f"?language={f.language('ar').pk}") == {syrian.name}
    assert get("?minimum_standard=yes") == {syrian.name}
    assert get("?minimum_standard=no") == {world.organisation.name}
    assert get("?q=kultur+detmold") == {syrian.name}
    ordered = coordinator_client.get(LIST + "?ordering=-district").context["organisations"]
    assert [o.name for o in ordered] == [syrian.name, world.organisation.name]


def test_filter_choices_are_scoped(coordinator_client, world):
    f.DistrictFactory(region=world.owl, name="Kreis Herford")
    siegen_district = f.DistrictFactory(region=world.siegen, name="Kreis Olpe")
    response = coordinator_client.get(LIST + f"?district={siegen_district.pk}")
    form = response.context["filter"].form
    assert list(form.fields["district"].queryset.values_list("name", flat=True)) == ["Kreis Herford"]
    assert "region" not in form.fields  # one region: nothing to choose
    assert "district" in form.errors
    assert names(response) == set()


def test_list_empty_state(coordinator_client, world):
    response = coordinator_client.get(LIST + "?q=nothing-like-this")
    assert names(response) == set()
    assert response.context["is_filtered"]


@pytest.mark.parametrize("rows", [1, 200])
def test_list_queries_are_constant(coordinator_client, world, django_assert_max_num_queries, rows):
    district = f.DistrictFactory(region=world.owl)
    for _ in range(rows):
        organisation = f.OrganisationFactory(region=world.owl, district=district)
        organisation.languages.add(f.language("tr"), f.language("ku"))
    with django_assert_max_num_queries(9):
        response = coordinator_client.get(LIST + "?ordering=district&minimum_standard=no")
    assert len(response.context["organisations"]) == min(rows + 1, 25)


def test_detail_lotsen_activity_in_one_query(coordinator_client, world, django_assert_max_num_queries):
    Attendance.objects.filter(pk=world.attendance.pk).update(status=Attendance.Status.ATTENDED)
    second = f.EventFactory(region=world.owl, hours_credited=Decimal("2.5"))
    f.AttendanceFactory(event=second, lotse=world.lotse_a, status=Attendance.Status.ATTENDED)
    f.ConsultationFactory(lotse=world.lotse_a)
    for _ in range(3):
        f.ConsultationFactory(lotse=world.lotse_b)
    response = coordinator_client.get(reverse("organisations:detail", args=[world.organisation.pk]))
    with django_assert_max_num_queries(1):
        rows = {lotse.pk: lotse for lotse in response.context["lotsen"]}
    a, b = rows[world.lotse_a.pk], rows[world.lotse_b.pk]
    assert (a.consultations_count, a.trainings_attended, a.training_hours) == (2, 2, Decimal("5.5"))
    assert (b.consultations_count, b.trainings_attended, b.training_hours) == (3, 0, 0)


def test_create_sets_region_and_confirms(coordinator_client, world):
    district = f.DistrictFactory(region=world.owl)
    response = coordinator_client.post(
        reverse("organisations:create"),
        {
            "name": "Eritreischer Verein Paderborn",
            "district": district.pk,
            "legal_form": "ev",
            "cooperation_status": "interested",
            "languages": [f.language("ti").pk],
            "postcode": "33098",
            "has_board": "on",
        },
        follow=True,
    )
    organisation = Organisation.objects.get(name="Eritreischer Verein Paderborn")
    assert (organisation.region, organisation.district, organisation.created_by) == (
        world.owl,
        district,
        world.coordinator,
    )
    assert organisation.has_board and not organisation.has_statutes
    assert [m.level_tag for m in response.context["messages"]] == ["success"]


def test_staff_chooses_among_all_regions(staff_client, world):
    form = staff_client.get(reverse("organisations:create")).context["form"]
    assert set(form.fields["region"].queryset) == {world.owl, world.siegen}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "x" * 201),
        ("postcode", "3309"),
        ("contact_email", "kein-mail"),
        ("cooperation_status", "best friends"),
        ("cooperation_since", "31.02.2026"),
    ],
)
def test_bad_input_changes_nothing(coordinator_client, world, field, value):
    data = {"name": "Neuer Verein", "legal_form": "ev", "cooperation_status": "interested", field: value}
    before = Organisation.objects.count()
    response = coordinator_client.post(reverse("organisations:create"), data)
    assert field in response.context["form"].errors
    assert Organisation.objects.count() == before


def test_foreign_ids_and_duplicates_are_refused(coordinator_client, world):
    siegen_district = f.DistrictFactory(region=world.siegen)
    before = Organisation.objects.count()
    data = {"legal_form": "ev", "cooperation_status": "interested"}
    foreign = coordinator_client.post(
        reverse("organisations:create"),
        {**data, "name": "Neu", "district": siegen_district.pk, "region": world.siegen.pk},
    )
    assert "district" in foreign.context["form"].errors
    duplicate = coordinator_client.post(
        reverse("organisations:create"), {**data, "name": world.organisation.name.upper()}
    )
    assert "name" in duplicate.context["form"].errors
    coordinator_client.force_login(world.staff)
    mixed = coordinator_client.post(
        reverse("organisations:create"),
        {**data, "name": "Neu", "region": world.owl.pk, "district": siegen_district.pk},
    )
    assert "district" in mixed.context["form"].errors
    assert Organisation.objects.count() == before


def test_edit_keeps_region_and_other_region_is_404(client, world):
    url = reverse("organisations:edit", args=[world.organisation.pk])
    data = {
        "name": "<b>Elternverein</b>",
        "legal_form": "ev",
        "cooperation_status": "paused",
        "region": world.siegen.pk,
    }
    client.force_login(world.other_coordinator)
    assert client.post(url, data).status_code == 404
    world.organisation.refresh_from_db()
    assert world.organisation.cooperation_status == "active"
    coordinator_client = client
    client.force_login(world.coordinator)
    assert coordinator_client.post(url, data).status_code == 302
    world.organisation.refresh_from_db()
    assert (world.organisation.name, world.organisation.region) == ("<b>Elternverein</b>", world.owl)
    html = coordinator_client.get(LIST).content.decode()
    assert "&lt;b&gt;Elternverein&lt;/b&gt;" in html and "<b>Elternverein</b>" not in html


def test_list_filters_say_all_instead_of_dashes(staff_client, world):
    """Like the events and claims filters: an empty choice reads "all …", never "---------"."""
    html = staff_client.get(LIST).content.decode()
    assert '<select name="district"' in html and '<select name="region"' in html
    assert "---------" not in html


@pytest.mark.parametrize("page", ["create", "edit"])
def test_form_groups_the_minimum_standard_under_a_legend(coordinator_client, world, page):
    url = (
        reverse("organisations:create")
        if page == "create"
        else reverse("organisations:edit", args=[world.organisation.pk])
    )
    html = coordinator_client.get(url).content.decode()
    group = re.search(
        r'<fieldset[^>]*id="minimum-standard"[^>]*>\s*<legend>[^<]+</legend>(.*?)</fieldset>', html, re.S
    )
    assert group, "no fieldset with a legend around the minimum standard"
    inside = set(re.findall(r'<input type="checkbox" name="(\w+)"', group.group(1)))
    assert inside == set(Organisation.MINIMUM_STANDARD_FIELDS)
    # Every other field is still on the form, outside the group.
    assert 'name="notes"' in html and 'name="cooperation_since"' in html


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Türkisch-Deutscher Elternverein", "TÜRKISCH-DEUTSCHER ELTERNVEREIN"),
        ("Straßenfest e.V.", "STRASSENFEST E.V."),
        ("Kulturverein  Ararat", "kulturverein ararat"),
    ],
)
def test_names_differing_only_in_case_collide_on_every_database(coordinator_client, world, first, second):
    """Same answer on SQLite (whose case folding is ASCII-only) and PostgreSQL: the form refuses the second
    name with a message, and the database refuses it too when the form is bypassed."""
    data = {"legal_form": "ev", "cooperation_status": "interested"}
    created = coordinator_client.post(reverse("organisations:create"), {**data, "name": first})
    assert created.status_code == 302
    before = Organisation.objects.count()
    response = coordinator_client.post(reverse("organisations:create"), {**data, "name": second})
    assert "name" in response.context["form"].errors
    assert Organisation.objects.count() == before
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(region=world.owl, name=second, legal_form="ev")
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.bulk_create([Organisation(region=world.owl, name=second, legal_form="ev")])
    # Another region may use the same name.
    Organisation.objects.create(region=world.siegen, name=second, legal_form="ev")
