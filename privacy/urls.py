from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("me/data/", views.my_data, name="my_data"),
    path("lotsen/<id:pk>/data/", views.lotse_data, name="lotse_data"),
    path("lotsen/<id:pk>/anonymise/", views.anonymise, name="anonymise"),
]
