from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jcihub.core"
    label = "core"
    verbose_name = "Core"
