from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import FreshLoginToChangeMixin
from accounts.reauth import is_fresh
from audit.services import Action, record
from lotsen.models import Consultation, Lotse, LotseStatusChange
from portal.admin import ProtectedLookupsMixin, SuperuserWritesOnlyMixin


class StatusChangeInline(admin.TabularInline):
    model = LotseStatusChange
    extra = 0
    readonly_fields = ["status", "effective_on", "changed_by", "changed_at", "note"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


#: Bank details of a Lotse: shown, searched, filtered and sorted in the admin only for those who pay.
BANK_FIELDS = Lotse.BANK_DATA_FIELDS


@admin.register(Lotse)
class LotseAdmin(ProtectedLookupsMixin, FreshLoginToChangeMixin, admin.ModelAdmin):
    list_display = ["last_name", "first_name", "region", "status", "status_since", "has_login"]
    list_filter = ["status", "region"]
    search_fields = [
        "last_name",
        "first_name",
        "email",
        "region__name",
        "district__name",
        "organisations__name",
        "organisations__city",
    ]
    autocomplete_fields = ["user", "region", "district", "organisations", "languages"]
    readonly_fields = [
        "bank_data_changed_at",
        "bank_data_changed_by",
        "bank_data_confirmed_at",
        "bank_data_confirmed_by",
        "created_at",
        "updated_at",
    ]
    # allowances.admin puts the contracts first (the money app knows the Lotse, not the other way round)
    inlines = [StatusChangeInline]
    protected_lookups = frozenset(BANK_FIELDS)

    def save_model(self, request, obj, form, change):
        # with the acting user: a change of bank data holds the payments and notifies the Lotse (Lotse.save)
        obj.save(acting_user=request.user)

    @admin.display(boolean=True, description=_("login"))
    def has_login(self, obj):
        return obj.user_id is not None

    # Bank details only for those who pay (Lotse.can_see_payment_details), in the admin the superuser,
    # and only after a fresh re-authentication (Lotse.shows_payment_details); programme staff see the
    # IBAN masked, never the account holder, and cannot change either.
    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if obj is None or not obj.shows_payment_details(request.user, fresh=is_fresh(request)):
            excluded.extend(BANK_FIELDS)
        return excluded

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not obj.shows_payment_details(request.user, fresh=is_fresh(request)):
            fields.append("iban_masked")
        elif obj is not None and not obj.can_change_payment_details(request.user):
            fields.extend(BANK_FIELDS)  # shown, but nobody changes their own bank details
        if not request.user.is_superuser:
            # Linking a login to a Lotse record decides whose account the leaver rules switch off.
            fields.append("user")
        return fields

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.iban and obj.shows_payment_details(request.user, fresh=is_fresh(request)):
            record(Action.VIEW_IBAN, actor=request.user, target=obj, page="admin")
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Consultation)
class ConsultationAdmin(SuperuserWritesOnlyMixin, admin.ModelAdmin):
    list_display = ["date", "lotse", "region", "mode", "duration_minutes", "follow_up_needed"]
    list_filter = ["mode", "region", "age_band", "gender", "follow_up_needed"]
    # What staff type: the Lotse's name, the region, or the city/district where the Lotse works (a
    # consultation records no place of its own).
    search_fields = [
        "lotse__last_name",
        "lotse__first_name",
        "region__name",
        "lotse__district__name",
        "lotse__organisations__name",
        "lotse__organisations__city",
    ]
    autocomplete_fields = ["lotse", "region", "language", "referral"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "date"
    list_select_related = ["lotse", "region"]
