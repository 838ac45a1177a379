from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.scoping import NOTHING, ScopedQuerySet


class EventQuerySet(ScopedQuerySet):
    """Programme-wide events (no region) are visible to every coordinator and Lotse;
    regional ones to their region."""

    def coordinator_condition(self, user) -> Q:
        regions = user.coordinated_region_ids()
        return Q(region__isnull=True) | Q(region_id__in=regions) if regions else NOTHING

    def own_condition(self, user) -> Q:
        lotse = user.lotse_profile
        return Q(region__isnull=True) | Q(region_id=lotse.region_id) if lotse else NOTHING

    def editable_by(self, user):
        # Programme-wide events belong to the programme office; coordinators edit their region's only.
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self
        return self.filter(region_id__in=user.coordinated_region_ids())

    def trainings(self):
        return self.filter(kind__in=Event.TRAINING_KINDS)

    def upcoming(self):
        return self.filter(ends_at__gte=timezone.now()).order_by("starts_at")

    def with_places_taken(self):
        """Annotate ``places_taken``: registrations that hold a place (one query for the whole list)."""
        return self.annotate(
            places_taken=models.Count(
                "attendances", filter=Q(attendances__status__in=Attendance.TAKES_A_PLACE)
            )
        )


class Event(models.Model):
    """A training session (Qualifizierungstreffen), workshop, closing event or conference."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("training session")
        WORKSHOP = "workshop", _("workshop")
        CLOSING = "closing", _("closing event")
        CONFERENCE = "conference", _("conference")

    #: Kinds that count as qualification: listed on certificates and counted for eligibility.
    TRAINING_KINDS = (Kind.TRAINING, Kind.WORKSHOP)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TRAINING)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text=_("Empty for a programme-wide event."),
    )
    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    hours_credited = models.DecimalField(
        _("hours credited"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    registration_deadline = models.DateField(_("registration until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="event_ends_after_start",
                violation_error_message=_("The event must end after it starts."),
            ),
            models.CheckConstraint(condition=Q(hours_credited__gte=0), name="event_hours_not_negative"),
        ]
        indexes = [models.Index(fields=["region", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts_at):%d.%m.%Y})"

    @property
    def is_programme_wide(self) -> bool:
        return self.region_id is None

    @property
    def is_training(self) -> bool:
        return self.kind in self.TRAINING_KINDS

    @property
    def is_full(self) -> bool:
        """No place left; needs the ``places_taken`` annotation (EventQuerySet.with_places_taken)."""
        return self.capacity is not None and self.places_taken >= self.capacity

    def registration_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        if self.registration_deadline is not None:
            return today <= self.registration_deadline
        return timezone.now() < self.starts_at


class AttendanceQuerySet(ScopedQuerySet):
    # A coordinator sees the attendance of their region's Lotsen, also at programme-wide events.
    region_lookup = "lotse__region"
    owner_lookup = "lotse__user"

    def attended(self):
        return self.filter(status=Attendance.Status.ATTENDED)

    def attended_trainings(self):
        """What counts as training for certificates, claims and the Lotse's record: attended sessions and
        workshops (information events and the like do not)."""
        return self.attended().filter(event__kind__in=Event.TRAINING_KINDS)

    def taking_a_place(self):
        return self.filter(status__in=Attendance.TAKES_A_PLACE)


class Attendance(models.Model):
    """A Lotse's registration for an event and, afterwards, whether they came."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        ATTENDED = "attended", _("attended")
        EXCUSED = "excused", _("excused")
        ABSENT = "absent", _("absent")

    #: Registered or attended counts against the capacity; excused and absent give the place back.
    TAKES_A_PLACE = (Status.REGISTERED, Status.ATTENDED)

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="attendances"
    )
    lotse = models.ForeignKey(
        "lotsen.Lotse", verbose_name=_("Lotse"), on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["lotse__last_name", "lotse__first_name"]
        constraints = [models.UniqueConstraint(fields=["event", "lotse"], name="attendance_once_per_event")]
        indexes = [models.Index(fields=["lotse", "status"])]

    def __str__(self) -> str:
        return f"{self.lotse} @ {self.event}"
