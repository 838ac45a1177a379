import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from lotsen.validators import mask_iban, normalize_iban, validate_iban
from portal.cellkey import new_record_key
from portal.dates import first_of_month, last_of_month
from portal.numbers import normalise
from portal.scoping import ScopedQuerySet


class Topic(models.TextChoices):
    """What a consultation was about; also a Lotse's areas of expertise."""

    JOB_SEARCH = "job_search", _("Job search")
    APPLICATION = "application", _("Application documents")
    RECOGNITION = "recognition", _("Recognition of a foreign qualification")
    LANGUAGE_COURSES = "language_courses", _("Language courses")
    JOBCENTER = "jobcenter", _("Jobcenter / Agentur für Arbeit matters")
    TRAINING = "training", _("Training and further education")
    SELF_EMPLOYMENT = "self_employment", _("Self-employment")
    OTHER = "other", _("Other")


# One boolean column per topic: the reports count 1,000,000 consultations by topic with conditional
# aggregation in a single table scan, which a many-to-many table would turn into a join.
TOPIC_FIELDS: dict[str, str] = {topic.value: f"topic_{topic.value}" for topic in Topic}


# ------------------------------------------------------------------------------------------------------
# Lotse
# ------------------------------------------------------------------------------------------------------
class LotseQuerySet(ScopedQuerySet):
    owner_lookup = "user"

    def active(self):
        return self.filter(status=Lotse.Status.ACTIVE)

    def bank_data_on_hold(self, now: datetime.datetime | None = None):
        """Lotsen whose payments wait for a second payer to confirm new bank data (Lotse.bank_data_hold_q)."""
        return self.filter(Lotse.bank_data_hold_q(now))


class LotseOwnedQuerySet(ScopedQuerySet):
    """Rows that belong to one Lotse: coordinators see them by the Lotse's region, the Lotse their own."""

    region_lookup = "lotse__region"
    owner_lookup = "lotse__user"


class Lotse(models.Model):
    """A volunteer guide (Lotse / Lotsin) of a migrant organisation."""

    class AddressForm(models.TextChoices):
        """How the person is named on their certificate: the person's own choice (the profile), or set by a
        coordinator. Neutral (the default, as nobody is assumed to be either) names the volunteer work
        without a gendered noun."""

        NEUTRAL = "neutral", _("Neutral (no gendered form)")
        LOTSIN = "lotsin", _("Lotsin (feminine form)")
        LOTSE = "lotse", _("Lotse (masculine form)")

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("candidate")
        ACTIVE = "active", _("active")
        PAUSED = "paused", _("paused")
        LEFT = "left", _("left")

    #: Allowed status changes; anything else is refused by lotsen.services.change_status.
    STATUS_TRANSITIONS = {
        Status.CANDIDATE: {Status.ACTIVE, Status.LEFT},
        Status.ACTIVE: {Status.PAUSED, Status.LEFT},
        Status.PAUSED: {Status.ACTIVE, Status.LEFT},
        Status.LEFT: {Status.ACTIVE},
    }

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lotse",
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="lotsen"
    )
    district = models.ForeignKey(
        "regions.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lotsen",
    )
    organisations = models.ManyToManyField(
        "organisations.Organisation", verbose_name=_("organisations"), blank=True, related_name="lotsen"
    )
    languages = models.ManyToManyField(
        "regions.Language", verbose_name=_("languages"), blank=True, related_name="lotsen"
    )
    expertise = models.JSONField(_("areas of expertise"), default=list, blank=True)
    availability = models.CharField(
        _("availability"), max_length=200, blank=True, help_text=_("e.g. Tuesday and Thursday afternoons")
    )
    address_form = models.CharField(
        _("form of address on certificates"),
        max_length=10,
        choices=AddressForm.choices,
        default=AddressForm.NEUTRAL,
        help_text=_("How the certificate names the volunteer: Lotsin, Lotse or a neutral wording."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CANDIDATE)
    status_since = models.DateField(_("status since"), default=datetime.date.today)
    joined_on = models.DateField(_("active since"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    # Set when the login was switched off because the Lotse left (lotsen.services.lotsen.disable_login): the
    # daily task skips Lotsen with a date here, so a login a coordinator restored stays restored.
    login_disabled_at = models.DateTimeField(_("login disabled at"), null=True, blank=True, editable=False)
    # Set when the personal data were removed (privacy.services.anonymise_lotse, GDPR Art. 17): the row stays
    # as "Anonymisiert #<id>" for the claims and contracts tax law keeps and the pseudonymous statistics.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    account_holder = models.CharField(_("account holder"), max_length=150, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    # A change of the IBAN or account holder (Lotse.save sets these) holds the Lotse's payments until a second
    # payer confirms the new details or BANK_DATA_HOLD_DAYS have passed: the bank's "new payee" protection.
    bank_data_changed_at = models.DateTimeField(
        _("bank data changed at"), null=True, blank=True, editable=False
    )
    bank_data_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bank data changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    bank_data_confirmed_at = models.DateTimeField(
        _("bank data confirmed at"), null=True, blank=True, editable=False
    )
    bank_data_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bank data confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = LotseQuerySet.as_manager()

    class Meta:
        verbose_name = _("Lotse")
        verbose_name_plural = _("Lotsen")
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["region", "status"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def login_state(self) -> str:
        """Where the Lotse stands with the portal login: none (never invited), disabled (switched off, e.g.
        after leaving), pending (invited, no password set yet) or active (can log in). The list, the detail
        page and the invitation service all ask this."""
        if self.user_id is None:
            return "none"
        if not self.user.is_active:
            return "disabled"
        return "active" if self.user.has_accepted_invitation else "pending"

    # -- bank data changes: noticed on every save, whoever saves ---------------------------------------
    #: what a change of bank data is: these fields; ``email`` is remembered to notify the old address too
    BANK_DATA_FIELDS = ("account_holder", "iban")
    _HOLD_FIELDS = (
        "bank_data_changed_at",
        "bank_data_changed_by",
        "bank_data_confirmed_at",
        "bank_data_confirmed_by",
    )

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._remember_stored_bank_data()
        return instance

    def _remember_stored_bank_data(self) -> None:
        deferred = self.get_deferred_fields()
        self._stored = {
            name: getattr(self, name) for name in (*self.BANK_DATA_FIELDS, "email") if name not in deferred
        }

    def _stored_values(self) -> dict:
        stored = getattr(self, "_stored", {})
        if all(name in stored for name in self.BANK_DATA_FIELDS):
            return stored
        # built by hand or loaded with the bank fields deferred: ask the database what is stored
        row = type(self)._base_manager.filter(pk=self.pk).values(*self.BANK_DATA_FIELDS, "email").first()
        return row or {}

    def changed_bank_fields(self) -> list[str]:
        """Names of the bank-data fields that differ from what is stored (a new record has none)."""
        if self.pk is None:
            return []
        stored = self._stored_values()
        if not stored:
            return []
        current = {"iban": normalize_iban(self.iban), "account_holder": (self.account_holder or "").strip()}
        before = {
            "iban": normalize_iban(stored["iban"]),
            "account_holder": (stored["account_holder"] or "").strip(),
        }
        return [name for name in self.BANK_DATA_FIELDS if current[name] != before[name]]

    def save(self, *args, acting_user=None, erasing=False, **kwargs):
        """Save; a change of the IBAN or account holder by whomever (form, admin, service, shell) puts the
        payments on hold, is recorded in the audit trail and e-mailed to the Lotse (after the commit).
        ``acting_user``: who changed it (None: unknown, e.g. a script). ``erasing``: the bank data are being
        erased (anonymisation, privacy.services): no new payee to protect, nobody to write to."""
        self.iban = normalize_iban(self.iban)
        changed = [] if erasing else self.changed_bank_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            changed = [name for name in changed if name in update_fields]
        previous_email = self._stored_values().get("email", "") if changed else ""
        if changed:
            self.bank_data_changed_at = timezone.now()
            self.bank_data_changed_by = (
                acting_user if getattr(acting_user, "is_authenticated", False) else None
            )
            self.bank_data_confirmed_at = self.bank_data_confirmed_by = None
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, *self._HOLD_FIELDS}
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding and not erasing and getattr(acting_user, "is_authenticated", False):
            entered = [name for name in self.BANK_DATA_FIELDS if getattr(self, name)]
            if entered:
                # Bank data a person entered with a new Lotse (portal form, admin): in the audit trail like
                # any change (no hold: no payment can be due before a contract and an approved claim exist).
                from audit.services import Action, record

                record(Action.BANK_DATA_CHANGED, actor=acting_user, target=self, fields=sorted(entered))
        if changed:
            # the consequences (audit entry, e-mail on commit) live with the other bank-data writes
            from lotsen.services.bank_data import bank_data_changed

            bank_data_changed(
                lotse=self, fields=changed, acting_user=acting_user, previous_email=previous_email
            )
        self._remember_stored_bank_data()

    # -- the payment hold: the one rule, as a query (lists) and on the instance (pages, the pay service) ----
    @staticmethod
    def bank_data_hold_period() -> datetime.timedelta:
        return datetime.timedelta(days=settings.BANK_DATA_HOLD_DAYS)

    @staticmethod
    def on_roster_q(start: datetime.date, end: datetime.date) -> Q:
        """On the roster at some day between start and end: joined by the end, not left before the start
        (the reports' "active Lotsen"); never a candidate."""
        return (
            Q(joined_on__lte=end)
            & (Q(left_on__isnull=True) | Q(left_on__gte=start))
            & ~Q(status=Lotse.Status.CANDIDATE)
        )

    @classmethod
    def bank_data_hold_q(cls, now: datetime.datetime | None = None, prefix: str = "") -> Q:
        """On hold: bank data changed less than BANK_DATA_HOLD_DAYS ago and not confirmed since.
        ``prefix`` for a query from another model, e.g. ``"lotse__"`` on claims."""
        since = (now or timezone.now()) - cls.bank_data_hold_period()
        return Q(
            **{f"{prefix}bank_data_changed_at__gt": since, f"{prefix}bank_data_confirmed_at__isnull": True}
        )

    @property
    def bank_data_hold_until(self) -> datetime.datetime | None:
        """When an unconfirmed change stops holding the payments (None: nothing unconfirmed)."""
        if self.bank_data_changed_at is None or self.bank_data_confirmed_at is not None:
            return None
        return self.bank_data_changed_at + self.bank_data_hold_period()

    def bank_data_on_hold(self, now: datetime.datetime | None = None) -> bool:
        """The same rule as bank_data_hold_q, on a loaded row (no query): changed_at > now - period."""
        until = self.bank_data_hold_until
        return until is not None and (now or timezone.now()) < until

    def can_confirm_bank_data(self, user) -> bool:
        """A second person who pays the region: nobody who changed the data since it was last confirmed
        (not only the last one to change it), not the Lotse themself."""
        from portal.access import acts_for_self

        return (
            self.can_see_payment_details(user)
            and not acts_for_self(user, self)
            and user.pk not in self.bank_data_changers()
        )

    def bank_data_changers(self) -> set[int]:
        """Ids of everyone who changed the bank data since the last confirmation (from the audit trail)."""
        from audit.models import AuditEntry

        about = AuditEntry.objects.filter(subject_id=self.pk)
        last = about.filter(action=AuditEntry.Action.BANK_DATA_CONFIRMED).order_by("-at").values("at")[:1]
        changes = about.filter(action=AuditEntry.Action.BANK_DATA_CHANGED, actor__isnull=False)
        if last.exists():
            changes = changes.filter(at__gt=models.Subquery(last))
        changers = set(changes.values_list("actor_id", flat=True))
        if self.bank_data_changed_by_id is not None:
            changers.add(self.bank_data_changed_by_id)
        return changers

    @property
    def bank_data_version(self) -> str:
        """Which change a confirmation is about: a payer confirms the details they saw, not a later change."""
        return self.bank_data_changed_at.isoformat() if self.bank_data_changed_at else ""

    # -- payment details: full only for those who pay, and only after a fresh re-authentication -------
    def can_see_payment_details(self, user) -> bool:
        return bool(user.is_active and (user.is_superuser or self.region_id in user.paying_region_ids()))

    def can_change_payment_details(self, user) -> bool:
        """Bank details are changed only by those who pay the Lotse's region, and never by the person for
        their own record (separation of duties: who pays must not redirect the payment to themself)."""
        from portal.access import acts_for_self

        return self.can_see_payment_details(user) and not acts_for_self(user, self)

    def shows_payment_details(self, user, *, fresh: bool) -> bool:
        """Full bank details on screen or in a file: the user pays this region and re-authenticated
        recently (``fresh``: accounts.reauth.is_fresh(request)), so a stolen session alone shows none."""
        return fresh and self.can_see_payment_details(user)

    def iban_for(self, user, *, fresh: bool) -> str:
        from lotsen.validators import format_iban

        return (
            format_iban(self.iban) if self.shows_payment_details(user, fresh=fresh) else mask_iban(self.iban)
        )

    @property
    def iban_masked(self) -> str:
        return mask_iban(self.iban)

    @property
    def expertise_labels(self) -> list[str]:
        labels = dict(Topic.choices)
        return [labels[code] for code in self.expertise if code in labels]


class LotseStatusChange(models.Model):
    """History of a Lotse's status: who changed it, to what, effective from which date."""

    lotse = models.ForeignKey(Lotse, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("status"), max_length=20, choices=Lotse.Status.choices)
    effective_on = models.DateField(_("effective on"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = LotseOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-effective_on", "-changed_at"]

    def __str__(self) -> str:
        return f"{self.lotse}: {self.get_status_display()} ({self.effective_on:%d.%m.%Y})"


# ------------------------------------------------------------------------------------------------------
# Consultations (anonymous: never a client's name)
# ------------------------------------------------------------------------------------------------------
class ConsultationQuerySet(ScopedQuerySet):
    # Scoped by the region the consultation was logged in, which reports group by.
    owner_lookup = "lotse__user"

    def in_month(self, month: datetime.date):
        return self.filter(date__gte=first_of_month(month), date__lte=last_of_month(month))

    def totals(self) -> dict:
        """{"count": n, "minutes": m} in one query; 0 minutes when there is no row."""
        return self.aggregate(count=Count("pk"), minutes=Coalesce(Sum("duration_minutes"), 0))


def minutes_as_hours(minutes: int | None) -> Decimal:
    """Consultation minutes as hours with one decimal, rounded half up like the |hours filter, so that
    195 minutes are 3,3 h on the start page, the consultation list and the claim alike."""
    return normalise(Decimal(minutes or 0) / 60, "hours")


class Consultation(models.Model):
    """One consultation or accompaniment of a client. The client stays anonymous: a profile, never a name."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        PHONE = "phone", _("by phone")
        VIDEO = "video", _("by video")
        ACCOMPANYING = "accompanying", _("accompanying to an institution")

    class AgeBand(models.TextChoices):
        UNDER_25 = "u25", _("under 25")
        FROM_25 = "25_34", _("25–34")
        FROM_35 = "35_44", _("35–44")
        FROM_45 = "45_54", _("45–54")
        FROM_55 = "55p", _("55 and older")
        NOT_STATED = "na", _("not stated")

    class Gender(models.TextChoices):
        FEMALE = "f", _("female")
        MALE = "m", _("male")
        DIVERSE = "d", _("diverse")
        NOT_STATED = "na", _("not stated")

    class TimeInGermany(models.TextChoices):
        UNDER_1 = "lt1", _("less than 1 year")
        FROM_1 = "1_3", _("1 to 3 years")
        FROM_3 = "3_6", _("3 to 6 years")
        OVER_6 = "gt6", _("more than 6 years")
        NOT_STATED = "na", _("not stated")

    MAX_DURATION_MINUTES = 600
    #: What a Lotse enters about a consultation besides the topics (one boolean column each, TOPIC_FIELDS).
    ENTRY_FIELDS = (
        "date",
        "duration_minutes",
        "mode",
        "language",
        "age_band",
        "gender",
        "country_of_origin",
        "time_in_germany",
        "referral",
        "follow_up_needed",
    )

    lotse = models.ForeignKey(
        Lotse, verbose_name=_("Lotse"), on_delete=models.PROTECT, related_name="consultations"
    )
    # The region the consultation took place in, fixed when it is logged (reports group by it).
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="consultations"
    )
    date = models.DateField(_("date"), default=datetime.date.today)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(5), MaxValueValidator(MAX_DURATION_MINUTES)]
    )
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.IN_PERSON)
    language = models.ForeignKey(
        "regions.Language",
        verbose_name=_("language"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    topic_job_search = models.BooleanField(Topic.JOB_SEARCH.label, default=False)
    topic_application = models.BooleanField(Topic.APPLICATION.label, default=False)
    topic_recognition = models.BooleanField(Topic.RECOGNITION.label, default=False)
    topic_language_courses = models.BooleanField(Topic.LANGUAGE_COURSES.label, default=False)
    topic_jobcenter = models.BooleanField(Topic.JOBCENTER.label, default=False)
    topic_training = models.BooleanField(Topic.TRAINING.label, default=False)
    topic_self_employment = models.BooleanField(Topic.SELF_EMPLOYMENT.label, default=False)
    topic_other = models.BooleanField(Topic.OTHER.label, default=False)
    age_band = models.CharField(_("age"), max_length=5, choices=AgeBand.choices, default=AgeBand.NOT_STATED)
    gender = models.CharField(_("gender"), max_length=2, choices=Gender.choices, default=Gender.NOT_STATED)
    country_of_origin = CountryField(_("country of origin"), blank=True)
    time_in_germany = models.CharField(
        _("time in Germany"), max_length=5, choices=TimeInGermany.choices, default=TimeInGermany.NOT_STATED
    )
    referral = models.ForeignKey(
        "organisations.PartnerInstitution",
        verbose_name=_("referred to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    # Sent by the form; a second submit of the same form (double tap, retry) finds the first entry.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # The record key of the reports' cell-key method (reports/privacy.py): random, fixed, never shown.
    cell_key = models.PositiveIntegerField(default=new_record_key, editable=False)
    created_at = models.DateTimeField(_("logged at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-date", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5) & Q(duration_minutes__lte=600),
                name="consultation_duration_plausible",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "date"]),
            models.Index(fields=["lotse", "date"]),
            models.Index(fields=["date"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.date:%d.%m.%Y}"

    @property
    def topics(self) -> list[str]:
        return [topic for topic, field in TOPIC_FIELDS.items() if getattr(self, field)]

    @topics.setter
    def topics(self, values) -> None:
        chosen = set(values)
        for topic, field in TOPIC_FIELDS.items():
            setattr(self, field, topic in chosen)

    @property
    def topic_labels(self) -> list[str]:
        labels = dict(Topic.choices)
        return [labels[t] for t in self.topics]

    @property
    def locks_on(self) -> datetime.date:
        """After this day the entry is part of the reports and can no longer be changed by the Lotse."""
        logged = timezone.localdate(self.created_at) if self.created_at else timezone.localdate()
        return logged + datetime.timedelta(days=settings.CONSULTATION_EDIT_DAYS)

    @property
    def is_locked(self) -> bool:
        return timezone.localdate() > self.locks_on
