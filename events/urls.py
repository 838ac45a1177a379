from django.urls import path

from events.views import at_event
from events.views import events as views
from events.views import public as public_views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("<id:pk>/", views.event_detail, name="detail"),
    path("<id:pk>/edit/", views.event_edit, name="edit"),
    path("<id:pk>/register/", views.event_register, name="register"),
    path("<id:pk>/attendance/", views.event_attendance, name="attendance"),
    path("<id:pk>/attendance/walk-in/", views.attendance_walk_in, name="attendance_walk_in"),
    path("<id:pk>/attendance/all-present/", views.attendance_all_present, name="attendance_all_present"),
    path("attendance/<id:pk>/", views.attendance_set, name="attendance_set"),
    path("attendance/<id:pk>/remove/", views.registration_remove, name="registration_remove"),
    # public, without login (events.views.public)
    path("public/", public_views.public_list, name="public_list"),
    path("public/privacy/", public_views.public_privacy, name="public_privacy"),
    path("public/<id:pk>/", public_views.public_detail, name="public_detail"),
    path("public/<id:pk>/register/", public_views.public_register, name="public_register"),
    path("public/<id:pk>/thanks/", public_views.public_registered, name="public_registered"),
    path("guest/<slug:token>/", public_views.guest_manage, name="guest_manage"),
    path("guest/<slug:token>/confirm/", public_views.guest_confirm, name="guest_confirm"),
    path("guest/<slug:token>/workshop/", public_views.guest_change, name="guest_change"),
    path("guest/<slug:token>/cancel/", public_views.guest_cancel, name="guest_cancel"),
    path("guest/<slug:token>/event.ics", public_views.guest_ics, name="guest_ics"),
    # at the event (issue #13)
    path("<id:pk>/participants/", at_event.participant_list, name="participants"),
    path("<id:pk>/participants/csv/", at_event.participants_csv, name="participants_csv"),
    path("<id:pk>/participants/xlsx/", at_event.participants_xlsx, name="participants_xlsx"),
    path("<id:pk>/badges/", at_event.badges_create, name="badges_create"),
    path("badges/<id:pk>/", at_event.badge_batch, name="badge_batch"),
    path("badges/<id:pk>/download/", at_event.badge_download, name="badge_download"),
    path("<id:pk>/checkin/", at_event.checkin, name="checkin"),
    path("checkin/<slug:token>/", at_event.checkin_scan, name="checkin_scan"),
]
