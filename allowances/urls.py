from django.urls import path

from allowances.views import claims as views
from allowances.views import declarations, payouts

app_name = "claims"
urlpatterns = [
    path("", views.claim_list, name="list"),
    path("<id:pk>/", views.claim_detail, name="detail"),
    path("<id:pk>/consultations/", views.claim_consultations, name="consultations"),
    path("<id:pk>/flags/acknowledge/", views.claim_acknowledge_flag, name="acknowledge_flag"),
    path("<id:pk>/approve/", views.claim_approve, name="approve"),
    path("<id:pk>/reject/", views.claim_reject, name="reject"),
    # the pay page's form: a confirmation page with the sum, then a payout batch
    path("pay/", payouts.claims_pay, name="pay"),
    path("batches/", payouts.batch_list, name="batches"),
    path("batches/<id:pk>/", payouts.batch_detail, name="batch"),
    path("batches/<id:pk>/sent/", payouts.batch_confirm_sent, name="batch_confirm_sent"),
    path("batches/<id:pk>/cancel/", payouts.batch_cancel, name="batch_cancel"),
    path("batches/<id:pk>/sepa.xml", payouts.batch_sepa, name="batch_sepa"),
    path("batches/<id:pk>/transfers.csv", payouts.batch_csv, name="batch_csv"),
    path("batches/<id:pk>/transfers.xlsx", payouts.batch_xlsx, name="batch_xlsx"),
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
