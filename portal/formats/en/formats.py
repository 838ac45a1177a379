"""English pages in British form: day before month (12/10/2026 is 12 October), 24-hour clock like the German
pages. Django's ``en`` formats are American (10/12/2026 4 p.m.); these start from ``en_GB`` and keep its
input formats (day first, ISO always accepted)."""

from django.conf.locale.en_GB.formats import *  # noqa: F403

TIME_FORMAT = "H:i"  # 16:00
DATETIME_FORMAT = "j M Y, H:i"  # 12 Oct 2026, 16:00
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 12/10/2026 16:00
