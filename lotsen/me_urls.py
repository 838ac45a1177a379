"""The Lotse's self-service: everything under /me/ (namespace "me")."""

from django.urls import path

from allowances.views import me as claim_views
from lotsen.views import me as views

app_name = "me"
urlpatterns = [
    path("consultations/", views.consultation_list, name="consultations"),
    path("consultations/new/", views.consultation_create, name="consultation_create"),
    path("consultations/<id:pk>/edit/", views.consultation_edit, name="consultation_edit"),
    path("consultations/<id:pk>/delete/", views.consultation_delete, name="consultation_delete"),
    path("claims/", claim_views.claim_list, name="claims"),
    path("claims/<year:year>/<month:month>/", claim_views.claim_month, name="claim_month"),
    path("profile/", views.profile, name="profile"),
    path("events/", views.event_list, name="events"),
    path("events/<id:pk>/register/", views.event_register, name="event_register"),
    path("events/<id:pk>/cancel/", views.event_cancel, name="event_cancel"),
]
