"""Admin helpers shared by the apps' admin modules."""


class SuperuserWritesOnlyMixin:
    """Programme staff may look, only a superuser may add, change or delete.

    For models whose writes go through services with business rules (the claim state machine, the 14-day
    consultation lock, certificate rendering and verification, audit fields): the admin would skip all of
    them. Staff use the portal's own pages; a superuser can still repair data here.
    """

    @staticmethod
    def _is_superuser(request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, *args, **kwargs) -> bool:
        return self._is_superuser(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._is_superuser(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._is_superuser(request)


class ProtectedLookupsMixin:
    """Fields that must never be filtered on through the admin's URL (``?iban__startswith=DE89…``).

    Django's admin accepts any lookup on a model's own fields in the query string; a prefix lookup answered
    by "rows found / no rows" recovers a hidden value one character at a time. Lookups on these fields are
    refused (Django answers 400, DisallowedModelAdminLookup) for everyone except a superuser, who may see
    the values anyway; ``always_protected_lookups`` are refused for superusers too (password hashes).
    """

    protected_lookups: frozenset[str] = frozenset()
    always_protected_lookups: frozenset[str] = frozenset()

    def lookup_allowed(self, lookup, value, request=None):
        field = lookup.split("__", 1)[0]
        if field in self.always_protected_lookups:
            return False
        if field in self.protected_lookups and not (
            request is not None and request.user.is_active and request.user.is_superuser
        ):
            return False
        return super().lookup_allowed(lookup, value, request)


class WorkflowFieldsReadOnlyMixin:
    """A model whose state moves through a workflow (claims, payouts, contracts, certificates): the admin is
    for fixing data, not for skipping the workflow. ``workflow_fields`` are read-only for everyone,
    superusers included; rows are created and removed only by the portal's services (an added row would
    skip their checks, a deleted one would leave payouts, reports and the audit trail without their record).
    """

    workflow_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + [name for name in self.workflow_fields if name not in fields]

    def has_add_permission(self, request, *args, **kwargs) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
