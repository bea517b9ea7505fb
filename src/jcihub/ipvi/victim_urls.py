"""Victim outreach under /ipvi/victims/ (its own URL block, beside the IPVI queue's)."""

from django.urls import path

from . import victim_views as views

app_name = "ipvi_victims"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("open/", views.open_case, name="open"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/screen/<slug:code>/", views.screen, name="screen"),
    path("<int:pk>/<slug:action>/", views.case_action, name="act"),
]
