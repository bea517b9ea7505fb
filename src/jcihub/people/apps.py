from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "jcihub.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from jcihub.core import timeline

        from .selectors import person_timeline_events

        timeline.register("people", person_timeline_events)
