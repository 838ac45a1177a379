from django.urls import path

from regions import views

app_name = "regions"
urlpatterns = [
    path("", views.region_list, name="list"),
    path("<slug:slug>/", views.region_detail, name="detail"),
    path("<slug:slug>/certificate-images/", views.certificate_images, name="certificate_images"),
    path("<slug:slug>/certificate-images/<slug:image>/", views.certificate_image, name="certificate_image"),
    path(
        "<slug:slug>/certificate-images/<slug:image>/remove/",
        views.certificate_image_remove,
        name="certificate_image_remove",
    ),
]
