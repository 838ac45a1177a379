"""The audit trail is append-only and records names, never values."""

import pytest
from django.urls import reverse

from audit.models import AppendOnlyError, AuditEntry
from audit.services import Action, record


def test_an_entry_takes_region_and_subject_from_its_target(world):
    entry = record(Action.VIEW_IBAN, actor=world.coordinator, target=world.lotse_a, fields=("iban",))
    entry.refresh_from_db()
    assert (entry.actor, entry.region, entry.subject) == (world.coordinator, world.owl, world.lotse_a)
    assert (entry.target_type, entry.target_id) == ("lotsen.lotse", str(world.lotse_a.pk))
    assert entry.details == {"fields": ["iban"]}
    claim_entry = record(Action.CLAIM_PAID, actor=world.coordinator, target=world.claim)
    assert (claim_entry.region_id, claim_entry.subject_id) == (world.owl.pk, world.lotse_a.pk)


def test_entries_are_never_changed_or_deleted(world):
    entry = record(Action.LOGIN, actor=world.staff)
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action=Action.LOGIN_FAILED)
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == Action.LOGIN


def test_details_are_plain_names_never_objects_and_actions_are_known(world):
    with pytest.raises(TypeError):
        record(Action.EXPORT_PERSONAL, actor=world.staff, who=world.lotse_a)
    with pytest.raises(ValueError):
        record("made_up", actor=world.staff)


def test_only_retention_purges_old_entries(world):
    from datetime import timedelta

    from django.utils import timezone

    record(Action.LOGIN, actor=world.staff)
    assert AuditEntry.objects.purge_older_than(timezone.now() - timedelta(days=1)) == 0
    assert AuditEntry.objects.purge_older_than(timezone.now() + timedelta(seconds=1)) == 1
    assert not AuditEntry.objects.exists()


def test_the_admin_shows_the_trail_read_only(client, world, django_user_model):
    superuser = django_user_model.objects.create_superuser("root@example.org", "a-long-password-2014")
    entry = record(Action.LOGIN, actor=world.staff)
    client.force_login(superuser)
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    page = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert (
        client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_visibility_follows_the_scoping_door(world):
    owl = record(Action.VIEW_IBAN, actor=world.coordinator, target=world.lotse_a)
    record(Action.LOGIN, actor=world.other_coordinator, region=world.siegen)
    assert list(AuditEntry.objects.visible_to(world.coordinator)) == [owl]
    assert list(AuditEntry.objects.owned_by(world.lotse_a.user)) == [owl]
    assert AuditEntry.objects.visible_to(world.staff).count() == 2
