"""Organisation and partner names are unique per region whatever their case, on SQLite as on PostgreSQL:
a stored case-folded key (portal.text.folded) under the unique constraint instead of the raw name."""

from django.db import migrations, models

from portal.text import folded


def fill_keys(apps, schema_editor):
    for model_name in ("Organisation", "PartnerInstitution"):
        model = apps.get_model("organisations", model_name)
        rows = list(model.objects.only("pk", "name"))
        for row in rows:
            row.name_key = folded(row.name)
        model.objects.bulk_update(rows, ["name_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="name_key",
            field=models.CharField(default="", editable=False, max_length=400),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="partnerinstitution",
            name="name_key",
            field=models.CharField(default="", editable=False, max_length=400),
            preserve_default=False,
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="organisation", name="organisation_name_per_region"),
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.UniqueConstraint(fields=("region", "name_key"), name="organisation_name_per_region"),
        ),
        migrations.RemoveConstraint(model_name="partnerinstitution", name="partner_name_per_region"),
        migrations.AddConstraint(
            model_name="partnerinstitution",
            constraint=models.UniqueConstraint(fields=("region", "name_key"), name="partner_name_per_region"),
        ),
    ]
