from django.urls import path

from . import views

app_name = "programs"
urlpatterns = [
    path("instruments/", views.instrument_list, name="instruments"),
    path("instruments/<slug:code>/", views.instrument_detail, name="instrument"),
    path("people/<int:pk>/assessments/", views.person_history, name="history"),
    path("people/<int:pk>/assess/<slug:code>/", views.assess, name="assess"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
]
