from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LotsenConfig(AppConfig):
    name = "lotsen"
    verbose_name = _("Lotsen")
