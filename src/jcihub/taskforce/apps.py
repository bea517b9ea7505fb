from django.apps import AppConfig


class TaskforceConfig(AppConfig):
    name = "jcihub.taskforce"
    label = "taskforce"
    verbose_name = "Public Safety Taskforce"

    def ready(self) -> None:
        from jcihub.access.policy import Cap
        from jcihub.places import sections

        from .selectors import property_section

        sections.register("taskforce", Cap.TASKFORCE_VIEW, property_section)
