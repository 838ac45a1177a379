from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from allowances import rules
from allowances.models import (
    AllowanceClaim,
    ClaimFlagAcknowledgement,
    Contract,
    PayingAccount,
    PayoutBatch,
    RegionAllowancePolicy,
    SelfDeclaration,
    TaxAllowanceCap,
)
from lotsen.admin import LotseAdmin
from portal.admin import SuperuserWritesOnlyMixin


class ContractInline(admin.TabularInline):
    model = Contract
    extra = 0
    fields = ["status", "starts_on", "ends_on", "allowance_type", "rate", "signed_on"]
    show_change_link = True


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


@admin.register(RegionAllowancePolicy)
class RegionAllowancePolicyAdmin(admin.ModelAdmin):
    """A region's own contract limits (empty: the programme's settings); whether the cap blocks approval."""

    list_display = [
        "region",
        "max_hourly_rate",
        "max_monthly_rate",
        "max_per_consultation_rate",
        "cap_blocks_approval",
    ]
    list_filter = ["cap_blocks_approval"]


@admin.register(SelfDeclaration)
class SelfDeclarationAdmin(admin.ModelAdmin):
    list_display = ["lotse", "year", "received_on", "recorded_by"]
    # the PDF is uploaded, replaced and downloaded in the portal (validated, under a generated name)
    exclude = ["document"]
    list_filter = ["year"]
    search_fields = ["lotse__last_name", "lotse__first_name"]
    autocomplete_fields = ["lotse"]
    readonly_fields = ["recorded_by"]


class ClaimFlagAcknowledgementInline(admin.TabularInline):
    """Read-only: acknowledgements are made on the claim's decision page, by those who decide it."""

    model = ClaimFlagAcknowledgement
    extra = 0
    fields = ["code", "note", "acknowledged_by", "acknowledged_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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
        "payout_batch",
        "created_at",
    ]
    date_hierarchy = "month"
    inlines = [ClaimFlagAcknowledgementInline]
    #: A claim's state changes only through the portal's services (submit, decide, pay through a batch), so
    #: the admin never sets "paid" beside a payout; its figures are fixed once it left the Lotse's hands.
    FIGURES = ("lotse", "contract", "month", "amount", "hours")

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "status"]
        if obj is not None and (obj.status not in AllowanceClaim.OPEN_TO_LOTSE or obj.payout_batch_id):
            fields.extend(self.FIGURES)
        return fields

    @admin.display(description=_("tax-free cap"))
    def cap_check(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "–"
        status = rules.cap_use(obj)
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
            status = rules.cap_use(claim)
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


@admin.register(PayingAccount)
class PayingAccountAdmin(SuperuserWritesOnlyMixin, admin.ModelAdmin):
    """The account each region pays its allowances from; entered by a superuser. Batches copy it."""

    list_display = ["region", "account_holder", "bic"]
    autocomplete_fields = ["region"]


@admin.register(PayoutBatch)
class PayoutBatchAdmin(SuperuserWritesOnlyMixin, admin.ModelAdmin):
    """Read-only: batches are prepared, sent and cancelled on the portal's pages (services.payouts)."""

    list_display = ["reference", "region", "execution_date", "status", "count", "total"]
    list_filter = ["status", "region"]
    search_fields = ["reference"]

    def has_add_permission(self, request, *args, **kwargs) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


LotseAdmin.inlines = [ContractInline, *LotseAdmin.inlines]
