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
from portal.admin import SuperuserWritesOnlyMixin, WorkflowFieldsReadOnlyMixin


class ContractInline(admin.TabularInline):
    """Shown on the Lotse, changed on the contract's own admin page or in the portal."""

    model = Contract
    extra = 0
    fields = ["status", "starts_on", "ends_on", "allowance_type", "rate", "signed_on"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Contract)
class ContractAdmin(WorkflowFieldsReadOnlyMixin, admin.ModelAdmin):
    """Contracts are made, ended, renewed and get their signed PDF in the portal (services.contracts: rate
    limits, no overlap, the audit trail); here only the organisation can be corrected."""

    list_display = ["lotse", "organisation", "status", "starts_on", "ends_on", "allowance_type", "rate"]
    list_filter = ["status", "allowance_type", "tax_allowance", "lotse__region"]
    search_fields = [
        "lotse__last_name",
        "lotse__first_name",
        "organisation__name",
        "organisation__city",
        "lotse__region__name",
    ]
    list_select_related = ["lotse", "organisation"]
    autocomplete_fields = ["lotse", "organisation"]
    readonly_fields = ["created_by", "created_at"]
    exclude = ["signed_document"]  # uploaded and downloaded in the portal (validated, under a generated name)
    workflow_fields = (
        "lotse",
        "status",
        "starts_on",
        "ends_on",
        "ended_on",
        "allowance_type",
        "rate",
        "tax_allowance",
        "signed_on",
    )


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
    search_fields = ["lotse__last_name", "lotse__first_name", "lotse__region__name"]
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
class AllowanceClaimAdmin(WorkflowFieldsReadOnlyMixin, SuperuserWritesOnlyMixin, admin.ModelAdmin):
    list_display = ["lotse", "month", "amount", "status", "decided_by", "decided_at"]
    list_filter = ["status", "month", "lotse__region"]
    search_fields = [
        "lotse__last_name",
        "lotse__first_name",
        "lotse__region__name",
        "contract__organisation__name",
        "contract__organisation__city",
        "payout_batch__reference",
    ]
    list_select_related = ["lotse", "decided_by"]
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
    workflow_fields = ("status", "rejection_reason")
    FIGURES = ("lotse", "contract", "month", "amount", "hours")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
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
    search_fields = ["reference", "region__name", "claims__lotse__last_name"]

    def has_add_permission(self, request, *args, **kwargs) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


LotseAdmin.inlines = [ContractInline, *LotseAdmin.inlines]
