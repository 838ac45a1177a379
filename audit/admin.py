from django.contrib import admin

from audit.models import AuditEntry


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
