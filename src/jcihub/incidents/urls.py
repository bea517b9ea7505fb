from django.urls import path

from . import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("export.csv", views.incident_export, name="export"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("imports/", views.run_list, name="runs"),
    path("imports/<int:pk>/", views.run_detail, name="run"),
    path("imports/<int:pk>/rejected.csv", views.rejected_csv, name="rejected_csv"),
]
