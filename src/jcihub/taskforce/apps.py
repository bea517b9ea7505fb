from django.apps import AppConfig


class TaskforceConfig(AppConfig):
    name = "jcihub.taskforce"
    label = "taskforce"
    verbose_name = "Public Safety Taskforce"

    def ready(self) -> None:
        from jcihub.access.policy import Cap
        from jcihub.places import changes, sections

        from .counts import incidents_changing, properties_changed
        from .selectors import cases_section, property_section

        changes.register("taskforce", properties_changed, incidents=incidents_changing)
        sections.register("taskforce", Cap.TASKFORCE_VIEW, property_section)
        sections.register_for_viewer("taskforce_cases", Cap.TASKFORCE_CASEWORK, cases_section)
