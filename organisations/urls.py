"""The organisations app's own pages under /organisations/. The namespace "organisations" is put together in
home.organisations_urls, with the organisation's page (home)."""

from django.urls import path

from organisations import views

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("new/", views.organisation_create, name="create"),
    path("<id:pk>/edit/", views.organisation_edit, name="edit"),
]
