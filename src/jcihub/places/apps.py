from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "jcihub.places"
    label = "places"
    verbose_name = "Places"
