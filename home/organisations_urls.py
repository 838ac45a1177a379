"""/organisations/ (namespace "organisations"): the organisations app's pages and the organisation's page,
composed here (it shows its Lotsen's activity)."""

from django.urls import path

import organisations.urls
from home.views import organisations as organisations_views

app_name = "organisations"
urlpatterns = [
    *organisations.urls.urlpatterns,
    path("<id:pk>/", organisations_views.organisation_detail, name="detail"),
]
