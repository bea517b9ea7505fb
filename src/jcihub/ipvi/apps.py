from django.apps import AppConfig


class IpviConfig(AppConfig):
    name = "jcihub.ipvi"
    label = "ipvi"
    verbose_name = "IPVI focused deterrence"
