from django.urls import path

from . import ladder_views, views

app_name = "ipvi"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("rebuild/", views.rebuild, name="rebuild"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate"),
    path("tiers/", views.ladder, name="tiers"),
    path("tiers/new/", ladder_views.tier_edit, name="tier_new"),
    path("tiers/<int:pk>/", ladder_views.tier_edit, name="tier_edit"),
]
