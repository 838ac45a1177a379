"""Migration lotsen/0004: existing consultations get a record key each, not one shared key."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lotsen.models import Consultation
from portal.cellkey import KEY_SPACE
from tests import factories as f

BEFORE, AFTER = ("lotsen", "0004_lotse_bank_data_hold"), ("lotsen", "0005_consultation_cell_key")


def _migrate(*targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(list(targets))


@pytest.mark.django_db(transaction=True)
def test_existing_consultations_get_their_own_random_key(world):
    for _ in range(30):
        f.ConsultationFactory(lotse=world.lotse_a)
    count = Consultation.objects.count()
    # every app's last migration: going back in lotsen also unapplies the apps that depend on it
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        _migrate(BEFORE)  # the column is gone, the rows stay
        _migrate(AFTER)
    finally:
        _migrate(*latest)
    keys = list(Consultation.objects.values_list("cell_key", flat=True))
    assert len(keys) == count and all(0 <= key < KEY_SPACE for key in keys)
    # a default evaluated once by AddField would give every row the same key (and every cell the same noise)
    assert len(set(keys)) == count
