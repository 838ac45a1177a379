from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from regions.models import Coordination


class CoordinationInline(admin.TabularInline):
    model = Coordination
    extra = 0
    autocomplete_fields = ["region"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_programme_staff", "is_superuser", "is_active", "last_login"]
    list_filter = ["is_programme_staff", "is_superuser", "is_active"]
    search_fields = ["email", "name"]
    readonly_fields = ["last_login", "date_joined", "invited_at", "invited_by", "invitation_accepted_at"]
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

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # Programme staff may maintain accounts but never hand out superuser rights or permissions.
        return [
            (
                name,
                {
                    **opts,
                    "fields": [
                        f for f in opts["fields"] if f not in {"is_superuser", "groups", "user_permissions"}
                    ],
                },
            )
            for name, opts in fieldsets
        ]
