from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self):
        from certificates import services
        from portal.queue import register_sweeper

        register_sweeper("certificates", services.requeue_stale)
