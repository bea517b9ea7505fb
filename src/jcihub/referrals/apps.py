from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "jcihub.referrals"
    label = "referrals"
    verbose_name = "Service directory and referrals"
