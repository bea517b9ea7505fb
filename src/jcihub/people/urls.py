from django.urls import path

from . import match_views, views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("export.csv", views.export_csv, name="export"),
    path("intake/", views.intake, name="intake"),
    path("intake/matches/", views.intake_matches, name="intake_matches"),
    path("duplicates/", match_views.queue, name="match_queue"),
    path("duplicates/<int:pk>/", match_views.candidate_detail, name="match"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/add/<slug:kind>/", views.add_detail, name="add_detail"),
    path("<int:pk>/consents/<int:consent_id>/revoke/", views.revoke_consent, name="revoke_consent"),
    path("<int:pk>/flags/<int:flag_id>/clear/", views.clear_flag, name="clear_flag"),
    path("<int:pk>/seal/", views.seal, name="seal"),
    path("<int:pk>/break-glass/", views.break_glass, name="break_glass"),
]
