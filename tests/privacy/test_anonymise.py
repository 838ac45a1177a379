"""GDPR Art. 17: programme staff anonymise a Lotse who has left, keeping what tax law requires."""

import datetime
import os
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from allowances.models import AllowanceClaim
from audit.models import AuditEntry
from audit.services import Action, record
from lotsen.models import Lotse
from privacy.services import anonymise_lotse
from tests import factories as f

User = get_user_model()


@pytest.fixture
def leaver(world):
    """Lotse A has left; their claim was paid, their certificate PDF exists, a status note names a reason."""
    lotse = world.lotse_a
    Lotse.objects.filter(pk=lotse.pk).update(status="left", left_on=datetime.date(2025, 3, 31))
    AllowanceClaim.objects.filter(pk=world.claim.pk).update(
        status="paid", activities="Begleitung von Frau K. zum Jobcenter", amount=Decimal("60.00")
    )
    lotse.status_changes.create(
        status="left", effective_on=datetime.date(2025, 3, 31), note="Umzug nach Köln"
    )
    world.certificate.file.save("c.pdf", ContentFile(b"%PDF-1.7 Ayse"), save=True)
    record(Action.LOGIN, actor=lotse.user)
    lotse.refresh_from_db()
    return lotse


def _post(client, lotse, **data):
    return client.post(reverse("privacy:anonymise", args=[lotse.pk]), data)


def test_anonymising_clears_personal_data_and_keeps_the_claim_amounts(staff_client, world, leaver):
    user_pk, pdf = leaver.user_id, world.certificate.file.path
    response = _post(staff_client, leaver, confirm="on", name="ayşe  güllüoğlu")
    assert response.status_code == 302

    lotse = Lotse.objects.get(pk=leaver.pk)
    assert lotse.full_name == f"Anonymisiert #{lotse.pk}"
    assert (lotse.email, lotse.phone, lotse.iban, lotse.account_holder, lotse.availability) == ("",) * 5
    assert lotse.user is None and not lotse.languages.exists() and not lotse.organisations.exists()
    assert not User.objects.filter(pk=user_pk).exists()
    claim = AllowanceClaim.objects.get(pk=world.claim.pk)
    assert (claim.amount, claim.month, claim.status, claim.activities) == (
        Decimal("60.00"),
        world.claim.month,
        "paid",
        "",
    )
    assert lotse.contracts.get().rate == world.contract.rate
    assert lotse.consultations.count() == 1  # pseudonymous, still in the reports
    assert [c.note for c in lotse.status_changes.all()] == [""]
    certificate = lotse.certificates.get()
    assert not certificate.file and not os.path.exists(pdf)

    entry = AuditEntry.objects.get(action=Action.ANONYMISED)
    assert (entry.actor, entry.subject_id) == (world.staff, lotse.pk)
    assert entry.details["login"] == "deleted" and "iban" in entry.details["fields"]
    # the Lotse's own login entries stay, without the deleted login
    assert AuditEntry.objects.filter(action=Action.LOGIN, actor__isnull=True).count() == 1

    page = staff_client.get(reverse("lotsen:detail", args=[lotse.pk])).content.decode()
    assert "Güllüoğlu" not in page and f"Anonymisiert #{lotse.pk}" in page
    # erasing the bank data is no new payee: no hold, no "bank data changed" e-mail to the old address
    assert lotse.bank_data_changed_at is None
    assert not AuditEntry.objects.filter(action=Action.BANK_DATA_CHANGED, subject_id=lotse.pk).exists()
    assert mail.outbox == []


def test_refused_for_a_lotse_who_has_not_left(staff_client, world):
    page = staff_client.get(reverse("privacy:anonymise", args=[world.lotse_a.pk])).content.decode()
    assert 'id="anonymise-refused"' in page and "<form" not in page.split('id="anonymise-refused"')[1]
    response = _post(staff_client, world.lotse_a, confirm="on", name="Ayşe Güllüoğlu")
    assert response.status_code == 200
    assert Lotse.objects.get(pk=world.lotse_a.pk).last_name == "Güllüoğlu"
    assert not AuditEntry.objects.filter(action=Action.ANONYMISED).exists()
    with pytest.raises(ValidationError):
        anonymise_lotse(lotse=world.lotse_a, acting_user=world.staff)


def test_refused_without_confirmation_or_with_the_wrong_name(staff_client, leaver):
    for data in ({"name": "Ayşe Güllüoğlu"}, {"confirm": "on", "name": "Mehmet Şahin"}, {}):
        response = _post(staff_client, leaver, **data)
        assert response.status_code == 200 and response.context["form"].errors
    assert Lotse.objects.get(pk=leaver.pk).last_name == "Güllüoğlu"
    assert not AuditEntry.objects.filter(action=Action.ANONYMISED).exists()


def test_refused_while_a_claim_waits_for_payment(staff_client, world, leaver):
    AllowanceClaim.objects.filter(pk=world.claim.pk).update(status="approved")
    response = _post(staff_client, leaver, confirm="on", name="Ayşe Güllüoğlu")
    assert response.status_code == 200 and b'id="anonymise-refused"' in response.content
    assert Lotse.objects.get(pk=leaver.pk).anonymised_at is None


def test_only_programme_staff_anonymise(client, world, leaver):
    for user, status in ((world.coordinator, 403), (world.other_coordinator, 404)):
        client.force_login(user)
        assert _post(client, leaver, confirm="on", name="Ayşe Güllüoğlu").status_code == status
    assert Lotse.objects.get(pk=leaver.pk).anonymised_at is None


def test_a_login_with_other_rights_is_unlinked_not_deleted(world, leaver):
    f.CoordinationFactory(user=leaver.user, region=world.siegen)
    user_pk = leaver.user_id
    anonymise_lotse(lotse=leaver, acting_user=world.staff)
    assert User.objects.filter(pk=user_pk, is_active=True).exists()
    assert Lotse.objects.get(pk=leaver.pk).user is None
    assert AuditEntry.objects.get(action=Action.ANONYMISED).details["login"] == "unlinked"
