from django.contrib import admin

from accounts.admin import FreshLoginToChangeMixin
from portal.admin import SuperuserWritesOnlyMixin
from regions.models import Coordination, District, Language, Region


class DistrictInline(admin.TabularInline):
    model = District
    extra = 0


class CoordinationInline(SuperuserWritesOnlyMixin, admin.TabularInline):
    # A coordination grants a region's data and, with handles_payments, its bank details: superusers only.
    model = Coordination
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Region)
class RegionAdmin(FreshLoginToChangeMixin, admin.ModelAdmin):
    list_display = ["name", "coordinating_body", "coordinating_body_kind"]
    list_filter = ["coordinating_body_kind"]
    search_fields = ["name", "slug", "coordinating_body"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [DistrictInline, CoordinationInline]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "official_key", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "official_key"]
    autocomplete_fields = ["region"]


@admin.register(Coordination)
class CoordinationAdmin(SuperuserWritesOnlyMixin, FreshLoginToChangeMixin, admin.ModelAdmin):
    list_display = ["user", "region", "handles_payments", "since"]
    list_filter = ["region", "handles_payments"]
    search_fields = ["user__email", "user__name", "region__name"]
    autocomplete_fields = ["user", "region"]


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "name_de", "name_en"]
    search_fields = ["code", "name_de", "name_en"]
