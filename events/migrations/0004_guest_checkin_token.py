import secrets

from django.db import migrations, models


def fill_checkin_tokens(apps, schema_editor):
    """Every existing guest gets a fresh random check-in secret (never the management token)."""
    GuestRegistration = apps.get_model("events", "GuestRegistration")
    for registration in GuestRegistration.objects.filter(checkin_token__isnull=True).only("pk").iterator():
        GuestRegistration.objects.filter(pk=registration.pk).update(checkin_token=secrets.token_urlsafe(32))


class Migration(migrations.Migration):
    dependencies = [("events", "0003_name_badge_batches")]

    operations = [
        migrations.AddField(
            model_name="guestregistration",
            name="checkin_token",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(fill_checkin_tokens, migrations.RunPython.noop),
    ]
