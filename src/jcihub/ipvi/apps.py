from django.apps import AppConfig


class IpviConfig(AppConfig):
    name = "jcihub.ipvi"
    label = "ipvi"
    verbose_name = "IPVI focused deterrence"

    def ready(self) -> None:
        from jcihub.core import timeline

        from .notification_selectors import timeline_events

        timeline.register("ipvi", timeline_events)
