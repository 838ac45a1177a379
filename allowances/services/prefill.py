"""What a Lotse's monthly allowance claim is prefilled with: the month's logged consultations and attended
training sessions, and what the contract gives for them (allowances.rules.proposal, which the same rules
accept unchanged).

The summary holds figures only (counts and hours), never anything about a client.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import ngettext

from allowances import rules
from allowances.models import Contract
from lotsen.models import Lotse
from portal.templatetags.portal import hours as format_hours


def summary(work: rules.MonthWork) -> str:
    """E.g. "12 consultations (9.5 h), 2 training sessions (6 h)"."""
    parts = [
        ngettext(
            "%(count)s consultation (%(hours)s h)",
            "%(count)s consultations (%(hours)s h)",
            work.consultations,
        )
        % {"count": work.consultations, "hours": format_hours(work.consultation_hours)}
    ]
    if work.trainings:
        parts.append(
            ngettext(
                "%(count)s training session (%(hours)s h)",
                "%(count)s training sessions (%(hours)s h)",
                work.trainings,
            )
            % {"count": work.trainings, "hours": format_hours(work.training_hours)}
        )
    return ", ".join(parts)


@dataclass(frozen=True)
class ClaimPrefill:
    activity: rules.MonthWork
    contract: Contract | None
    #: what the form proposes (None without a contract): accepted by rules.claim_problems as it is
    proposal: rules.Proposal | None

    @property
    def hours(self) -> Decimal:
        return rules.max_hours(self.activity)

    @property
    def suggested_amount(self) -> Decimal | None:
        return None if self.proposal is None else self.proposal.amount

    @property
    def activities(self) -> str:
        return summary(self.activity)

    def problems(self, *, amount: Decimal | None, hours: Decimal | None) -> dict[str, str]:
        """What the rules say about these figures for this month (the form's check)."""
        return rules.claim_problems(self.contract, amount=amount, hours=hours, work=self.activity)


def claim_prefill(*, lotse: Lotse, month: datetime.date) -> ClaimPrefill:
    work = rules.month_work(lotse=lotse, month=month)
    contract = rules.contract_for_month(lotse, month)
    return ClaimPrefill(
        activity=work,
        contract=contract,
        proposal=None if contract is None else rules.proposal(contract, work),
    )
