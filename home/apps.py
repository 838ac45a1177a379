from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The top of the layers: what wires the apps together (start pages, pages that show several apps' data,
    the demo data). Nothing imports from here but the root URLconf."""

    name = "home"
    verbose_name = _("Start page")

    def ready(self):
        from home import lotse_start

        lotse_start.connect()
