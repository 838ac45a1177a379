from django.urls import path

from events.views import events as views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("<id:pk>/", views.event_detail, name="detail"),
    path("<id:pk>/edit/", views.event_edit, name="edit"),
    path("<id:pk>/register/", views.event_register, name="register"),
    path("<id:pk>/attendance/", views.event_attendance, name="attendance"),
    path("attendance/<id:pk>/", views.attendance_set, name="attendance_set"),
    path("attendance/<id:pk>/remove/", views.registration_remove, name="registration_remove"),
]
