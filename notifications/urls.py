from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("accounts/reminders/", views.reminder_settings, name="settings"),
    path("reminders/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
