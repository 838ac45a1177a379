from django.urls import path

from allowances.views import claims as views
from allowances.views import declarations

app_name = "claims"
urlpatterns = [
    path("", views.claim_list, name="list"),
    path("<id:pk>/", views.claim_detail, name="detail"),
    path("<id:pk>/consultations/", views.claim_consultations, name="consultations"),
    path("<id:pk>/flags/acknowledge/", views.claim_acknowledge_flag, name="acknowledge_flag"),
    path("<id:pk>/approve/", views.claim_approve, name="approve"),
    path("<id:pk>/reject/", views.claim_reject, name="reject"),
    path("pay/", views.claims_pay, name="pay"),
    path("export.csv", views.claims_export_csv, name="export_csv"),
    path("export.xlsx", views.claims_export_xlsx, name="export_xlsx"),
    path("self-declarations/", declarations.self_declaration_list, name="self_declarations"),
    path("self-declarations/new/", declarations.self_declaration_create, name="self_declaration_create"),
    path("self-declarations/<id:pk>/", declarations.self_declaration_edit, name="self_declaration_edit"),
    path(
        "self-declarations/<id:pk>/document/",
        declarations.self_declaration_document,
        name="self_declaration_document",
    ),
]
