from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("", views.property_list, name="list"),
    path("<int:pk>/", views.property_detail, name="detail"),
    path("<int:pk>/parcel/", views.parcel_edit, name="parcel"),
    path("parcels/import/", views.parcel_import, name="parcel_import"),
    path("addresses/", views.address_list, name="addresses"),
    path("addresses/<int:pk>/correct/", views.correct_address, name="correct"),
]
