import datetime
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from allowances.models import AllowanceClaim
from events.models import Attendance
from lotsen.models import Consultation
from portal.cellkey import KEY_SPACE
from reports.privacy import perturbed
from tests import factories as f

YEAR = 2023


def seed_cell_keys(seed: int) -> None:
    """Give every consultation a record key from a fixed seed, so the perturbed figures are reproducible."""
    rng = random.Random(seed)
    for consultation in Consultation.objects.order_by("pk"):
        consultation.cell_key = rng.randrange(KEY_SPACE)
        consultation.save(update_fields=["cell_key"])


def shown(true_count: int, **filters) -> int:
    """What a report shows for ``true_count`` hand-counted consultations, the ones matching ``filters``.

    The hand count is checked against the fixture, then the published table perturbs it with the keys of
    exactly those consultations: a report that counts the wrong records gets a different key sum.
    """
    keys = list(Consultation.objects.filter(**filters).values_list("cell_key", flat=True))
    assert len(keys) == true_count, f"hand count {true_count}, fixture has {len(keys)} for {filters}"
    return perturbed(true_count, sum(keys))


@pytest.fixture
def figures(world):
    """Hand-counted figures for 2023 (the world's own records are in the current year).

    OWL (Lotse A): 12 consultations in March: 8 in person (job search), 3 by phone (job search + recognition),
    1 by video (other); 10 in Arabic, 2 in Turkish; 6 referred to the Jobcenter, 6 not referred.
    Siegen: 7 consultations in May, in person, application documents, Russian, no referral.
    One OWL training in April 2023 (3 hours) attended by Lotse A and B; one certificate issued in 2023 to the
    Siegen Lotse; Lotse A's claims: January and February paid (60 € each), March approved (60 €).
    """
    arabic, turkish, russian = f.language("ar"), f.language("tr"), f.language("ru")
    day = datetime.date(YEAR, 3, 10)

    def consult(lotse, **kwargs):
        defaults = {"date": day, "topic_job_search": False, "referral": None, "language": arabic}
        return f.ConsultationFactory(lotse=lotse, **{**defaults, **kwargs})

    for index in range(8):
        consult(world.lotse_a, topic_job_search=True, referral=world.partner if index < 6 else None)
    for index in range(3):
        consult(
            world.lotse_a,
            mode=Consultation.Mode.PHONE,
            topic_job_search=True,
            topic_recognition=True,
            language=turkish if index < 2 else arabic,
        )
    consult(world.lotse_a, mode=Consultation.Mode.VIDEO, topic_other=True)
    for _ in range(7):
        consult(world.lotse_siegen, date=datetime.date(YEAR, 5, 2), topic_application=True, language=russian)

    tz = timezone.get_current_timezone()
    training = f.EventFactory(
        region=world.owl,
        starts_at=datetime.datetime(YEAR, 4, 5, 17, tzinfo=tz),
        ends_at=datetime.datetime(YEAR, 4, 5, 20, tzinfo=tz),
        hours_credited=Decimal("3.0"),
    )
    for lotse in (world.lotse_a, world.lotse_b):
        f.AttendanceFactory(event=training, lotse=lotse, status=Attendance.Status.ATTENDED)
    f.CertificateFactory(
        lotse=world.lotse_siegen, programme_year=YEAR, issued_at=datetime.datetime(YEAR, 12, 1, 10, tzinfo=tz)
    )
    for month, status in ((1, "paid"), (2, "paid"), (3, "approved")):
        f.AllowanceClaimFactory(
            lotse=world.lotse_a,
            contract=world.contract,
            month=datetime.date(YEAR, month, 1),
            amount=Decimal("60.00"),
            status=getattr(AllowanceClaim.Status, status.upper()),
        )
    seed_cell_keys(YEAR)
    return world
