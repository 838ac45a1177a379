"""Reads behind certificates: who is eligible, and what goes on a certificate."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from certificates.content import CertificateData, Session
from certificates.models import Certificate
from events.models import Attendance, Event
from lotsen.models import Lotse


def attended_training_filter(programme_year: int, prefix: str = "attendances__") -> Q:
    """Attendances that count for a certificate: attended training sessions of the programme year."""
    return Q(
        **{
            f"{prefix}status": Attendance.Status.ATTENDED,
            f"{prefix}event__kind__in": Event.TRAINING_KINDS,
            f"{prefix}event__starts_at__year": programme_year,
        }
    )


def lotsen_with_training_record(lotsen: QuerySet[Lotse], *, programme_year: int) -> QuerySet[Lotse]:
    """Annotate attended training sessions and hours, the region's requirement, and whether a valid
    certificate already exists for the year, all in the one query of the queryset."""
    counted = attended_training_filter(programme_year)
    return lotsen.annotate(
        trainings_attended=Count("attendances", filter=counted),
        hours_attended=Coalesce(
            Sum("attendances__event__hours_credited", filter=counted),
            Value(0),
            output_field=DecimalField(max_digits=6, decimal_places=1),
        ),
        trainings_required=Coalesce(
            F("region__min_trainings_for_certificate"), Value(settings.CERTIFICATE_MIN_TRAININGS_DEFAULT)
        ),
        has_valid_certificate=Exists(
            Certificate.objects.valid().filter(lotse=OuterRef("pk"), programme_year=programme_year)
        ),
    )


def eligible_lotsen(
    lotsen: QuerySet[Lotse], *, programme_year: int, event: Event | None = None
) -> QuerySet[Lotse]:
    """Lotsen (from an already scoped queryset) who attended at least the region's number of training
    sessions in the programme year. With an event: only its participants (e.g. the closing event).

    One query: the counts are annotations, the event's participants a subquery (a join on attendances
    would multiply the counted rows)."""
    if event is not None:
        participants = Attendance.objects.filter(
            event=event, status__in=[Attendance.Status.REGISTERED, Attendance.Status.ATTENDED]
        ).values("lotse_id")
        lotsen = lotsen.filter(pk__in=participants)
    return (
        lotsen_with_training_record(lotsen, programme_year=programme_year)
        .filter(trainings_attended__gte=F("trainings_required"))
        .order_by("last_name", "first_name", "pk")
    )


def batch_candidates(*, acting_user) -> QuerySet[Lotse]:
    """Everyone any batch of the user may be for: the Lotsen they may edit, never the user themself
    (portal.access.forbid_self), nobody anonymised (no person left to certify). The start page counts the
    certificates due among them."""
    return (
        Lotse.objects.editable_by(acting_user)
        .exclude(user_id=acting_user.pk)
        .filter(anonymised_at__isnull=True)
    )


def batch_scope(*, acting_user, region=None, event=None) -> QuerySet[Lotse]:
    """The Lotsen a batch is for: the user's batch_candidates of the region or among the event's
    participants. The batch issues for the eligible among them; its preview lists them all."""
    lotsen = batch_candidates(acting_user=acting_user)
    if event is not None:
        participants = Attendance.objects.filter(
            event=event, status__in=[Attendance.Status.REGISTERED, Attendance.Status.ATTENDED]
        ).values("lotse_id")
        return lotsen.filter(pk__in=participants)
    if region is not None:
        return lotsen.filter(region=region)
    return lotsen.none()


def batch_preview(lotsen: QuerySet[Lotse], *, programme_year: int) -> QuerySet[Lotse]:
    """Everyone of a batch's scope (batch_scope) with their count against the requirement ("2 of 3") and
    whether the batch issues for them (``eligible``); one query. Lotsen who left without a training session
    in the year are left out: there is nothing to tell about them."""
    return (
        lotsen_with_training_record(lotsen, programme_year=programme_year)
        .exclude(Q(status=Lotse.Status.LEFT) & Q(trainings_attended=0))
        .annotate(
            eligible=ExpressionWrapper(
                Q(trainings_attended__gte=F("trainings_required")), output_field=BooleanField()
            ),
            trainings_missing=Greatest(F("trainings_required") - F("trainings_attended"), Value(0)),
        )
        .select_related("region")
        .order_by("last_name", "first_name", "pk")
    )


def training_record(lotse: Lotse, *, programme_year: int):
    """The one Lotse's annotated record (for the single issue)."""
    return lotsen_with_training_record(Lotse.objects.filter(pk=lotse.pk), programme_year=programme_year).get()


def _image_uri(image) -> str:
    """A region image's file: URI for the renderer, or "" when there is none or its file is missing (a
    certificate without the logo rather than none at all)."""
    if not image:
        return ""
    path = Path(image.path)
    return path.as_uri() if path.is_file() else ""


def certificate_contents(certificates: list[Certificate]) -> list[CertificateData]:
    """What goes on each certificate, read in three queries for any number of certificates:
    the certificates with Lotse and region, the Lotsen's organisations, and the attended sessions."""
    from django.urls import reverse

    ids = [c.pk for c in certificates]
    rows = {
        c.pk: c
        for c in Certificate.objects.filter(pk__in=ids)
        .select_related("lotse", "lotse__region")
        .prefetch_related("lotse__organisations")
    }
    years = {c.programme_year for c in rows.values()}
    sessions: dict[tuple[int, int], list[Session]] = defaultdict(list)
    attended = (
        Attendance.objects.attended_trainings()
        .filter(lotse_id__in={c.lotse_id for c in rows.values()})
        .filter(event__starts_at__year__in=years)
        .select_related("event")
        .order_by("event__starts_at", "event_id")
    )
    for attendance in attended:
        event = attendance.event
        day = timezone.localdate(event.starts_at)
        sessions[(attendance.lotse_id, day.year)].append(
            Session(day, event.topic or event.title, event.hours_credited)
        )
    contents = []
    for pk in ids:
        certificate = rows[pk]
        lotse, region = certificate.lotse, certificate.lotse.region
        attended_sessions = sessions[(lotse.pk, certificate.programme_year)]
        contents.append(
            CertificateData(
                certificate_id=certificate.pk,
                holder_name=lotse.full_name,
                organisation=", ".join(sorted(o.name for o in lotse.organisations.all())),
                region=region.name,
                sessions=attended_sessions,
                total_hours=sum((s.hours for s in attended_sessions), Decimal("0")),
                place=region.certificate_place or region.name,
                issued_on=certificate.issue_date,
                coordinating_body=region.coordinating_body,
                signatory_name=region.signatory_name,
                signatory_function=region.signatory_function,
                verification_code=certificate.verification_code,
                verify_url=settings.SITE_URL + reverse("verify:code", args=[certificate.verification_code]),
                programme_name=settings.PROGRAMME_NAME,
                address_form=lotse.address_form,
                region_logo_uri=_image_uri(region.logo),
                signature_uri=_image_uri(region.signature_image),
                **(
                    {"funding_line": funding}
                    if (funding := getattr(settings, "CERTIFICATE_FUNDING_LINE", ""))
                    else {}
                ),
            )
        )
    return contents
