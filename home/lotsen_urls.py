"""/lotsen/ (namespace "lotsen"): the list and the Lotse page (composed here), lotsen's own pages and the
contract pages of the allowances app, which hang under a Lotse."""

from django.urls import path

import lotsen.urls
from allowances.views import contracts
from home.views import lotsen as lotsen_views

app_name = "lotsen"
urlpatterns = [
    path("", lotsen_views.lotse_list, name="list"),
    path("<id:pk>/", lotsen_views.lotse_detail, name="detail"),
    *lotsen.urls.urlpatterns,
    path("<id:pk>/contracts/new/", contracts.contract_create, name="contract_create"),
    path("contracts/<id:pk>/renew/", contracts.contract_renew, name="contract_renew"),
    path("contracts/<id:pk>/end/", contracts.contract_end, name="contract_end"),
    path("contracts/<id:pk>/upload/", contracts.contract_upload, name="contract_upload"),
    path("contracts/<id:pk>/document/", contracts.contract_document, name="contract_document"),
]
