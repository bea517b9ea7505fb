from django.apps import AppConfig


class TaskforceConfig(AppConfig):
    name = "jcihub.taskforce"
    label = "taskforce"
    verbose_name = "Public Safety Taskforce"

    def ready(self) -> None:
        from jcihub.access.policy import Cap
        from jcihub.places import sections

        from .selectors import cases_section, property_section

        sections.register("taskforce", Cap.TASKFORCE_VIEW, property_section)
        sections.register_for_viewer("taskforce_cases", Cap.TASKFORCE_CASEWORK, cases_section)
