from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("ipvi/", views.ipvi, name="ipvi"),
    path("ipvi/report.pdf", views.ipvi_report, name="ipvi_report"),
    path("ipvi/cohorts.csv", views.ipvi_cohorts_csv, name="ipvi_cohorts_csv"),
]
