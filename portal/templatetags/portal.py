from decimal import Decimal

from django import template
from django.utils.formats import number_format

from portal.numbers import normalise

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs) -> str:
    """The current query string with some parameters replaced: keeps filters and sort when paging."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def hours(value) -> str:
    """Hours with a decimal comma in German and at most one decimal: 2,5 / 3."""
    if value is None:
        return ""
    # Half up, as everywhere else (3.25 h is "3,3" on every page, not "3,2" here and "3,3" there).
    value = normalise(Decimal(value), "hours")
    if value == value.to_integral():
        return number_format(value, 0)
    return number_format(value, 1)
