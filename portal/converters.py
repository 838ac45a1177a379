"""Bounded path converters, registered once for every urls.py of the project.

Django's ``<int:...>`` matches any number of digits, so ``/claims/99999999999999999999999/`` reached the
database and overflowed there (a 500 on SQLite). These converters match only what can be a row id, a year
or a month; anything else does not match the pattern at all and is a 404.
"""

from django.urls import register_converter


class IdConverter:
    """A row id: up to 18 digits, always inside a 64-bit signed integer (the widest primary key we use)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


class YearConverter(IdConverter):
    regex = "[0-9]{4}"


class MonthConverter(IdConverter):
    regex = "[0-9]{1,2}"


register_converter(IdConverter, "id")
register_converter(YearConverter, "year")
register_converter(MonthConverter, "month")
