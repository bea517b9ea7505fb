from django.urls import path

from . import views

app_name = "reentry"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("report/", views.report, name="report"),
    path("report/export.csv", views.report_csv, name="report_csv"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/needs/", views.case_needs, name="needs"),
]
