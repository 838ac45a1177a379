"""``{% contract_cap_warning contract as warning %}``: the cap warning next to a contract (Lotse page)."""

from django import template
from django.utils import timezone

from allowances import rules

register = template.Library()


@register.simple_tag(takes_context=True)
def contract_cap_warning(context, contract) -> str:
    """For an active monthly contract: the warning of allowances.rules.contract_cap_warning for the current
    year (or the year it starts in, if later), "" otherwise. The caps are loaded once per page."""
    if contract.status != contract.Status.ACTIVE:
        return ""
    caps = context.render_context.get("allowances_cap_table")
    if caps is None:
        caps = context.render_context["allowances_cap_table"] = rules.CapTable()
    year = max(timezone.localdate().year, contract.starts_on.year)
    return rules.contract_cap_warning(contract, year, caps=caps) or ""
