from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "jcihub.programs"
    label = "programs"
    verbose_name = "Programmes and assessments"
