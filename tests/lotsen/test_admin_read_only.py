"""Claims, consultations and certificates have business rules the admin would skip (claim state machine,
14-day consultation lock, certificate rendering and verification, audit fields): programme staff may only
look at them in the admin; the superuser can still repair data (but not add or delete a row that only a
workflow makes)."""

import pytest
from django.urls import reverse

from accounts.models import User
from allowances.models import AllowanceClaim
from certificates.models import CertificateBatch
from lotsen.models import Consultation

MODELS = [
    "allowances.allowanceclaim",
    "lotsen.consultation",
    "certificates.certificate",
    "certificates.certificatebatch",
]


def _object(world, model: str):
    if model == "certificates.certificatebatch":
        return CertificateBatch.objects.create(
            region=world.owl, programme_year=2026, requested_by=world.staff
        )
    return {
        "allowances.allowanceclaim": world.claim,
        "lotsen.consultation": world.consultation,
        "certificates.certificate": world.certificate,
    }[model]


def _url(model: str, view: str, *args) -> str:
    return reverse("admin:{}_{}_{}".format(*model.split("."), view), args=args)


@pytest.mark.parametrize("model", MODELS)
def test_programme_staff_see_the_record_read_only(client, world, model):
    obj = _object(world, model)
    client.force_login(world.staff)
    change = client.get(_url(model, "change", obj.pk))
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    assert client.get(_url(model, "changelist")).status_code == 200
    assert client.post(_url(model, "change", obj.pk), {}).status_code == 403
    assert client.get(_url(model, "add")).status_code == 403
    assert client.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


#: rows made and removed only by their workflow's services (tests/allowances/test_admin_workflow.py)
WORKFLOW_MODELS = {"allowances.allowanceclaim", "certificates.certificate", "certificates.certificatebatch"}


@pytest.mark.parametrize("model", MODELS)
def test_the_superuser_can_still_repair_data(client, world, model):
    obj = _object(world, model)
    client.force_login(User.objects.create_superuser("root@example.org", "a-long-password-2014"))
    assert b'name="_save"' in client.get(_url(model, "change", obj.pk)).content
    expected = 403 if model in WORKFLOW_MODELS else 200
    assert client.get(_url(model, "add")).status_code == expected
    assert client.get(_url(model, "delete", obj.pk)).status_code == expected


def test_the_superuser_can_repair_a_consultation(client, world):
    """A real save through the admin form: the superuser corrects a locked consultation's duration."""
    consultation = world.consultation
    client.force_login(User.objects.create_superuser("root@example.org", "a-long-password-2014"))
    form = client.get(_url("lotsen.consultation", "change", consultation.pk)).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        data[name] = [v.pk if hasattr(v, "pk") else v for v in value] if isinstance(value, list) else value
    data["duration_minutes"] = 75
    response = client.post(_url("lotsen.consultation", "change", consultation.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    consultation.refresh_from_db()
    assert consultation.duration_minutes == 75
    assert AllowanceClaim.objects.filter(pk=world.claim.pk).exists()
    assert Consultation.objects.count() == 1
