from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "jcihub.incidents"
    label = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from jcihub.core import timeline

        from .selectors import person_timeline_events

        timeline.register("incidents", person_timeline_events)
