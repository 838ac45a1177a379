from django.urls import path

from certificates import views

app_name = "certificates"
urlpatterns = [
    path("", views.certificate_list, name="list"),
    path("<id:pk>/", views.certificate_detail, name="detail"),
    path("<id:pk>/download/", views.certificate_download, name="download"),
    path("<id:pk>/revoke/", views.certificate_revoke, name="revoke"),
    path("<id:pk>/reissue/", views.certificate_reissue, name="reissue"),
    path("issue/lotse/<id:lotse_pk>/", views.issue_for_lotse, name="issue_for_lotse"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("batches/<id:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<id:pk>/certificates.zip", views.batch_zip, name="batch_zip"),
]
