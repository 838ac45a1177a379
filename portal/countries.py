"""Country names for ``CountryField`` (django-countries), in German from a maintained source.

django-countries keeps the stored two-letter codes and the form field, but its German catalogue is stale
("Kirivati", "Papua Neu Guinea", "Saudi Arabien", "Mozambique"). The German names come from Debian's
iso-codes instead (shipped in pycountry, translated on Weblate and released several times a year), preferring
the everyday name where ISO has one ("Syrien", not "Syrien, Arabische Republik"). A code the German catalogue
does not translate keeps django-countries' name, so no English name slips into a German page.

``settings.COUNTRIES_OVERRIDE = country_names()`` hands django-countries one lazy name per code; each is
resolved in the language active when it is shown, so English pages keep django-countries' English names.
"""

import gettext
from functools import cache, partial

from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

#: Codes iso-codes leaves in English in its German catalogue: django-countries' German name is used instead.
ISO_CODES_GAPS = {"UM"}
#: Codes ISO 3166-1 has not assigned but people in the programme come from (user-assigned, as the EU uses).
EXTRA_COUNTRIES = {"XK": _("Kosovo")}


@cache
def _iso_codes_german() -> gettext.GNUTranslations:
    import pycountry

    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"])


@cache
def _iso_name(code: str) -> str | None:
    """The German name iso-codes gives the code, or None when it has none."""
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    if country is None or code in ISO_CODES_GAPS:
        return None
    catalogue = _iso_codes_german()
    for english in (getattr(country, "common_name", None), country.name):
        if english and english in catalogue._catalog:
            return catalogue.gettext(english)
    return None


def country_name(code: str) -> str:
    from django_countries import Countries
    from django_countries.data import COUNTRIES

    if (get_language() or "de").split("-")[0] == "de" and (german := _iso_name(code)):
        return german
    # django-countries' everyday name ("Syria", not "Syrian Arab Republic"), translated by its catalogue.
    return str(Countries.COMMON_NAMES.get(code) or COUNTRIES.get(code) or EXTRA_COUNTRIES[code])


def country_names() -> dict:
    """One lazily translated name per code, for ``COUNTRIES_OVERRIDE``."""
    from django_countries.data import COUNTRIES

    return {code: lazy(partial(country_name, code), str)() for code in [*COUNTRIES, *EXTRA_COUNTRIES]}
