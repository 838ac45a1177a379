"""Small helpers shared by the forms and views of every app."""

import datetime
import functools

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext_lazy as _


def apply_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError next to the field it names, or above the form.

    Services check their invariants again under a row lock, so a form that validated can still fail there;
    the user then sees the message in the same place as a form error.
    """
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


#: What an empty choice says instead of Django's "---------" (filters: "Alle", FILTERS_EMPTY_CHOICE_LABEL).
EMPTY_CHOICE_LABEL = _("– please choose –")
DASHES = "---------"


def label_empty_choices(form: forms.BaseForm) -> None:
    """Give the empty choice of every select a word ("– bitte wählen –") instead of Django's "---------"."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == DASHES:
                field.empty_label = EMPTY_CHOICE_LABEL
        elif isinstance(field, forms.ChoiceField) and not isinstance(field.widget, forms.RadioSelect):
            choices = field.choices
            if isinstance(choices, list) and any(label == DASHES for _value, label in choices):
                field.choices = [
                    (value, EMPTY_CHOICE_LABEL if label == DASHES else label) for value, label in choices
                ]


SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attributes(attrs: dict) -> str:
    """django/forms/widgets/attrs.html in Python: name="value", a bare name for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _shown(value) -> str:
    """What {{ value }} prints: localised (numbers, dates) and escaped unless already safe."""
    return conditional_escape(localize(template_localtime(value)))


def _select(widget: dict) -> SafeString:
    """The markup of Django's select.html and select_option.html, written without a template per option.
    Everything that comes from outside is escaped here (names, values, labels) as the templates would."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attributes(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        parts.extend(
            f'\n  <option value="{conditional_escape(option["value"])}"{_attributes(option["attrs"])}>'
            f"{_shown(option['label'])}</option>\n"
            for option in options
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 (every value from outside is escaped above)


class FormRenderer(DjangoTemplates):
    """Django's form renderer, except that a select is written in Python: the stock template includes a
    template per option, which made a claims queue with a filter of some hundred Lotsen spend four fifths of
    its time on that one field (``make bench-load``). The markup is the same
    (tests/portal/test_form_renderer.py compares both); selects with their own templates go the usual way."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if (
            template_name == SELECT_TEMPLATE
            and widget is not None
            and all(
                option["template_name"] == OPTION_TEMPLATE
                for _group, options, _index in widget["optgroups"]
                for option in options
            )
        ):
            return _select(widget)
        return super().render(template_name, context, request)


class CheckboxList(forms.CheckboxSelectMultiple):
    """Several choices as a list of checkboxes under a legend (includes/field.html), never a Ctrl-click list
    box; a long list gets a filter-as-you-type box above it (static/js/checkbox-filter.js, so without
    JavaScript it is a plain list). Languages and areas of expertise use the same widget everywhere."""

    template_name = "portal/widgets/checkbox_list.html"
    #: From how many choices on the list gets a search box.
    searchable_from = 10

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        count = sum(len(options) for _group, options, _index in context["widget"]["optgroups"])
        context["widget"]["searchable"] = count >= self.searchable_from
        return context


#: The years a date typed into any form of the portal may have. The programme's data starts around 2010 and
#: birth dates go back further; anything outside is a typing error (and year 0001 or 9999 would overflow the
#: date arithmetic of months and periods, or the conversion to UTC).
MIN_YEAR, MAX_YEAR = 1900, 2100


def validate_sane_year(value: datetime.date) -> None:
    """Dates (and date-times) must lie between MIN_YEAR and MAX_YEAR."""
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(
            _("Please enter a date between the years %(min)s and %(max)s."),
            code="year_out_of_range",
            params={"min": MIN_YEAR, "max": MAX_YEAR},
        )


def _key_fits_database(field: forms.ModelChoiceField, value) -> bool:
    """False for a number the key column of ``field``'s model cannot hold (SQLite raises OverflowError)."""
    model = field.queryset.model
    key = model._meta.get_field(field.to_field_name) if field.to_field_name else model._meta.pk
    if not isinstance(key, models.IntegerField):
        return True
    try:
        number = int(str(value))
    except ValueError:
        return True  # not a number at all: Django's own lookup refuses it as an invalid choice
    low, high = connection.ops.integer_field_range(key.get_internal_type())
    return (low is None or number >= low) and (high is None or number <= high)


class BoundedKeysMixin:
    """For ModelChoiceField and ModelMultipleChoiceField (and django-filter's subclasses of them): ids beyond
    the key column's range are an invalid choice, with the field's normal message."""

    def _refuse_out_of_range(self, values) -> None:
        for value in values:
            if value not in self.empty_values and not _key_fits_database(self, value):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
                )

    def to_python(self, value):
        if not isinstance(value, list | tuple):
            self._refuse_out_of_range([value])
        return super().to_python(value)

    def _check_values(self, value):
        self._refuse_out_of_range(value)
        return super()._check_values(value)


@functools.cache
def _bounded_class(field_class: type) -> type:
    if issubclass(field_class, BoundedKeysMixin):
        return field_class
    return type(f"Bounded{field_class.__name__}", (BoundedKeysMixin, field_class), {})


def harden_fields(form: forms.BaseForm) -> None:
    """Make every field of ``form`` refuse odd input with its normal message instead of a 500.

    Called when the form is validated (after the form's own ``__init__`` has changed querysets or added
    fields): dates outside MIN_YEAR..MAX_YEAR are an error, and ids beyond the database's integer range are an
    invalid choice. Used by ``Form``, ``ModelForm`` and the FilterSets' forms (portal.filters.FilterSet).
    """
    for field in form.fields.values():
        if isinstance(field, forms.DateField | forms.DateTimeField | forms.SplitDateTimeField):
            if validate_sane_year not in field.validators:
                field.validators.append(validate_sane_year)
        elif isinstance(field, forms.ModelChoiceField):
            field.__class__ = _bounded_class(type(field))


class HardenedFormMixin:
    """Every form of the portal: odd input (year 9999, a 25-digit id) is a form error, never a 500; an empty
    choice says "– bitte wählen –" instead of "---------"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_empty_choices(self)

    def full_clean(self):
        harden_fields(self)
        super().full_clean()


class Form(HardenedFormMixin, forms.Form):
    pass


class ModelForm(HardenedFormMixin, forms.ModelForm):
    pass


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
