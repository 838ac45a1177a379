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
