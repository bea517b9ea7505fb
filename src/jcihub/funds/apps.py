from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "jcihub.funds"
    verbose_name = "Funds"
