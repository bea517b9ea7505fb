"""Taskforce records for tests elsewhere (the access URL matrix)."""

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile

from jcihub.taskforce.models import CaseNote, FlagRule, Meeting, OffenseCode, TaskforceCase


def sample_case(property_id: int) -> TaskforceCase:
    """A case on the property, led by the police."""
    case, _ = TaskforceCase.objects.get_or_create(
        property_id=property_id, defaults={"lead_agency": "police", "summary": "x"}
    )
    return case


def sample_note(case: TaskforceCase) -> CaseNote:
    note = case.notes.exclude(attachment="").first()
    if note is None:
        note = CaseNote(case=case, text="Inspection report attached")
        note.attachment.save("sample.txt", ContentFile(b"Inspection: two doors boarded.\n"))
        note.attachment_name, note.attachment_type, note.attachment_size = (
            "inspection.txt",
            "text/plain",
            31,
        )
        note.save()
    return note


def url_kwargs(name: str, property_id: int) -> dict[str, Any]:
    """The URL arguments of a taskforce page, for the sample property."""
    if name == "taskforce:category_edit":  # a code the migration seeds
        return {"pk": OffenseCode.objects.get(code="13A").pk}
    if name == "taskforce:rule_edit":  # a rule the migration seeds
        return {"pk": FlagRule.objects.order_by("pk").first().pk}  # type: ignore[union-attr]
    if name == "taskforce:case":
        return {"pk": sample_case(property_id).pk}
    if name == "taskforce:note_attachment":
        case = sample_case(property_id)
        return {"pk": case.pk, "note_pk": sample_note(case).pk}
    if name in {"taskforce:meeting", "taskforce:minutes"}:
        meeting = Meeting.objects.first() or Meeting.objects.create(held_on=dt.date(2024, 7, 1))
        return {"pk": meeting.pk}
    return {}
