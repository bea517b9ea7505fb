from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "jcihub.incidents"
    label = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from jcihub.access.policy import Cap
        from jcihub.core import timeline
        from jcihub.places import sections

        from .selectors import people_section, person_timeline_events, property_section

        timeline.register("incidents", person_timeline_events)
        sections.register("incidents", Cap.INCIDENTS_VIEW, property_section)
        sections.register_for_viewer("incidents_people", Cap.INCIDENTS_VIEW, people_section)
