from django.contrib import admin
from django.contrib.admin.actions import delete_selected

from audit.models import AuditEntry
from audit.services import Action, record


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is searched here and in the portal, never edited."""

    list_display = ["at", "actor", "action", "target_type", "target_id", "region"]
    list_filter = ["action", "region"]
    search_fields = ["target_type", "target_id", "actor__email"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(permissions=["delete"], description=delete_selected.short_description)
def audited_delete_selected(modeladmin, request, queryset):
    """Django's "delete selected" action, recorded. The admin logs a deletion of several objects with one
    bulk insert, which sends no signal (audit.signals records the single-object case)."""
    chosen = {obj.pk: obj for obj in queryset} if request.POST.get("post") else {}
    response = delete_selected(modeladmin, request, queryset)
    if len(chosen) > 1:
        remaining = set(queryset.model._base_manager.filter(pk__in=chosen).values_list("pk", flat=True))
        for pk, obj in chosen.items():
            if pk not in remaining:
                record(
                    Action.ADMIN_CHANGE,
                    actor=request.user,
                    target=obj,
                    source="admin",
                    operation="delete",
                    fields=[],
                    inlines=[],
                )
    return response


admin.site.add_action(audited_delete_selected, "delete_selected")
