from datetime import date
from decimal import Decimal

from django.db import migrations

# Yearly tax-free caps (§ 3 Nr. 26a and Nr. 26 EStG): a dated table, so a future change is a new row.
CAPS = [
    ("ehrenamt", date(2013, 1, 1), Decimal("720")),
    ("ehrenamt", date(2021, 1, 1), Decimal("840")),
    ("ehrenamt", date(2026, 1, 1), Decimal("960")),
    ("uebungsleiter", date(2013, 1, 1), Decimal("2400")),
    ("uebungsleiter", date(2021, 1, 1), Decimal("3000")),
    ("uebungsleiter", date(2026, 1, 1), Decimal("3300")),
]


def load_caps(apps, schema_editor):
    TaxAllowanceCap = apps.get_model("lotsen", "TaxAllowanceCap")
    for kind, valid_from, amount in CAPS:
        TaxAllowanceCap.objects.update_or_create(kind=kind, valid_from=valid_from, defaults={"amount": amount})


class Migration(migrations.Migration):
    dependencies = [("lotsen", "0001_initial")]
    operations = [migrations.RunPython(load_caps, migrations.RunPython.noop)]
