from django.urls import path

from . import views

app_name = "taskforce"
urlpatterns = [
    path("", views.ranked_properties, name="properties"),
    path("export.csv", views.ranked_export, name="export"),
    path("categories/", views.offense_categories, name="categories"),
    path("categories/<int:pk>/", views.edit_offense_code, name="category_edit"),
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
]
