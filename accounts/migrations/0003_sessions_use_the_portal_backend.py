"""Sessions logged in through Django's ModelBackend name it; it was replaced by accounts.backends.PortalBackend
(the same login, with the Lotse record read alongside). Without this, everybody would be logged out once by
the deployment: Django ends a session whose backend is no longer in AUTHENTICATION_BACKENDS."""

from django.db import migrations

OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "accounts.backends.PortalBackend"
KEY = "_auth_user_backend"


def _rename(apps, old: str, new: str) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    Session = apps.get_model("sessions", "Session")
    for session in Session.objects.iterator(chunk_size=500):
        data = store.decode(session.session_data)  # {} for a session it cannot read (another SECRET_KEY)
        if data.get(KEY) == old:
            data[KEY] = new
            Session.objects.filter(pk=session.pk).update(session_data=store.encode(data))


def forwards(apps, schema_editor):
    _rename(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _rename(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_mfa_reset"), ("sessions", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
