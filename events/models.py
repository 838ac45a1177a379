import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
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
        """Annotate ``places_taken``: Lotsen and confirmed guests who hold a place (one query for the whole
        list; correlated subqueries, so the two counts do not multiply each other's rows)."""
        lotsen = (
            Attendance.objects.filter(event=models.OuterRef("pk"), status__in=Attendance.TAKES_A_PLACE)
            .order_by()
            .values("event")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        guests = (
            GuestRegistration.objects.filter(
                event=models.OuterRef("pk"), status__in=GuestRegistration.TAKES_A_PLACE
            )
            .order_by()
            .values("event")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        zero = models.Value(0)
        return self.annotate(
            places_taken=Coalesce(models.Subquery(lotsen, output_field=models.IntegerField()), zero)
            + Coalesce(models.Subquery(guests, output_field=models.IntegerField()), zero)
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
    # -- public events (issue #13): listed without login at /events/public/, guests register there --
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Listed without login at /events/public/; guests register there without an account."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    accessibility = models.TextField(
        _("accessibility"), blank=True, help_text=_("Step-free access, hearing loop, interpreting, …")
    )
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
    #: the Lotse's choice among the event's parallel workshops (the same seats as the guests')
    session = models.ForeignKey(
        "events.EventSession",
        verbose_name=_("workshop"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendances",
    )
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


class EventSession(models.Model):
    """A parallel workshop of an event ("Workshop 20: Migrantenorganisationen – starke Partner …")."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="sessions"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty: no limit.")
    )

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        ordering = ["event", "number"]
        constraints = [
            models.UniqueConstraint(fields=["event", "number"], name="session_number_once_per_event"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
        ]

    def __str__(self) -> str:
        return _("Workshop %(number)s: %(title)s") % {"number": self.number, "title": self.title}


def new_secret() -> str:
    """A fresh random secret for a guest's links (the personal link, the QR code at the door)."""
    return secrets.token_urlsafe(32)


class GuestRegistrationQuerySet(ScopedQuerySet):
    """Guests are personal data of people without an account: the coordinators of the event's region and
    programme staff see them; a programme-wide event's guests only programme staff."""

    region_lookup = "event__region"


class GuestRegistration(models.Model):
    """A guest's registration for a public event, without an account (double opt-in by e-mail)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for e-mail confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    class InstitutionKind(models.TextChoices):
        JOBCENTER = "jobcenter", _("Jobcenter")
        EMPLOYMENT_AGENCY = "agentur", _("Agentur für Arbeit")
        INTEGRATION_CENTRE = "ki", _("Kommunales Integrationszentrum")
        COUNSELLING = "counselling", _("Counselling service (Beratungsstelle)")
        MIGRANT_ORGANISATION = "mo", _("Migrant organisation")
        OTHER = "other", _("Other")

    #: Statuses that hold a seat of the event (and of the chosen workshop).
    TAKES_A_PLACE = (Status.CONFIRMED,)

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="guests")
    session = models.ForeignKey(
        EventSession,
        verbose_name=_("workshop"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="guests",
    )
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200)
    institution_kind = models.CharField(
        _("kind of institution"), max_length=20, choices=InstitutionKind.choices
    )
    email = models.EmailField(_("e-mail"))
    #: the address folded for the uniqueness of a registration (casefold), never shown
    email_key = models.CharField(max_length=254, editable=False)
    needs = models.TextField(_("accessibility or dietary needs"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=8, default="de")
    consent_at = models.DateTimeField(_("privacy notice accepted at"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    #: the secret of the personal link (confirm, change the workshop, cancel); never in the QR code
    token = models.CharField(max_length=64, unique=True, editable=False)
    #: the secret of the QR code at the door (events:checkin_scan): it can only check the guest in, so a
    #: photographed QR code or a shared calendar cannot cancel the registration
    checkin_token = models.CharField(max_length=64, unique=True, editable=False, default=new_secret)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    waiting_since = models.DateTimeField(_("on the waiting list since"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = GuestRegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("guest registration")
        verbose_name_plural = _("guest registrations")
        ordering = ["event", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email_key"],
                condition=~Q(status="cancelled"),
                name="guest_once_per_event",
            ),
        ]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self) -> str:
        return f"{self.name} @ {self.event}"


def badge_upload_to(instance, filename: str) -> str:
    # No personal data in the name: a random key, not the event's title or a participant's name.
    return f"badges/{uuid.uuid4().hex}.pdf"


class BadgeBatchQuerySet(ScopedQuerySet):
    """Name badges of an event are the event's coordinators' tool (programme-wide events: staff)."""

    region_lookup = "event__region"


class BadgeBatch(models.Model):
    """One PDF of name badges for the (filtered) participants of an event, rendered by the worker."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be rendered")
        RENDERING = "rendering", _("rendering")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="badge_batches"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    #: who is on the badges, chosen in the request (the worker has no user to scope with): ids only
    guest_ids = models.JSONField(default=list, editable=False)
    attendance_ids = models.JSONField(default=list, editable=False)
    done = models.PositiveIntegerField(_("badges done"), default=0)
    total = models.PositiveIntegerField(_("badges in the file"), default=0)
    file = models.FileField(_("file"), upload_to=badge_upload_to, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = BadgeBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("name badge file")
        verbose_name_plural = _("name badge files")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event} ({self.total})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
