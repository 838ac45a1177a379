from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_index, name="index"),
    path("export/<slug:table>.<slug:fmt>", views.report_export, name="export"),
    path("pdf/", views.pdf_request, name="pdf_request"),
    path("pdf/<id:pk>/", views.pdf_status, name="pdf_status"),
    path("pdf/<id:pk>/download/", views.pdf_download, name="pdf_download"),
]
