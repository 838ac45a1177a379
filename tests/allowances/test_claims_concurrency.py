"""Two coordinators deciding the same claim at once: the row lock lets exactly one win."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import translation

from allowances.models import AllowanceClaim
from allowances.services.claims import approve_claim, reject_claim
from tests.conftest import requires_postgres

HOLD_SECONDS = 0.6


@requires_postgres
@pytest.mark.parametrize("second", ["approve", "reject"])
def test_two_coordinators_deciding_at_once(transactional_db, world, second):
    claim = world.claim
    first_holds_lock = threading.Event()
    outcomes: dict[str, object] = {}

    def first():
        try:
            with translation.override("en"), transaction.atomic():
                approve_claim(claim=claim, acting_user=world.coordinator)
                first_holds_lock.set()
                time.sleep(HOLD_SECONDS)  # still inside the transaction: the row stays locked
            outcomes["first"] = "ok"
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcomes["first"] = exc
        finally:
            first_holds_lock.set()
            connection.close()

    def second_decision():
        first_holds_lock.wait(5)
        started = time.monotonic()
        try:
            translation.activate("en")
            if second == "approve":
                approve_claim(claim=claim, acting_user=world.staff)
            else:
                reject_claim(claim=claim, reason="Doppelt eingereicht.", acting_user=world.staff)
            outcomes["second"] = "ok"
        except Exception as exc:  # noqa: BLE001
            outcomes["second"] = exc
        finally:
            outcomes["waited"] = time.monotonic() - started
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second_decision)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert outcomes["first"] == "ok"
    assert isinstance(outcomes["second"], ValidationError)
    assert "already been decided" in " ".join(outcomes["second"].messages)
    assert outcomes["waited"] >= HOLD_SECONDS / 2  # it waited for the first one's lock
    claim.refresh_from_db()
    assert claim.status == AllowanceClaim.Status.APPROVED
    assert claim.decided_by == world.coordinator
    assert claim.rejection_reason == ""
