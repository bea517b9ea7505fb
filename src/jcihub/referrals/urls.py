from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.directory_search, name="search"),
    path("organizations/<uuid:pk>/", views.organization_detail, name="organization"),
    path("services/<uuid:pk>/", views.service_detail, name="service"),
]
