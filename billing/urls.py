from django.urls import path

from billing import views

app_name = "billing"
urlpatterns = [
    path("runs/", views.run_list, name="runs"),
    path("runs/start/", views.run_start, name="run_start"),
    path("runs/<id:pk>/", views.run_detail, name="run"),
    path("runs/<id:pk>/remind/<id:lotse_pk>/", views.run_remind, name="run_remind"),
    path("runs/<id:pk>/close/", views.run_close, name="run_close"),
    path("claims/<id:pk>/statement.pdf", views.claim_statement, name="claim_statement"),
    path("year-end/", views.year_end_list, name="year_end"),
    path("year-end/issue/", views.year_end_issue, name="year_end_issue"),
    path("year-end/batches/<id:pk>/", views.year_end_batch, name="year_end_batch"),
    path("year-end/batches/<id:pk>/statements.zip", views.year_end_batch_zip, name="year_end_batch_zip"),
    path("year-end/<id:pk>/download/", views.year_end_download, name="year_end_download"),
    path("year-end/<id:pk>/reissue/", views.year_end_reissue, name="year_end_reissue"),
    path("evaluation/<year:year>.xlsx", views.evaluation_xlsx, name="evaluation"),
]
