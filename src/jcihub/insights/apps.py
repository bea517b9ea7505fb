from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "jcihub.insights"
    verbose_name = "Insights"
