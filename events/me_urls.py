"""The Lotse's events under /me/events/; part of the namespace "me" (home.me_urls)."""

from django.urls import path

from events.views import me as views

urlpatterns = [
    path("events/", views.event_list, name="events"),
    path("events/<id:pk>/register/", views.event_register, name="event_register"),
    path("events/<id:pk>/cancel/", views.event_cancel, name="event_cancel"),
]
