from django.urls import path

from . import views

app_name = "ipvi"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("rebuild/", views.rebuild, name="rebuild"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate"),
    path("tiers/", views.ladder, name="tiers"),
]
