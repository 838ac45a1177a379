from django.urls import path

from lotsen.views import contracts
from lotsen.views import lotsen as views

app_name = "lotsen"
urlpatterns = [
    path("", views.lotse_list, name="list"),
    path("new/", views.lotse_create, name="create"),
    path("<int:pk>/", views.lotse_detail, name="detail"),
    path("<int:pk>/edit/", views.lotse_edit, name="edit"),
    path("<int:pk>/status/", views.lotse_status, name="status"),
    path("<int:pk>/invite/", views.lotse_invite, name="invite"),
    path("<int:pk>/restore-login/", views.lotse_restore_login, name="restore_login"),
    path("<int:pk>/contracts/new/", contracts.contract_create, name="contract_create"),
    path("contracts/<int:pk>/renew/", contracts.contract_renew, name="contract_renew"),
    path("contracts/<int:pk>/end/", contracts.contract_end, name="contract_end"),
    path("contracts/<int:pk>/upload/", contracts.contract_upload, name="contract_upload"),
    path("contracts/<int:pk>/document/", contracts.contract_document, name="contract_document"),
]
