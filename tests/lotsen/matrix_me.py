"""Role matrix of the Lotse's self-service (/me/): Lotsen only; another Lotse's rows are a 404."""

import uuid

from django.utils import timezone

from events.models import Attendance
from lotsen.models import Consultation
from tests.matrix import LA, LB, LOTSEN_ONLY, Case, expect

#: A POST that a Lotse may send and that ends in a redirect (saved, or refused with a message).
LOTSEN_POST = expect(lotse_a=302, lotse_b=302, coordinator=403, other_coordinator=403, staff=403)
#: Lotse A's own row: Lotse B gets 404, non-Lotsen 403 (the /me/ pages are not theirs at all).
OWN_ROW = expect(lotse_a=200, lotse_b=404, coordinator=403, other_coordinator=403, staff=403)
OWN_ROW_POST = expect(lotse_a=302, lotse_b=404, coordinator=403, other_coordinator=403, staff=403)


def consultation_data(w, **extra):
    data = {
        "date": timezone.localdate().isoformat(),
        "duration_minutes": "45",
        "mode": "phone",
        "topics": ["job_search", "recognition"],
        "age_band": "25_34",
        "gender": "f",
        "country_of_origin": "SY",
        "time_in_germany": "1_3",
        "referral": str(w.partner.pk),
    }
    data.update(extra)
    return data


def this_month(w):
    today = timezone.localdate()
    return {"year": today.year, "month": today.month}


CASES = [
    Case("me:consultations", LOTSEN_ONLY),
    Case("me:consultations", LOTSEN_ONLY, query="?month=2020-01"),
    Case("me:consultation_create", LOTSEN_ONLY),
    Case(
        "me:consultation_create",
        LOTSEN_POST,
        method="post",
        data=lambda w: consultation_data(w, submission_key=str(uuid.uuid4())),
    ),
    Case("me:consultation_edit", OWN_ROW, kwargs=lambda w: {"pk": w.consultation.pk}),
    Case(
        "me:consultation_edit",
        OWN_ROW_POST,
        kwargs=lambda w: {"pk": w.consultation.pk},
        method="post",
        data=consultation_data,
    ),
    Case("me:consultation_delete", OWN_ROW, kwargs=lambda w: {"pk": w.consultation.pk}),
    Case(
        "me:consultation_delete",
        OWN_ROW_POST,
        kwargs=lambda w: {"pk": w.consultation.pk},
        method="post",
        wrote=lambda w: not Consultation.objects.filter(pk=w.consultation.pk).exists(),
        writers=frozenset({LA}),
    ),
    Case("me:claims", LOTSEN_ONLY),
    Case("me:claim_month", LOTSEN_ONLY, kwargs=this_month),
    Case(
        "me:claim_month",
        LOTSEN_POST,
        kwargs=this_month,
        method="post",
        data=lambda w: {"hours": "0", "amount": "0", "action": "save"},
    ),
    Case(
        "me:claim_month",
        expect(lotse_a=404, lotse_b=404, coordinator=403, other_coordinator=403, staff=403),
        kwargs=lambda w: {"year": 2020, "month": 13},
    ),
    Case("me:profile", LOTSEN_ONLY),
    Case(
        "me:profile",
        LOTSEN_POST,
        method="post",
        data=lambda w: {"email": "kontakt@example.org", "phone": "0521 123456", "availability": "Montags"},
    ),
    Case("me:events", LOTSEN_ONLY),
    Case(
        "me:event_register",
        LOTSEN_POST,
        kwargs=lambda w: {"pk": w.event.pk},
        method="post",
        # Lotse A is registered already (registering twice changes nothing); Lotse B gets a place.
        wrote=lambda w: Attendance.objects.filter(event=w.event, lotse=w.lotse_b).exists(),
        writers=frozenset({LB}),
    ),
    Case(
        "me:event_register",
        expect(lotse_a=404, lotse_b=404, coordinator=403, other_coordinator=403, staff=403),
        kwargs=lambda w: {"pk": w.event_siegen.pk},
        method="post",
    ),
    Case(
        "me:event_cancel",
        OWN_ROW_POST,
        kwargs=lambda w: {"pk": w.event.pk},
        method="post",
        wrote=lambda w: not Attendance.objects.filter(pk=w.attendance.pk).exists(),
        writers=frozenset({LA}),
    ),
]
