from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jcihub.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"
