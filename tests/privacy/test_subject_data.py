"""GDPR Art. 15/20: a Lotse downloads all their data as one ZIP; programme staff produce it for a Lotse."""

import io
import json
import zipfile

from django.urls import reverse

from audit.models import AuditEntry
from audit.services import Action, record
from tests import factories as f
from tests.auth import reauthenticate


def _archive(response) -> tuple[dict, str]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == ["daten.html", "daten.json"]
        return json.loads(archive.read("daten.json")), archive.read("daten.html").decode()


def test_a_lotse_downloads_all_their_data_with_the_full_iban(lotse_client, world):
    f.ConsultationFactory(lotse=world.lotse_b, country_of_origin="IQ")  # Lotse B's: must not appear
    record(Action.VIEW_IBAN, actor=world.coordinator, target=world.lotse_a, fields=("iban",))
    record(Action.VIEW_IBAN, actor=world.coordinator, target=world.lotse_b, fields=("iban",))
    reauthenticate(lotse_client)

    data, html = _archive(lotse_client.get(reverse("privacy:my_data")))

    assert set(data) >= {
        "profile",
        "status_history",
        "contracts",
        "claims",
        "self_declarations",
        "consultations",
        "attendances",
        "certificates",
        "audit_entries",
    }
    assert data["profile"]["last_name"] == "Güllüoğlu"
    assert data["profile"]["iban"] == "DE89 3704 0044 0532 0130 00"  # theirs, in full
    assert [c["country_of_origin"] for c in data["consultations"]] == [
        "Syrien"
    ]  # only their own (German by default)
    assert len(data["contracts"]) == len(data["claims"]) == len(data["certificates"]) == 1
    assert data["attendances"][0]["event"] == "Qualifizierungstreffen Anerkennung"
    # the audit entries about them, not Lotse B's; the one written for this download is there too
    viewed = [e for e in data["audit_entries"] if e["object"] == "lotsen.lotse"]
    assert len(viewed) == 1 and viewed[0]["by"] == "Claudia Koordinat"
    assert "Güllüoğlu" in html and "Şahin" not in html and "DE89 3704 0044 0532 0130 00" in html


def test_the_download_needs_a_fresh_login_and_is_audited(lotse_client, world):
    response = lotse_client.get(reverse("privacy:my_data"))
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    assert not AuditEntry.objects.filter(action=Action.DATA_REQUEST).exists()

    reauthenticate(lotse_client)
    lotse_client.get(reverse("privacy:my_data"))
    entry = AuditEntry.objects.get(action=Action.DATA_REQUEST)
    assert (entry.actor, entry.subject, entry.details["by"]) == (world.lotse_a.user, world.lotse_a, "self")
    assert "Güllüoğlu" not in json.dumps(entry.details) and "DE89" not in json.dumps(entry.details)


def test_the_profile_links_to_the_download(lotse_client):
    page = lotse_client.get(reverse("me:profile")).content.decode()
    assert reverse("privacy:my_data") in page


def test_staff_produce_the_copy_for_a_lotse_with_the_iban_masked(staff_client, world):
    reauthenticate(staff_client)
    page = staff_client.get(reverse("lotsen:detail", args=[world.lotse_a.pk])).content.decode()
    assert reverse("privacy:lotse_data", args=[world.lotse_a.pk]) in page

    data, _html = _archive(staff_client.get(reverse("privacy:lotse_data", args=[world.lotse_a.pk])))
    assert data["profile"]["last_name"] == "Güllüoğlu"
    assert "0532 0130" not in data["profile"]["iban"] and data["profile"]["account_holder"] == ""
    assert len(data["consultations"]) == 1
    entry = AuditEntry.objects.get(action=Action.DATA_REQUEST)
    assert (entry.actor, entry.subject, entry.details["by"]) == (world.staff, world.lotse_a, "staff")


def test_coordinators_cannot_produce_a_copy(client, world):
    for user, status in ((world.coordinator, 403), (world.other_coordinator, 404), (world.lotse_b.user, 404)):
        client.force_login(user)
        reauthenticate(client)
        assert client.get(reverse("privacy:lotse_data", args=[world.lotse_a.pk])).status_code == status
        page = client.get(reverse("lotsen:detail", args=[world.lotse_a.pk])).content.decode()
        assert reverse("privacy:lotse_data", args=[world.lotse_a.pk]) not in page
    assert not AuditEntry.objects.filter(action=Action.DATA_REQUEST).exists()
