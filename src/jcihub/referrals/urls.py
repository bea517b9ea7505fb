from django.urls import path

from . import change_views, views

app_name = "directory"
urlpatterns = [
    path("", views.directory_search, name="search"),
    path("organizations/<uuid:pk>/", views.organization_detail, name="organization"),
    path(
        "organizations/<uuid:pk>/propose/",
        change_views.propose_organization,
        name="propose_organization",
    ),
    path(
        "organizations/<uuid:pk>/settings/",
        change_views.organization_settings,
        name="organization_settings",
    ),
    path("services/<uuid:pk>/", views.service_detail, name="service"),
    path("services/<uuid:pk>/propose/", change_views.propose_service, name="propose_service"),
    path("changes/", change_views.change_list, name="changes"),
    path("changes/<int:pk>/", change_views.change_detail, name="change"),
]
