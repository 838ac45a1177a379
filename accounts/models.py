from functools import cached_property

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Apps whose data programme staff may maintain in the Django admin (besides viewing users).
PROGRAMME_STAFF_ADMIN_APPS = frozenset(
    {"regions", "organisations", "lotsen", "events", "allowances", "certificates", "reports"}
)
PROGRAMME_STAFF_USER_PERMS = frozenset({"accounts.view_user", "accounts.add_user", "accounts.change_user"})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: programme staff, a regional coordinator, a Lotse, or a superuser.

    Roles are not a field: programme staff is a flag, coordination is a row in regions.Coordination, and
    being a Lotse is a regions-independent link from lotsen.Lotse.user. One user may hold several roles.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_programme_staff = models.BooleanField(
        _("programme staff"),
        default=False,
        help_text=_("Sees all regions and may enter the administration."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    invited_by = models.ForeignKey(
        "self",
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    invitation_accepted_at = models.DateTimeField(_("invitation accepted at"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.name or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email

    # --- roles -------------------------------------------------------------------------------------
    @property
    def is_staff(self) -> bool:
        """Only superusers and programme staff may enter the Django admin; coordinators and Lotsen never."""
        return self.is_active and (self.is_superuser or self.is_programme_staff)

    @property
    def sees_everything(self) -> bool:
        return self.is_active and (self.is_superuser or self.is_programme_staff)

    @cached_property
    def _coordinations(self) -> tuple[tuple[int, bool], ...]:
        return tuple(self.coordinations.values_list("region_id", "handles_payments"))

    def coordinated_region_ids(self) -> frozenset[int]:
        """Ids of the regions this user coordinates (cached on the instance, one query per request)."""
        if not self.is_active:
            return frozenset()
        return frozenset(region_id for region_id, _payments in self._coordinations)

    @property
    def holds_rights(self) -> bool:
        """Superuser, programme staff or any coordination, active or not: an account only a superuser
        manages (the admin), never switched off or on through a Lotse record or by programme staff."""
        return self.is_superuser or self.is_programme_staff or bool(self._coordinations)

    @property
    def ever_pays(self) -> bool:
        """A coordination that handles payments, whether or not the account is active right now."""
        return any(payments for _region_id, payments in self._coordinations)

    def paying_region_ids(self) -> frozenset[int]:
        """Regions in which this user pays allowances and so may see full payment details."""
        if not self.is_active:
            return frozenset()
        return frozenset(region_id for region_id, payments in self._coordinations if payments)

    @property
    def is_coordinator(self) -> bool:
        return bool(self.coordinated_region_ids())

    @property
    def works_across_regions(self) -> bool:
        """Programme staff and coordinators of several regions; only they need a region filter on a list."""
        return self.sees_everything or len(self.coordinated_region_ids()) > 1

    @cached_property
    def lotse_profile(self):
        """The Lotse record linked to this login, or None."""
        if "lotse" in self._state.fields_cache:  # read with the user (accounts.backends.PortalBackend)
            return self._state.fields_cache["lotse"]
        # lotsen.Lotse, reached through its one-to-one field to the user (accounts imports nothing above it)
        lotse_model = self._meta.get_field("lotse").related_model
        return lotse_model.objects.filter(user=self).select_related("region").first()

    @property
    def is_lotse(self) -> bool:
        return self.lotse_profile is not None

    @property
    def role(self) -> str:
        """The main role, which decides the dashboard and navigation."""
        if self.sees_everything:
            return "staff"
        if self.is_coordinator:
            return "coordinator"
        if self.is_lotse:
            return "lotse"
        return "none"

    @property
    def requires_mfa(self) -> bool:
        """Who must use a second factor when MFA_REQUIRED is on: superusers, programme staff and coordinators
        who handle payments (they see full bank details). Lotsen may enrol, but need not."""
        return self.is_active and (
            self.is_superuser or self.is_programme_staff or bool(self.paying_region_ids())
        )

    @property
    def has_accepted_invitation(self) -> bool:
        return self.has_usable_password()

    # --- admin permissions ---------------------------------------------------------------------------
    def has_perm(self, perm: str, obj=None) -> bool:
        if self.is_active and self.is_programme_staff and not self.is_superuser:
            if perm.split(".", 1)[0] in PROGRAMME_STAFF_ADMIN_APPS or perm in PROGRAMME_STAFF_USER_PERMS:
                return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        if (
            self.is_active
            and self.is_programme_staff
            and app_label in PROGRAMME_STAFF_ADMIN_APPS | {"accounts"}
        ):
            return True
        return super().has_module_perms(app_label)


class MFAReset(models.Model):
    """A superuser removed someone's authenticators (lost phone or key) so that they can enrol again."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="mfa_resets"
    )
    reset_by = models.ForeignKey(User, verbose_name=_("reset by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"))
    removed = models.CharField(
        _("removed authenticators"), max_length=200, blank=True, help_text=_("Types and number removed.")
    )

    class Meta:
        verbose_name = _("MFA reset")
        verbose_name_plural = _("MFA resets")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} – {self.at:%Y-%m-%d %H:%M}"
