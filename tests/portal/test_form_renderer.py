"""portal.forms.FormRenderer writes selects in Python: the markup must be exactly Django's own."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from lotsen.models import Lotse
from portal.forms import FormRenderer
from tests.factories import LotseFactory


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("", "– bitte wählen –"), ("a", "A & B"), ("b", '"quoted" <b>')])
    grouped = forms.ChoiceField(
        choices=[("Obst", [("apple", "Apfel"), ("pear", "Birne")]), ("x", "Sonstiges <i>")],
        widget=forms.Select(attrs={"class": "wide", "data-x": 'a"b', "disabled": True, "hidden": False}),
    )
    several = forms.MultipleChoiceField(choices=[(1, "eins"), (2, "zwei"), (3, "drei")], required=False)
    yes_no = forms.NullBooleanField()
    # labels are printed as {{ }} prints them: localised; values as given, already-safe text not escaped twice
    amounts = forms.ChoiceField(
        choices=[(Decimal("1.5"), Decimal("1.5")), (mark_safe("a &amp; b"), datetime.date(2026, 1, 2))],
        required=False,
    )


def both(form_class, data=None, **kwargs):
    fast = form_class(data, renderer=FormRenderer(), **kwargs)
    stock = form_class(data, renderer=DjangoTemplates(), **kwargs)
    return fast, stock


@pytest.mark.parametrize(
    "data",
    [None, {"plain": "a", "grouped": "pear", "several": ["1", "3"], "yes_no": "true"}, {"plain": "<script>"}],
)
def test_selects_are_written_exactly_as_djangos_templates_write_them(data):
    fast, stock = both(Everything, data)
    for name in fast.fields:
        assert str(fast[name]) == str(stock[name]), name
    assert "&lt;b&gt;" in str(fast["plain"])  # labels are escaped
    assert 'data-x="a&quot;b"' in str(fast["grouped"]) and " disabled" in str(fast["grouped"])
    assert "hidden" not in str(fast["grouped"])
    assert ">1,5</option>" in str(fast["amounts"]) and 'value="a &amp; b"' in str(fast["amounts"])


def test_a_model_choice_with_a_chosen_lotse_is_the_same_markup():
    chosen = LotseFactory(first_name="Zoë", last_name="O'Neill")
    LotseFactory.create_batch(3)

    class PickLotse(forms.Form):
        lotse = forms.ModelChoiceField(queryset=Lotse.objects.order_by("last_name"))

    fast, stock = both(PickLotse, {"lotse": str(chosen.pk)})
    assert str(fast["lotse"]) == str(stock["lotse"])
    assert f'<option value="{chosen.pk}" selected>' in str(fast["lotse"])


def test_widgets_with_their_own_templates_render_the_usual_way():
    class Radios(forms.Form):
        choice = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)

    fast, stock = both(Radios)
    assert str(fast["choice"]) == str(stock["choice"])
    assert 'type="radio"' in str(fast["choice"])


def test_the_portal_uses_it(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "portal.forms.FormRenderer"
    assert isinstance(get_default_renderer(), FormRenderer)
