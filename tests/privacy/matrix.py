"""Role matrix of the data-subject rights: the Lotse's own copy, staff's copy for a Lotse, anonymising."""

import datetime

from lotsen.models import Lotse
from tests import factories as f
from tests.matrix import LOTSEN_ONLY, ST, Case, expect

#: staff only; a Lotse on their own record and the OWL coordinator see the record (403), the others 404
STAFF_ON_LOTSE_A = expect(lotse_a=403, lotse_b=404, coordinator=403, other_coordinator=404)


def _leaver(w) -> Lotse:
    lotse = Lotse.objects.filter(region=w.owl, first_name="Lea", last_name="Weggang").first()
    return lotse or f.LotseFactory(
        region=w.owl,
        first_name="Lea",
        last_name="Weggang",
        status="left",
        left_on=datetime.date(2025, 3, 31),
        user=None,
    )


CASES = [
    Case("privacy:my_data", LOTSEN_ONLY, fresh=True),
    # without a fresh login the Lotse is sent to confirm the password first
    Case(
        "privacy:my_data", expect(lotse_a=302, lotse_b=302, coordinator=403, other_coordinator=403, staff=403)
    ),
    Case("privacy:lotse_data", STAFF_ON_LOTSE_A, kwargs=lambda w: {"pk": w.lotse_a.pk}, fresh=True),
    Case("privacy:anonymise", STAFF_ON_LOTSE_A, kwargs=lambda w: {"pk": w.lotse_a.pk}),
    Case(
        "privacy:anonymise",
        expect(lotse_a=404, lotse_b=404, coordinator=403, other_coordinator=404, staff=302),
        method="post",
        kwargs=lambda w: {"pk": _leaver(w).pk},
        data=lambda w: {"confirm": "on", "name": "Lea Weggang"},
        wrote=lambda w: Lotse.objects.filter(region=w.owl, anonymised_at__isnull=False).exists(),
        writers=frozenset({ST}),
    ),
]
