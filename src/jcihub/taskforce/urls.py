from django.urls import path

from . import meeting_views, views

app_name = "taskforce"
urlpatterns = [
    path("", views.ranked_properties, name="properties"),
    path("export.csv", views.ranked_export, name="export"),
    path("map/", views.flagged_map, name="map"),
    path("categories/", views.offense_categories, name="categories"),
    path("categories/<int:pk>/", views.edit_offense_code, name="category_edit"),
    path("rules/", views.flag_rules, name="rules"),
    path("rules/<int:pk>/", views.edit_flag_rule, name="rule_edit"),
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path(
        "cases/<int:pk>/notes/<int:note_pk>/file",
        views.note_attachment,
        name="note_attachment",
    ),
    path("mine/", views.my_items, name="my_items"),
    path("agencies/", views.agency_teams, name="agencies"),
    path("report/", meeting_views.monthly_report, name="report"),
    path("report.pdf", meeting_views.monthly_report_pdf, name="report_pdf"),
    path("report.csv", meeting_views.monthly_report_csv, name="report_csv"),
    path("meetings/", meeting_views.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/minutes.pdf", meeting_views.meeting_minutes, name="minutes"),
]
