from django.urls import path

from events import views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/edit/", views.event_edit, name="edit"),
    path("<int:pk>/register/", views.event_register, name="register"),
    path("<int:pk>/attendance/", views.event_attendance, name="attendance"),
    path("attendance/<int:pk>/", views.attendance_set, name="attendance_set"),
    path("attendance/<int:pk>/remove/", views.registration_remove, name="registration_remove"),
]
