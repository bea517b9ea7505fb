from django.urls import path

from . import views

app_name = "funds"
urlpatterns = [
    path("", views.authorisations, name="authorisations"),
    path("<int:pk>/", views.ledger, name="ledger"),
    path("<int:pk>/spending.csv", views.export, name="export"),
    path("expenditures/<int:pk>/void/", views.void, name="void"),
]
