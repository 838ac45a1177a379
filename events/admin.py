from django.contrib import admin

from events.models import Attendance, Event


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["lotse"]
    readonly_fields = ["registered_at", "updated_at", "updated_by"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "region", "starts_at", "hours_credited", "capacity"]
    list_filter = ["kind", "region"]
    search_fields = ["title", "topic", "place", "region__name"]
    autocomplete_fields = ["region"]
    readonly_fields = ["created_by", "created_at"]
    date_hierarchy = "starts_at"
    inlines = [AttendanceInline]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["event", "lotse", "status", "updated_at"]
    list_filter = ["status"]
    search_fields = ["lotse__last_name", "lotse__first_name", "event__title", "event__place"]
    autocomplete_fields = ["event", "lotse"]
    readonly_fields = ["registered_at", "updated_at", "updated_by"]
