from django.contrib import admin

from certificates.models import Certificate, CertificateBatch
from portal.admin import SuperuserWritesOnlyMixin, WorkflowFieldsReadOnlyMixin


@admin.register(Certificate)
class CertificateAdmin(WorkflowFieldsReadOnlyMixin, SuperuserWritesOnlyMixin, admin.ModelAdmin):
    """Issued in batches and revoked or re-issued in the portal (certificates.services): the file, its hash
    and its state belong together, so none of them is changed here."""

    list_display = ["lotse", "programme_year", "version", "status", "verification_code", "issued_at"]
    list_filter = ["status", "programme_year", "lotse__region"]
    search_fields = ["verification_code", "lotse__last_name", "lotse__first_name", "lotse__region__name"]
    workflow_fields = ("lotse", "programme_year", "version", "status", "file", "revocation_reason")
    autocomplete_fields = ["lotse"]
    list_select_related = ["lotse"]
    readonly_fields = [
        "verification_code",
        "sha256",
        "issued_by",
        "issued_at",
        "revoked_at",
        "revoked_by",
        "batch",
        "created_at",
    ]


@admin.register(CertificateBatch)
class CertificateBatchAdmin(WorkflowFieldsReadOnlyMixin, SuperuserWritesOnlyMixin, admin.ModelAdmin):
    list_display = ["pk", "region", "event", "programme_year", "total", "requested_by", "created_at"]
    list_filter = ["programme_year", "region"]
    search_fields = ["region__name", "event__title"]
    list_select_related = ["region", "event", "requested_by"]
    readonly_fields = ["region", "event", "programme_year", "requested_by", "total", "created_at"]
