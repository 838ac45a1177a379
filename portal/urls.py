from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

import portal.converters  # noqa: F401 (registers <id:>, <year:> and <month:> before the includes below)
from home.views import start as home_views
from portal import views

# The admin login goes through allauth, so it gets the same rate limits; only staff get in.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("Lotsenportal administration")
admin.site.site_title = _("Lotsenportal")

# A database that is away answers 503 with the branded page (portal.views.server_error).
handler500 = "portal.views.server_error"

urlpatterns = [
    path("", home_views.dashboard, name="dashboard"),
    path("healthz/", views.healthz, name="healthz"),
    path("healthz/ready/", views.healthz_ready, name="healthz_ready"),
    path("status/", views.system_status, name="system_status"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include("notifications.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("regions/", include("regions.urls")),
    path("organisations/", include("home.organisations_urls")),
    path("lotsen/", include("home.lotsen_urls")),
    path("claims/", include("allowances.urls")),
    path("me/", include("home.me_urls")),
    path("events/", include("events.urls")),
    path("certificates/", include("certificates.urls")),
    path("verify/", include("certificates.verify_urls")),
    path("reports/", include("reports.urls")),
    path("billing/", include("billing.urls")),
    path("", include("privacy.urls")),
    path("audit/", include("audit.urls")),
]
