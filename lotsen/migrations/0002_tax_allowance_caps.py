from django.db import migrations


def load_caps(apps, schema_editor):
    from allowances.reference_data import load_tax_allowance_caps

    load_tax_allowance_caps(apps.get_model("lotsen", "TaxAllowanceCap"))


class Migration(migrations.Migration):
    dependencies = [("lotsen", "0001_initial")]
    operations = [migrations.RunPython(load_caps, migrations.RunPython.noop)]
