"""The Lotse's own self-service pages of the lotsen app: consultations and profile. The namespace "me" (all
of /me/) is put together in home.me_urls, with the events' and the claims' pages."""

from django.urls import path

from lotsen.views import me as views

urlpatterns = [
    path("consultations/", views.consultation_list, name="consultations"),
    path("consultations/new/", views.consultation_create, name="consultation_create"),
    path("consultations/<id:pk>/edit/", views.consultation_edit, name="consultation_edit"),
    path("consultations/<id:pk>/delete/", views.consultation_delete, name="consultation_delete"),
    path("profile/", views.profile, name="profile"),
]
