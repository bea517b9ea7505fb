from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "jcihub.access"
    label = "access"
    verbose_name = "Access policy"
