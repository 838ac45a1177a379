"""The languages every installation needs (reference data of the regions app).

Loaded by a data migration; ``ensure_languages`` reloads them where a test flushed the tables
(transactional tests with a live server empty every table afterwards).
"""

from regions.languages import LANGUAGES


def load_languages(language_model) -> None:
    for code, name_de, name_en in LANGUAGES:
        language_model.objects.update_or_create(code=code, defaults={"name_de": name_de, "name_en": name_en})


def ensure_languages() -> None:
    from regions.models import Language

    if Language.objects.count() < len(LANGUAGES):
        load_languages(Language)
