from django.urls import path

from accounts import views

urlpatterns = [
    path("invitation/<uidb64>/<token>/", views.accept_invitation, name="accept_invitation"),
    # Shadows allauth's e-mail management (adding addresses): coordinators manage logins.
    path("email/", views.email_info, name="account_email"),
    # Shadows allauth's password re-authentication: with MFA enrolled the second factor is asked for.
    # allauth's MFA overview with the counts the portal's template shows.
    path("2fa/", views.mfa_index, name="mfa_index"),
    path("reauthenticate/", views.reauthenticate, name="account_reauthenticate"),
]
