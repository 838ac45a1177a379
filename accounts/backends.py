"""The portal's authentication backend."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PortalBackend(ModelBackend):
    """Django's ModelBackend (e-mail and password; allauth's backend stays second), except that the user of a
    session is read together with their Lotse record and its region: in one query instead of two on every
    page a Lotse opens (``User.lotse_profile`` takes it from there; ``make bench-load``)."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("lotse__region").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
