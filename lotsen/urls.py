from django.urls import path

from allowances.views import contracts
from lotsen.views import lotsen as views

app_name = "lotsen"
urlpatterns = [
    path("", views.lotse_list, name="list"),
    path("new/", views.lotse_create, name="create"),
    path("<id:pk>/", views.lotse_detail, name="detail"),
    path("<id:pk>/edit/", views.lotse_edit, name="edit"),
    path("<id:pk>/status/", views.lotse_status, name="status"),
    path("<id:pk>/invite/", views.lotse_invite, name="invite"),
    path("<id:pk>/restore-login/", views.lotse_restore_login, name="restore_login"),
    path("<id:pk>/bank-data/confirm/", views.lotse_confirm_bank_data, name="confirm_bank_data"),
    path("<id:pk>/contracts/new/", contracts.contract_create, name="contract_create"),
    path("contracts/<id:pk>/renew/", contracts.contract_renew, name="contract_renew"),
    path("contracts/<id:pk>/end/", contracts.contract_end, name="contract_end"),
    path("contracts/<id:pk>/upload/", contracts.contract_upload, name="contract_upload"),
    path("contracts/<id:pk>/document/", contracts.contract_document, name="contract_document"),
]
