from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from portal.queue import register_sweeper
        from reports import rollups, services

        # keep the rollups current with every change of the records they count
        rollups.connect()
        register_sweeper("reports", services.requeue_stale)
