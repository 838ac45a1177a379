"""The record key of the reports' cell-key method: a random key for every consultation.

A field default is evaluated once by AddField (every existing row would get the same key, and the noise would
no longer be random), so the field is added empty, each row gets its own random key, and only then is it
made required.
"""

import secrets

from django.db import migrations, models

import portal.cellkey

KEY_SPACE = 2**31  # portal.cellkey.KEY_SPACE when this migration was written
BATCH = 2000


def backfill_keys(apps, schema_editor):
    Consultation = apps.get_model("lotsen", "Consultation")
    rows = Consultation.objects.using(schema_editor.connection.alias).filter(cell_key__isnull=True)
    while batch := list(rows.only("pk")[:BATCH]):
        for row in batch:
            row.cell_key = secrets.randbelow(KEY_SPACE)
        Consultation.objects.using(schema_editor.connection.alias).bulk_update(batch, ["cell_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("lotsen", "0004_lotse_bank_data_hold"),
    ]

    operations = [
        migrations.AddField(
            model_name="consultation",
            name="cell_key",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.RunPython(backfill_keys, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="consultation",
            name="cell_key",
            field=models.PositiveIntegerField(default=portal.cellkey.new_record_key, editable=False),
        ),
    ]
