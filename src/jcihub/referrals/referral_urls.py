from django.urls import path

from . import referral_views as views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("export.csv", views.referral_export, name="export"),
    path("new/", views.referral_create, name="create"),
    path("report/", views.referral_report, name="report"),
    path("report/export.csv", views.referral_report_csv, name="report_csv"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/update/", views.referral_update, name="update"),
]
