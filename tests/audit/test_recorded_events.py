"""Every event of issue #11's list leaves an entry: who, what, which object and region, and never a value.

Each test does what a person would do (mostly through the pages) and then reads the trail.
"""

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from allowances.models import AllowanceClaim, Contract, SelfDeclaration
from audit.models import AuditEntry
from lotsen.services import lotsen as lotsen_services
from tests import factories as f
from tests.allowances.payout_helpers import pay, paying_account
from tests.allowances.test_contracts import terms
from tests.auth import enrol_totp, reauthenticate
from tests.lotsen.test_sensitive_actions import _edit_data

Action = AuditEntry.Action
IBAN = "DE89370400440532013000"
NEW_IBAN = "DE02120300000000202051"


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root@example.org", f.TEST_PASSWORD)


def only_entry(action, **lookup) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(action=action, **lookup))
    assert len(entries) == 1, entries
    return entries[0]


def assert_no_personal_values(entry: AuditEntry, *values: str) -> None:
    """The details hold names and numbers only: no IBAN (in any spelling), name or e-mail address."""
    text = json.dumps(entry.details, ensure_ascii=False)
    for value in (IBAN, NEW_IBAN, "0532 0130 00", "@", *values):
        assert value not in text, (value, text)


def assert_target(entry: AuditEntry, obj) -> None:
    assert (entry.target_type, entry.target_id) == (obj._meta.label_lower, str(obj.pk))


# -- full IBANs seen ----------------------------------------------------------------------------------
@pytest.mark.parametrize("page", ["lotsen:detail", "lotsen:edit"])
def test_the_lotse_page_and_form_showing_the_full_iban_are_recorded(coordinator_client, world, page):
    url = reverse(page, args=[world.lotse_a.pk])
    coordinator_client.get(url)
    assert not AuditEntry.objects.filter(action=Action.VIEW_IBAN).exists()  # masked: nothing seen
    reauthenticate(coordinator_client)
    assert "DE89 3704 0044 0532 0130 00" in coordinator_client.get(url).content.decode()
    entry = only_entry(Action.VIEW_IBAN)
    assert (entry.actor, entry.region, entry.subject) == (world.coordinator, world.owl, world.lotse_a)
    assert_target(entry, world.lotse_a)
    assert entry.details == {"page": page}
    assert_no_personal_values(entry, world.lotse_a.last_name)


def test_the_claim_page_showing_the_full_iban_is_recorded(coordinator_client, world):
    reauthenticate(coordinator_client)
    coordinator_client.get(reverse("claims:detail", args=[world.claim.pk]))
    entry = only_entry(Action.VIEW_IBAN)
    assert (entry.actor, entry.subject, entry.details) == (
        world.coordinator,
        world.lotse_a,
        {"page": "claims:detail"},
    )


def test_staff_see_the_iban_masked_and_nothing_is_recorded(staff_client, world):
    reauthenticate(staff_client)
    staff_client.get(reverse("lotsen:detail", args=[world.lotse_a.pk]))
    staff_client.get(reverse("claims:detail", args=[world.claim.pk]))
    assert not AuditEntry.objects.filter(action=Action.VIEW_IBAN).exists()


def test_the_admin_showing_the_full_iban_is_recorded(client, world, superuser):
    client.force_login(superuser)
    reauthenticate(client)
    page = client.get(reverse("admin:lotsen_lotse_change", args=[world.lotse_a.pk]))
    assert IBAN in page.content.decode()
    entry = only_entry(Action.VIEW_IBAN)
    assert (entry.actor, entry.subject, entry.details) == (superuser, world.lotse_a, {"page": "admin"})


# -- exports --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url_name,file_format", [("claims:export_csv", "csv"), ("claims:export_xlsx", "xlsx")]
)
def test_a_claims_export_is_one_entry_with_format_and_rows(coordinator_client, world, url_name, file_format):
    AllowanceClaim.objects.filter(pk=world.claim.pk).update(status=AllowanceClaim.Status.APPROVED)
    other = f.LotseFactory(region=world.owl, iban="")
    f.AllowanceClaimFactory(lotse=other, contract=f.ContractFactory(lotse=other), status="approved")
    reauthenticate(coordinator_client)
    assert coordinator_client.get(reverse(url_name)).status_code == 200
    export = only_entry(Action.EXPORT_PERSONAL)
    assert (export.actor, export.region) == (world.coordinator, world.owl)
    assert export.details == {"export": "approved_claims", "format": file_format, "rows": 2, "full_ibans": 1}
    assert_no_personal_values(export, world.lotse_a.last_name)
    # Lotse A's full IBAN is in the file: an entry about her (she sees it on her profile); the other has none.
    seen = only_entry(Action.VIEW_IBAN)
    assert (seen.actor, seen.subject, seen.details) == (
        world.coordinator,
        world.lotse_a,
        {"page": "approved_claims", "format": file_format},
    )


def test_an_export_with_masked_ibans_records_no_iban_seen(other_coordinator_client, world):
    lotse = f.LotseFactory(region=world.siegen)
    f.AllowanceClaimFactory(lotse=lotse, contract=f.ContractFactory(lotse=lotse), status="approved")
    other_coordinator_client.get(reverse("claims:export_csv"))
    assert only_entry(Action.EXPORT_PERSONAL).details["full_ibans"] == 0
    assert not AuditEntry.objects.filter(action=Action.VIEW_IBAN).exists()


def test_a_certificate_zip_download_is_recorded(coordinator_client, world):
    from tests.certificates.helpers import batch_for

    batch = batch_for(world, with_file=True)
    response = coordinator_client.get(reverse("certificates:batch_zip", args=[batch.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    entry = only_entry(Action.EXPORT_PERSONAL)
    assert (entry.actor, entry.region) == (world.coordinator, world.owl)
    assert entry.details["export"] == "certificates_zip" and entry.details["format"] == "zip"
    assert entry.details["rows"] >= 1


# -- bank data ------------------------------------------------------------------------------------------
def test_a_bank_data_change_names_the_fields_never_the_values(coordinator_client, world):
    reauthenticate(coordinator_client)
    url = reverse("lotsen:edit", args=[world.lotse_a.pk])
    response = coordinator_client.post(url, _edit_data(world, iban=NEW_IBAN, account_holder="Neue Inhaberin"))
    assert response.status_code == 302
    entry = only_entry(Action.BANK_DATA_CHANGED)
    assert (entry.actor, entry.subject, entry.region) == (world.coordinator, world.lotse_a, world.owl)
    assert entry.details == {"fields": ["account_holder", "iban"]}
    assert_no_personal_values(entry, "Neue Inhaberin")


def test_saving_the_form_without_a_bank_change_records_none(coordinator_client, world):
    reauthenticate(coordinator_client)
    url = reverse("lotsen:edit", args=[world.lotse_a.pk])
    coordinator_client.post(url, _edit_data(world, phone="0521 999"))
    assert not AuditEntry.objects.filter(action=Action.BANK_DATA_CHANGED).exists()


def test_a_bank_data_change_in_the_admin_is_recorded(client, world, superuser):
    from tests.accounts.test_admin_escalation import _change_form_data

    lotse = f.LotseFactory(region=world.owl)  # no contracts: the change form has no inline rows to send
    client.force_login(superuser)
    reauthenticate(client)
    url = reverse("admin:lotsen_lotse_change", args=[lotse.pk])
    data = _change_form_data(client.get(url))
    data["iban"] = NEW_IBAN
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = only_entry(Action.BANK_DATA_CHANGED)
    assert (entry.actor, entry.subject, entry.details) == (
        superuser,
        lotse,
        {"fields": ["iban"]},
    )
    # The admin change itself is in the trail too, with the field's label only.
    admin_entry = only_entry(Action.ADMIN_CHANGE)
    assert "IBAN" in admin_entry.details["fields"] and admin_entry.details["operation"] == "change"
    assert_no_personal_values(admin_entry)


# -- contracts, claims, status ----------------------------------------------------------------------------
def test_contract_create_renew_end_and_upload_are_recorded(coordinator_client, world):
    lotse = world.lotse_b
    start = timezone.localdate().replace(month=1, day=1)
    coordinator_client.post(reverse("lotsen:contract_create", args=[lotse.pk]), terms(start))
    contract = Contract.objects.get(lotse=lotse)
    coordinator_client.post(
        reverse("lotsen:contract_upload", args=[contract.pk]),
        {"document": f.pdf_upload("Vertrag.pdf")},
    )
    coordinator_client.post(
        reverse("lotsen:contract_renew", args=[contract.pk]), terms(start + datetime.timedelta(days=40))
    )
    renewed = Contract.objects.get(lotse=lotse, status=Contract.Status.ACTIVE)
    coordinator_client.post(
        reverse("lotsen:contract_end", args=[renewed.pk]),
        {"ended_on": (start + datetime.timedelta(days=60)).isoformat()},
    )
    entries = list(AuditEntry.objects.filter(action=Action.CONTRACT).order_by("pk"))
    assert [(e.details["operation"], e.target_id) for e in entries] == [
        ("create", str(contract.pk)),
        ("upload", str(contract.pk)),
        ("renew", str(renewed.pk)),
        ("end", str(renewed.pk)),
    ]
    assert {(e.actor, e.subject, e.region) for e in entries} == {(world.coordinator, lotse, world.owl)}
    for entry in entries:
        assert_no_personal_values(entry, lotse.last_name)


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_claim_decision_is_recorded_without_the_reason(coordinator_client, world, decision):
    reason = "Stunden passen nicht zu Frau Yılmaz' Terminen"
    coordinator_client.post(reverse(f"claims:{decision}", args=[world.claim.pk]), {"reason": reason})
    entry = only_entry(Action.CLAIM_DECIDED)
    assert_target(entry, world.claim)
    assert (entry.actor, entry.subject, entry.region) == (world.coordinator, world.lotse_a, world.owl)
    assert entry.details == {"decision": "approved" if decision == "approve" else "rejected"}
    assert_no_personal_values(entry, "Yılmaz", "Stunden")


def test_paying_records_each_claim_paid(coordinator_client, world):
    AllowanceClaim.objects.filter(pk=world.claim.pk).update(status=AllowanceClaim.Status.APPROVED)
    SelfDeclaration.objects.create(
        lotse=world.lotse_a, year=world.claim.month.year, received_on=world.claim.month
    )
    reauthenticate(coordinator_client)
    paying_account(world.owl)
    pay(coordinator_client, [world.claim.pk])
    entry = only_entry(Action.CLAIM_PAID)
    assert_target(entry, world.claim)
    assert (entry.actor, entry.subject) == (world.coordinator, world.lotse_a)
    assert_no_personal_values(entry)


def test_status_change_leaving_and_restoring_the_login_are_recorded(coordinator_client, world):
    today = timezone.localdate()
    coordinator_client.post(
        reverse("lotsen:status", args=[world.lotse_a.pk]),
        {"status": "left", "effective_on": today.isoformat(), "note": "zieht nach Köln"},
    )
    coordinator_client.post(reverse("lotsen:restore_login", args=[world.lotse_a.pk]))
    entries = list(AuditEntry.objects.filter(action=Action.STATUS).order_by("pk"))
    assert [(e.actor, e.details) for e in entries] == [
        (world.coordinator, {"status": "left"}),
        (None, {"login": "disabled", "reason": "left"}),  # switched off by the leaving rule, not a person
        (world.coordinator, {"login": "restored"}),
    ]
    assert {e.subject for e in entries} == {world.lotse_a}
    for entry in entries:
        assert_no_personal_values(entry, "Köln")


def test_the_nightly_leaver_task_is_recorded_without_an_actor(world):
    lotse = world.lotse_b
    lotse.status, lotse.left_on = "left", timezone.localdate() - datetime.timedelta(days=1)
    lotse.save()
    assert lotsen_services.disable_leaver_logins() == 1
    entry = only_entry(Action.STATUS)
    assert (entry.actor, entry.subject, entry.details) == (
        None,
        lotse,
        {"login": "disabled", "reason": "left"},
    )


# -- rights, MFA, admin ---------------------------------------------------------------------------------
def test_granting_a_coordination_in_the_admin_is_a_rights_entry(client, world, superuser):
    from tests.accounts.test_admin_escalation import _change_form_data

    client.force_login(superuser)
    reauthenticate(client)
    person = f.UserFactory(email="neu.koordination@example.org", name="Nina Neumann")
    url = reverse("admin:accounts_user_change", args=[person.pk])
    data = _change_form_data(client.get(url))
    data.update(
        {
            "coordinations-TOTAL_FORMS": "1",
            "coordinations-0-region": world.owl.pk,
            "coordinations-0-handles_payments": "on",
        }
    )
    assert client.post(url, data).status_code == 302
    entry = only_entry(Action.RIGHTS)
    assert_target(entry, person)
    assert entry.actor == superuser
    assert entry.details["inlines"] == ["added:coordination"]
    assert_no_personal_values(entry, "Nina", "Neumann", "Ostwestfalen")


def test_making_someone_programme_staff_is_a_rights_entry(client, world, superuser):
    from tests.accounts.test_admin_escalation import _change_form_data

    client.force_login(superuser)
    reauthenticate(client)
    url = reverse("admin:accounts_user_change", args=[world.lotse_b.user.pk])
    data = _change_form_data(client.get(url))
    data["is_programme_staff"] = "on"
    assert client.post(url, data).status_code == 302
    entry = only_entry(Action.RIGHTS)
    assert entry.details["operation"] == "change" and entry.details["source"] == "admin"
    assert [name.lower() for name in entry.details["fields"]] == ["programme staff"]


def test_deleting_several_objects_in_the_admin_records_each(client, world, superuser):
    from regions.models import Language

    languages = [Language.objects.create(code=f"x{i}", name_de=f"Testsprache {i}") for i in range(2)]
    client.force_login(superuser)
    response = client.post(
        reverse("admin:regions_language_changelist"),
        {"action": "delete_selected", "_selected_action": [lang.pk for lang in languages], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Language.objects.filter(pk__in=[lang.pk for lang in languages]).exists()
    entries = AuditEntry.objects.filter(action=Action.ADMIN_CHANGE, target_type="regions.language")
    assert sorted(e.target_id for e in entries) == sorted(str(lang.pk) for lang in languages)
    assert {e.details["operation"] for e in entries} == {"delete"}


def test_an_mfa_reset_is_recorded_without_the_reason(client, world, superuser):
    enrol_totp(world.coordinator)
    client.force_login(superuser)
    reauthenticate(client)
    client.post(
        reverse("admin:accounts_user_mfa_reset", args=[world.coordinator.pk]),
        {"reason": "Handy verloren, Rückruf bei Frau Koordinat"},
    )
    entry = only_entry(Action.MFA_RESET)
    assert_target(entry, world.coordinator)
    assert entry.actor == superuser
    assert entry.details["removed"] == ["recovery_codes", "totp"]
    assert_no_personal_values(entry, "Handy", "Koordinat")


# -- logins ---------------------------------------------------------------------------------------------
def test_a_login_is_recorded(client, world):
    client.post(reverse("account_login"), {"login": "lotse.owl@example.org", "password": f.TEST_PASSWORD})
    entry = only_entry(Action.LOGIN)
    assert entry.actor == world.lotse_a.user
    assert_target(entry, world.lotse_a.user)


@pytest.mark.parametrize("address", ["lotse.owl@example.org", "nobody.here@example.org"])
def test_a_failed_login_keeps_the_account_at_most_never_the_address(client, world, address):
    client.post(reverse("account_login"), {"login": address, "password": "falsch-falsch-falsch"})
    entry = only_entry(Action.LOGIN_FAILED)
    assert entry.actor is None
    known = address == "lotse.owl@example.org"
    assert entry.target_id == (str(world.lotse_a.user.pk) if known else "")
    assert_no_personal_values(entry, "lotse.owl", "nobody.here")
