from django.db import migrations


def load_languages(apps, schema_editor):
    from regions.reference_data import load_languages

    load_languages(apps.get_model("regions", "Language"))


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load_languages, migrations.RunPython.noop)]
