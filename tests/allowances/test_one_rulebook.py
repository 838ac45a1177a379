"""No money rule exists in two places (issue #12): the code outside allowances/rules.py does not compute a
limit, look up a cap or decide payability itself. A code-reading guard, like tests/test_scoping_door.py."""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
RULES = "allowances/rules.py"

#: pattern -> (what it means, files besides rules.py that may contain it, and why)
FORBIDDEN = {
    r"TaxAllowanceCap\.objects": (
        "looks up a cap",
        {"allowances/reference_data.py"},
    ),
    r"\.rate\s*\*|\*\s*[\w.]*\.rate\b": ("computes a limit from a contract rate", set()),
    r"status__in=\[\s*(AllowanceClaim\.)?Status\.APPROVED": ("lists what counts against the cap", set()),
    # the hold is the Lotse app's and pages show it; why it stops a payment only rules.why_not_payable says
    r"bank_data_hold_reason\(": (
        "names why a payment waits for new bank data",
        {"lotsen/services/bank_data.py"},
    ),
    r"\bdef (amount_limit|_check_amount|cap_status|contract_for_month)\b": ("redefines a rule", set()),
}


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "tests/", "benchmarks/")) or "/migrations/" in relative:
            continue
        if relative in {RULES, "reports/management/commands/seed_scale.py"}:
            continue
        yield relative, path.read_text(encoding="utf-8")


@pytest.mark.parametrize("pattern", sorted(FORBIDDEN))
def test_money_rules_live_only_in_allowances_rules(pattern):
    meaning, allowed = FORBIDDEN[pattern]
    offenders = [
        relative for relative, text in _sources() if relative not in allowed and re.search(pattern, text)
    ]
    assert not offenders, f"{meaning} outside {RULES}: {offenders}"


def test_the_guard_finds_what_it_forbids():
    samples = {
        r"TaxAllowanceCap\.objects": "cap = TaxAllowanceCap.objects.filter(kind=kind)",
        r"\.rate\s*\*|\*\s*[\w.]*\.rate\b": "limit = contract.rate * hours",
        r"status__in=\[\s*(AllowanceClaim\.)?Status\.APPROVED": "qs.filter(status__in=[Status.APPROVED, x])",
        r"bank_data_hold_reason\(": "skipped.append((claim, bank_data_hold_reason(lotse)))",
        r"\bdef (amount_limit|_check_amount|cap_status|contract_for_month)\b": "def amount_limit(c):",
    }
    assert set(samples) == set(FORBIDDEN)
    for pattern, sample in samples.items():
        assert re.search(pattern, sample), pattern
