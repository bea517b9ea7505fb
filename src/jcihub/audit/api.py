"""Read-only API over the audit trail, for auditors."""

from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from jcihub.access.policy import Cap

from .models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "occurred_at",
            "actor_username",
            "actor_role",
            "action",
            "object_type",
            "object_id",
            "person_id",
            "summary",
            "changes",
            "reason",
            "ip_address",
            "path",
            "prev_hash",
            "entry_hash",
        ]


class AuditEntryFilter(filters.FilterSet):
    since = filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    until = filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lte")

    class Meta:
        model = AuditEntry
        fields = ["action", "actor_username", "person_id", "object_type"]


class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet[AuditEntry]):
    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilter
    access_capabilities = {"*": Cap.AUDIT_VIEW}

    def get_queryset(self) -> QuerySet[AuditEntry]:
        return AuditEntry.objects.order_by("-id")

    def check_access(self, user: Any, entry: AuditEntry, write: bool) -> bool:
        return not write
