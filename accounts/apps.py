from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    # allauth's account app (e-mail addresses) is "Accounts" (Konten) in the admin already: one name each.
    verbose_name = _("Users and access")

    def ready(self):
        from accounts import signals  # noqa: F401 (connects the receivers)
