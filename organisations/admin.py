from django.contrib import admin

from organisations.models import Organisation, PartnerInstitution


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "legal_form", "region", "district", "cooperation_status"]
    list_filter = [
        "cooperation_status",
        "legal_form",
        "region",
        "has_statutes",
        "has_data_protection_consent",
    ]
    search_fields = ["name", "register_number", "city", "postcode", "contact_name", "district__name"]
    autocomplete_fields = ["region", "district", "languages"]
    readonly_fields = ["created_at", "updated_at", "created_by"]


@admin.register(PartnerInstitution)
class PartnerInstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "district", "is_active"]
    list_filter = ["kind", "region", "is_active"]
    search_fields = ["name", "address", "district__name", "region__name"]
    autocomplete_fields = ["region", "district"]
