from django.urls import path

from accounts import views

urlpatterns = [
    path("invitation/<uidb64>/<token>/", views.accept_invitation, name="accept_invitation"),
    # Shadows allauth's e-mail management (adding addresses): coordinators manage logins.
    path("email/", views.email_info, name="account_email"),
]
