"""The Lotse's self-service: everything under /me/ (namespace "me"), from the apps that own each page:
consultations and profile (lotsen), claims (allowances), events (events)."""

from django.urls import path

import events.me_urls
import lotsen.me_urls
from allowances.views import me as claim_views

app_name = "me"
urlpatterns = [
    *lotsen.me_urls.urlpatterns,
    path("claims/", claim_views.claim_list, name="claims"),
    path("claims/<year:year>/<month:month>/", claim_views.claim_month, name="claim_month"),
    *events.me_urls.urlpatterns,
]
