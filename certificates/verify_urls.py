"""Public verification URLs, included by portal/urls.py as path("verify/", include(...))."""

from django.urls import path

from certificates import verify_views

app_name = "verify"
urlpatterns = [
    path("", verify_views.verify_lookup, name="lookup"),
    path("<slug:code>/", verify_views.verify_code, name="code"),
]
