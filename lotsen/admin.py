from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.admin import FreshLoginToChangeMixin
from accounts.reauth import is_fresh
from audit.services import Action, record
from lotsen.models import (
    AllowanceClaim,
    Consultation,
    Contract,
    Lotse,
    LotseStatusChange,
    SelfDeclaration,
    TaxAllowanceCap,
)
from portal.admin import ProtectedLookupsMixin, SuperuserWritesOnlyMixin


class ContractInline(admin.TabularInline):
    model = Contract
    extra = 0
    fields = ["status", "starts_on", "ends_on", "allowance_type", "rate", "signed_on"]
    show_change_link = True


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
    search_fields = ["last_name", "first_name", "email"]
    autocomplete_fields = ["user", "region", "district", "organisations", "languages"]
    readonly_fields = [
        "bank_data_changed_at",
        "bank_data_changed_by",
        "bank_data_confirmed_at",
        "bank_data_confirmed_by",
        "created_at",
        "updated_at",
    ]
    inlines = [ContractInline, StatusChangeInline]
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


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["lotse", "status", "starts_on", "ends_on", "allowance_type", "rate"]
    list_filter = ["status", "allowance_type", "tax_allowance"]
    search_fields = ["lotse__last_name", "lotse__first_name"]
    autocomplete_fields = ["lotse", "organisation"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(TaxAllowanceCap)
class TaxAllowanceCapAdmin(admin.ModelAdmin):
    list_display = ["kind", "valid_from", "amount"]
    list_filter = ["kind"]


@admin.register(SelfDeclaration)
class SelfDeclarationAdmin(admin.ModelAdmin):
    list_display = ["lotse", "year", "received_on", "recorded_by"]
    list_filter = ["year"]
    search_fields = ["lotse__last_name", "lotse__first_name"]
    autocomplete_fields = ["lotse"]
    readonly_fields = ["recorded_by"]


@admin.register(AllowanceClaim)
class AllowanceClaimAdmin(SuperuserWritesOnlyMixin, admin.ModelAdmin):
    list_display = ["lotse", "month", "amount", "status", "decided_by", "decided_at"]
    list_filter = ["status", "month"]
    search_fields = ["lotse__last_name", "lotse__first_name"]
    autocomplete_fields = ["lotse", "contract"]
    readonly_fields = [
        "cap_check",
        "submitted_at",
        "decided_by",
        "decided_at",
        "paid_at",
        "paid_by",
        "created_at",
    ]
    date_hierarchy = "month"

    @admin.display(description=_("tax-free cap"))
    def cap_check(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "–"
        from lotsen.services.claims import cap_status

        status = cap_status(obj)
        if status.cap is None:
            return "–"
        text = gettext("%(year)s: %(total)s € of %(cap)s € (approved and paid claims, with this one)") % {
            "year": status.year,
            "total": status.total_with_claim,
            "cap": status.cap,
        }
        return ("⚠ " + gettext("Cap exceeded") + " – " + text) if status.exceeded else text

    def change_view(self, request, object_id, form_url="", extra_context=None):
        claim = self.get_object(request, object_id)
        if claim is not None:
            from lotsen.services.claims import cap_status

            status = cap_status(claim)
            if status.exceeded:
                messages.warning(
                    request,
                    gettext(
                        "The approved claims of %(year)s exceed the tax-free cap of %(cap)s € "
                        "(%(total)s € with this claim)."
                    )
                    % {"year": status.year, "cap": status.cap, "total": status.total_with_claim},
                )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Consultation)
class ConsultationAdmin(SuperuserWritesOnlyMixin, admin.ModelAdmin):
    list_display = ["date", "lotse", "region", "mode", "duration_minutes", "follow_up_needed"]
    list_filter = ["mode", "region", "age_band", "gender", "follow_up_needed"]
    search_fields = ["lotse__last_name", "lotse__first_name"]
    autocomplete_fields = ["lotse", "region", "language", "referral"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "date"
    list_select_related = ["lotse", "region"]
