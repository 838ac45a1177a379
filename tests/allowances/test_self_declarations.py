"""Self-declarations (issue #12, point 5): listed per year, correctable, with the signed PDF stored and
served like the signed contract; nobody records or corrects their own."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from allowances.models import SelfDeclaration
from allowances.services import claims as services
from privacy import retention
from tests import factories as f

YEAR = 2025
LIST = reverse("claims:self_declarations")


def declaration_of(lotse, *, year=YEAR, document=False) -> SelfDeclaration:
    declaration = SelfDeclaration.objects.create(
        lotse=lotse, year=year, received_on=datetime.date(year, 1, 20)
    )
    if document:
        from django.core.files.base import ContentFile

        declaration.document.save("declaration.pdf", ContentFile(f.pdf_bytes()), save=True)
    return declaration


def with_contract(lotse, *, starts_on=datetime.date(YEAR, 3, 1), **extra):
    return f.ContractFactory(lotse=lotse, starts_on=starts_on, **extra)


def rows(response) -> dict[int, object]:
    return {lotse.pk: lotse for lotse in response.context["lotsen"]}


# -- the list --------------------------------------------------------------------------------------
def test_every_lotse_with_a_contract_in_the_year_with_or_without_declaration(coordinator_client, world):
    with_contract(world.lotse_b)
    declared = declaration_of(world.lotse_b, document=True)
    without = f.LotseFactory(region=world.owl, last_name="Ohne")
    with_contract(without, starts_on=datetime.date(YEAR - 1, 6, 1), ends_on=datetime.date(YEAR, 2, 28))
    f.LotseFactory(region=world.owl, last_name="Ohne Vertrag")  # no contract: not on the list
    ended_before = f.LotseFactory(region=world.owl)
    with_contract(
        ended_before, starts_on=datetime.date(YEAR - 2, 1, 1), ends_on=datetime.date(YEAR - 1, 12, 31)
    )
    with_contract(world.lotse_siegen)  # another region

    response = coordinator_client.get(LIST, {"year": YEAR})
    listed = rows(response)
    assert set(listed) == {world.lotse_b.pk, without.pk}
    assert listed[world.lotse_b.pk].declaration_id == declared.pk
    assert listed[world.lotse_b.pk].declaration_received_on == datetime.date(YEAR, 1, 20)
    assert listed[without.pk].declaration_id is None
    page = response.content.decode()
    assert reverse("claims:self_declaration_document", args=[declared.pk]) in page
    assert reverse("claims:self_declaration_edit", args=[declared.pk]) in page
    assert f"{reverse('claims:self_declaration_create')}?lotse={without.pk}&amp;year={YEAR}" in page

    missing = rows(coordinator_client.get(LIST, {"year": YEAR, "on_file": "no"}))
    assert set(missing) == {without.pk}


def test_the_list_opens_on_the_current_year(coordinator_client, world):
    # world.contract of Lotse A starts on 1 January of the current year
    response = coordinator_client.get(LIST)
    assert response.context["year"] == timezone.localdate().year
    assert world.lotse_a.pk in rows(response)


def test_staff_filter_by_region(staff_client, world):
    with_contract(world.lotse_b)
    with_contract(world.lotse_siegen)
    assert set(rows(staff_client.get(LIST, {"year": YEAR}))) == {world.lotse_b.pk, world.lotse_siegen.pk}
    assert set(rows(staff_client.get(LIST, {"year": YEAR, "region": world.siegen.pk}))) == {
        world.lotse_siegen.pk
    }


def test_an_unreadable_filter_shows_nothing(coordinator_client, world):
    with_contract(world.lotse_b)
    response = coordinator_client.get(LIST, {"year": YEAR, "on_file": "vielleicht"})
    assert response.status_code == 200 and list(response.context["lotsen"]) == []


def _queries_for_list(client, count: int, world) -> int:
    for n in range(count):
        lotse = f.LotseFactory(region=world.owl, last_name=f"Lotse {n:03}")
        with_contract(lotse)
        if n % 2:
            declaration_of(lotse, document=n % 4 == 1)
    client.get(LIST, {"year": YEAR})  # warm: session, user
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"year": YEAR})
    assert len(response.context["lotsen"]) == count
    return len(queries)


@pytest.mark.parametrize("role_client", ["coordinator_client", "staff_client"])
def test_the_list_runs_the_same_queries_for_1_and_50_lotsen(role_client, request):
    world = request.getfixturevalue("world")
    client = request.getfixturevalue(role_client)
    one = _queries_for_list(client, 1, world)
    SelfDeclaration.objects.all().delete()
    from allowances.models import Contract

    Contract.objects.exclude(pk=world.contract.pk).delete()
    fifty = _queries_for_list(client, 50, world)
    assert one == fifty


# -- record with the PDF ---------------------------------------------------------------------------
def test_record_with_the_pdf_stored_under_a_generated_name(coordinator_client, world):
    response = coordinator_client.post(
        reverse("claims:self_declaration_create"),
        {
            "lotse": world.lotse_b.pk,
            "year": YEAR,
            "received_on": f"{YEAR}-01-15",
            "document": f.pdf_upload("Erklärung Mehmet Şahin.pdf"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?year={YEAR}"
    declaration = SelfDeclaration.objects.get(lotse=world.lotse_b, year=YEAR)
    assert declaration.document.name.startswith("self-declarations/")
    assert "Mehmet" not in declaration.document.name and declaration.recorded_by == world.coordinator


def test_a_file_that_is_not_a_pdf_is_refused(coordinator_client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = coordinator_client.post(
        reverse("claims:self_declaration_create"),
        {
            "lotse": world.lotse_b.pk,
            "year": YEAR,
            "received_on": f"{YEAR}-01-15",
            "document": SimpleUploadedFile(
                "x.pdf", b"<html>not a pdf</html>", content_type="application/pdf"
            ),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["document"] == [
        "Diese Datei ist kein PDF. Bitte laden Sie die eingescannte Erklärung als PDF hoch."
    ]
    assert not SelfDeclaration.objects.filter(lotse=world.lotse_b).exists()


# -- correct ---------------------------------------------------------------------------------------
def test_correct_the_date_and_replace_the_pdf(coordinator_client, world, django_capture_on_commit_callbacks):
    declaration = declaration_of(world.lotse_a, document=True)
    old = declaration.document.path
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            reverse("claims:self_declaration_edit", args=[declaration.pk]),
            {"year": YEAR, "received_on": f"{YEAR}-02-03", "document": f.pdf_upload()},
        )
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.received_on == datetime.date(YEAR, 2, 3)
    assert declaration.document.path != old
    import os

    assert not os.path.exists(old) and os.path.exists(declaration.document.path)
    from audit.models import AuditEntry

    entry = AuditEntry.objects.filter(action="self_declaration").latest("at")
    assert entry.details["operation"] == "correct"
    assert entry.details["fields"] == "received_on,document"


def test_correct_to_a_year_already_on_file_is_refused(coordinator_client, world):
    declaration = declaration_of(world.lotse_a)
    declaration_of(world.lotse_a, year=YEAR + 1)
    response = coordinator_client.post(
        reverse("claims:self_declaration_edit", args=[declaration.pk]),
        {"year": YEAR + 1, "received_on": f"{YEAR}-01-20"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["year"] == [
        "Für dieses Jahr liegt bereits eine Selbsterklärung vor."
    ]
    declaration.refresh_from_db()
    assert declaration.year == YEAR


def test_nobody_records_or_corrects_their_own(world):
    coordinator_lotse = f.LotseFactory(region=world.owl, user=world.coordinator)
    with pytest.raises(ValidationError):
        services.record_self_declaration(
            lotse=coordinator_lotse,
            year=YEAR,
            received_on=datetime.date(YEAR, 1, 2),
            acting_user=world.coordinator,
        )
    own = declaration_of(coordinator_lotse)
    with pytest.raises(ValidationError):
        services.correct_self_declaration(
            declaration=own, year=YEAR, received_on=datetime.date(YEAR, 1, 3), acting_user=world.coordinator
        )


# -- download --------------------------------------------------------------------------------------
def test_download_for_the_region_and_staff_only(client, world):
    declaration = declaration_of(world.lotse_a, document=True)
    url = reverse("claims:self_declaration_document", args=[declaration.pk])
    client.force_login(world.coordinator)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="self-declaration-{declaration.pk}.pdf"'
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(world.staff)
    assert client.get(url).status_code == 200
    client.force_login(world.other_coordinator)
    assert client.get(url).status_code == 404
    client.force_login(world.lotse_a.user)  # their own: coordinators and staff only
    assert client.get(url).status_code == 403


def test_no_document_is_a_404(coordinator_client, world):
    declaration = declaration_of(world.lotse_a)
    assert (
        coordinator_client.get(reverse("claims:self_declaration_document", args=[declaration.pk])).status_code
        == 404
    )


# -- retention -------------------------------------------------------------------------------------
def test_the_pdf_goes_with_the_declaration(world):
    import os

    declaration = declaration_of(world.lotse_a, year=2010, document=True)
    SelfDeclaration.objects.filter(pk=declaration.pk).update(received_on=datetime.date(2010, 1, 5))
    path = declaration.document.path
    rule = next(rule for rule in retention.RULES if rule.name == "self_declarations")
    assert rule.apply(datetime.date(2026, 1, 1)) == 1
    assert not SelfDeclaration.objects.filter(pk=declaration.pk).exists()
    assert not os.path.exists(path)
