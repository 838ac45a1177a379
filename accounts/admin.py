from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts import services
from accounts.models import MFAReset, User
from accounts.reauth import has_second_factor, require_fresh_login
from portal.admin import ProtectedLookupsMixin, SuperuserWritesOnlyMixin

#: Fields that hand out rights: only a superuser sets them (programme staff see them read-only or not at all).
RIGHTS_FIELDS = ("is_superuser", "is_programme_staff", "groups", "user_permissions")


class FreshLoginToChangeMixin:
    """Saving or deleting asks for a fresh re-authentication (by MFA if enrolled): these admins grant rights
    (superuser, programme staff, coordinations that see bank details). The POST is kept and replayed."""

    # Asked only of those allowed to make the change: anyone else gets Django's 403 at once.
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id)) if object_id else None
            allowed = (
                self.has_change_permission(request, obj) if object_id else self.has_add_permission(request)
            )
            if allowed:
                require_fresh_login(request)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        if request.method == "POST" and self.has_delete_permission(
            request, self.get_object(request, unquote(object_id))
        ):
            require_fresh_login(request)
        return super().delete_view(request, object_id, extra_context)


class MFAResetForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. phone lost, reported by telephone on … and identity checked by …"),
    )


def may_manage_account(acting_user, user) -> bool:
    """Programme staff maintain the accounts of coordinators and Lotsen; only a superuser changes, resets,
    deactivates or deletes a superuser, a member of programme staff (their own account included: staff change
    their own password on the portal's password page) or a coordinator who pays allowances (a new e-mail
    address or password there would hand staff the region's bank details)."""
    if not acting_user.is_active:
        return False
    if acting_user.is_superuser:
        return True
    # ever_pays, not paying_region_ids(): a deactivated payer stays protected (switching them on again
    # with a new e-mail address would hand over the region's bank details).
    return not (user.is_superuser or user.is_programme_staff or user.ever_pays)


class CoordinationInline(SuperuserWritesOnlyMixin, admin.TabularInline):
    # A coordination grants a region's data and, with handles_payments, its bank details: superusers only.
    # regions.Coordination, reached through its foreign key to the user (accounts sits below regions)
    model = User._meta.get_field("coordinations").related_model
    extra = 0
    autocomplete_fields = ["region"]


@admin.register(User)
class UserAdmin(ProtectedLookupsMixin, FreshLoginToChangeMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_programme_staff", "is_superuser", "is_active", "last_login"]
    list_filter = ["is_programme_staff", "is_superuser", "is_active"]
    search_fields = ["email", "name"]
    readonly_fields = [
        "last_login",
        "date_joined",
        "invited_at",
        "invited_by",
        "invitation_accepted_at",
        "two_factor",
    ]
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
            pgettext_lazy("admin fieldset", "History"),
            {"fields": ["date_joined", "last_login", "invited_at", "invited_by", "invitation_accepted_at"]},
        ),
        (_("Two-factor authentication"), {"fields": ["two_factor"]}),
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

    @admin.display(description=_("two-factor authentication"), boolean=True)
    def two_factor(self, obj):
        return has_second_factor(obj)

    def get_urls(self):
        return [
            path(
                "<id:pk>/mfa-reset/",
                self.admin_site.admin_view(self.mfa_reset_view),
                name="accounts_user_mfa_reset",
            ),
            *super().get_urls(),
        ]

    def mfa_reset_view(self, request, pk: int):
        """Lost device: a superuser removes the person's authenticators (recorded in MFAReset)."""
        if not request.user.is_superuser:
            raise PermissionDenied
        user = get_object_or_404(User, pk=pk)
        form = MFAResetForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            require_fresh_login(request)
            try:
                services.reset_mfa(user=user, reason=form.cleaned_data["reason"], acting_user=request.user)
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(
                    request,
                    _("The two-factor authentication of %(user)s was reset: they can enrol again.")
                    % {"user": user.email},
                )
                return redirect("admin:accounts_user_change", user.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reset two-factor authentication"),
            "opts": self.model._meta,
            "original": user,
            "form": form,
            "has_second_factor": has_second_factor(user),
        }
        return TemplateResponse(request, "admin/accounts/user/mfa_reset.html", context)


@admin.register(MFAReset)
class MFAResetAdmin(admin.ModelAdmin):
    """The record of MFA resets: read-only, for everyone who may see users."""

    list_display = ["at", "user", "reset_by", "removed"]
    list_select_related = ["user", "reset_by"]
    search_fields = ["user__email", "reset_by__email"]
    readonly_fields = ["user", "reset_by", "at", "reason", "removed"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
