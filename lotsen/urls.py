"""Lotsen's own coordinator pages under /lotsen/. The namespace "lotsen" is put together in home.lotsen_urls,
with the list and Lotse page (home) and the contract pages (allowances)."""

from django.urls import path

from lotsen.views import lotsen as views

urlpatterns = [
    path("new/", views.lotse_create, name="create"),
    path("<id:pk>/edit/", views.lotse_edit, name="edit"),
    path("<id:pk>/status/", views.lotse_status, name="status"),
    path("<id:pk>/invite/", views.lotse_invite, name="invite"),
    path("<id:pk>/restore-login/", views.lotse_restore_login, name="restore_login"),
    path("<id:pk>/bank-data/confirm/", views.lotse_confirm_bank_data, name="confirm_bank_data"),
]
