from django.apps import AppConfig


class ReentryConfig(AppConfig):
    name = "jcihub.reentry"
    label = "reentry"
    verbose_name = "Reentry and victim services cases"

    def ready(self) -> None:
        from jcihub.core import timeline

        from .selectors import case_timeline_events

        timeline.register("reentry", case_timeline_events)
