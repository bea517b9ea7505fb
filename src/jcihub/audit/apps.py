from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jcihub.audit"
    label = "audit"
    verbose_name = "Audit trail"
