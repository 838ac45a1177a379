"""Shared django-filter pieces."""

import django_filters
from django.db.models import Q
from django.forms.utils import pretty_name
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy

YES_NO = [("yes", gettext_lazy("yes")), ("no", gettext_lazy("no"))]


def search_words(queryset, fields: tuple[str, ...], value: str):
    """Every word must appear in one of the fields (so "Ayşe Gül" finds Ayşe Güllüoğlu)."""
    for word in value.split()[:5]:
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset


def _descending(label) -> str:
    return gettext("%s (descending)") % label


_descending_lazy = lazy(_descending, str)


class OrderingFilter(django_filters.OrderingFilter):
    """django-filter's OrderingFilter with "… (descending)" labels translated when shown.

    The stock filter builds them with ``%`` when the FilterSet class is created (at import time), which
    freezes the "descending" labels in the language active then: German text in the English UI.

    Labels may be keyed by the model field (django-filter's convention) or by the parameter; a label found
    under neither would be the parameter's English ``pretty_name`` ("Since", "Submitted") in a German page.
    """

    def build_choices(self, fields, labels):
        ascending = [
            (param, capfirst(labels[field] if field in labels else labels.get(param, pretty_name(param))))
            for field, param in fields.items()
        ]
        descending = [
            (f"-{param}", labels.get(f"-{param}", _descending_lazy(label))) for param, label in ascending
        ]
        return [choice for pair in zip(ascending, descending, strict=True) for choice in pair]


class FilterSet(django_filters.FilterSet):
    """The FilterSet of every list: its form refuses odd input like any form (portal.forms.harden_fields)."""

    def get_form_class(self):
        from portal.forms import HardenedFormMixin

        form_class = super().get_form_class()
        if issubclass(form_class, HardenedFormMixin):
            return form_class
        return type(form_class.__name__, (HardenedFormMixin, form_class), {})
