from django.db import migrations


def load_languages(apps, schema_editor):
    from regions.languages import LANGUAGES

    Language = apps.get_model("regions", "Language")
    for code, name_de, name_en in LANGUAGES:
        Language.objects.update_or_create(code=code, defaults={"name_de": name_de, "name_en": name_en})


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load_languages, migrations.RunPython.noop)]
