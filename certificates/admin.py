from django.contrib import admin

from certificates.models import Certificate


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["lotse", "programme_year", "version", "status", "verification_code", "issued_at"]
    list_filter = ["status", "programme_year"]
    search_fields = ["verification_code", "lotse__last_name", "lotse__first_name"]
    autocomplete_fields = ["lotse"]
    readonly_fields = [
        "verification_code",
        "sha256",
        "issued_by",
        "issued_at",
        "revoked_at",
        "revoked_by",
        "created_at",
    ]
