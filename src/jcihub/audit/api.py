"""Read-only API over the audit trail, for auditors."""

import datetime as dt
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


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 instant, compared in UTC: PostgreSQL refuses offsets beyond ±15:59, which
    ISO allows, and an instant whose UTC form falls outside years 1-9999 matches all or
    nothing rather than failing."""

    def filter(self, qs: QuerySet[Any], value: dt.datetime | None) -> QuerySet[Any]:
        if value is None:
            return qs
        try:
            value = value.astimezone(dt.UTC)
        except OverflowError:
            beyond_the_end = value.year > 1
            wanted_after = self.lookup_expr.startswith("gt")
            return qs.none() if beyond_the_end == wanted_after else qs
        return super().filter(qs, value)


class AuditEntryFilter(filters.FilterSet):
    since = UtcDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    until = UtcDateTimeFilter(field_name="occurred_at", lookup_expr="lte")

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
