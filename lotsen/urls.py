from django.urls import path

from lotsen.views import lotsen as views

app_name = "lotsen"
urlpatterns = [
    path("", views.lotse_list, name="list"),
    path("<int:pk>/", views.lotse_detail, name="detail"),
]
