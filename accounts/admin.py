from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from portal.admin import ProtectedLookupsMixin, SuperuserWritesOnlyMixin
from regions.models import Coordination

#: Fields that hand out rights: only a superuser sets them (programme staff see them read-only or not at all).
RIGHTS_FIELDS = ("is_superuser", "is_programme_staff", "groups", "user_permissions")


def may_manage_account(acting_user, user) -> bool:
    """Programme staff maintain the accounts of coordinators and Lotsen; only a superuser changes, resets,
    deactivates or deletes a superuser, a member of programme staff (their own account included: staff change
    their own password on the portal's password page) or a coordinator who pays allowances (a new e-mail
    address or password there would hand staff the region's bank details)."""
    if not acting_user.is_active:
        return False
    if acting_user.is_superuser:
        return True
    return not (user.is_superuser or user.is_programme_staff or user.paying_region_ids())


class CoordinationInline(SuperuserWritesOnlyMixin, admin.TabularInline):
    # A coordination grants a region's data and, with handles_payments, its bank details: superusers only.
    model = Coordination
    extra = 0
    autocomplete_fields = ["region"]


@admin.register(User)
class UserAdmin(ProtectedLookupsMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_programme_staff", "is_superuser", "is_active", "last_login"]
    list_filter = ["is_programme_staff", "is_superuser", "is_active"]
    search_fields = ["email", "name"]
    readonly_fields = ["last_login", "date_joined", "invited_at", "invited_by", "invitation_accepted_at"]
    # ?password__startswith=pbkdf2… would recover a hash character by character.
    always_protected_lookups = frozenset({"password"})
    inlines = [CoordinationInline]
    fieldsets = [
        (None, {"fields": ["email", "password", "name"]}),
        (
            _("Roles"),
            {"fields": ["is_active", "is_programme_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (
            _("History"),
            {"fields": ["date_joined", "last_login", "invited_at", "invited_by", "invitation_accepted_at"]},
        ),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]})]

    def has_change_permission(self, request, obj=None):
        # Also guards the admin's password form (user_change_password asks has_change_permission).
        if obj is not None and not may_manage_account(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not may_manage_account(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # Programme staff may maintain accounts but never hand out staff or superuser rights or permissions.
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in RIGHTS_FIELDS]})
            for name, opts in fieldsets
        ]
