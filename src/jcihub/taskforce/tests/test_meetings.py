"""Meetings: the agenda from new flags, open cases and overdue items; attendance;
decisions recorded against cases; the minutes as PDF (audited)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import user_with_role
from jcihub.taskforce import selectors, services
from jcihub.taskforce.models import Meeting

from .helpers import incident, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator():
    return user_with_role("taskforce_coordinator")


@pytest.fixture
def setting(coordinator):
    flagged = place("3400  NORTON AV", "64130")
    for days in (1, 5, 9):
        incident(flagged, days, "13A")
    reviewed = place("1200  MAIN ST", "64105")
    for days in (1, 5, 9):
        incident(reviewed, days, "13A")
    case = services.open_case(coordinator, reviewed, "police", "Assaults")
    today = timezone.localdate()
    late = services.add_action_item(
        coordinator, case, "Board up", "police", today - dt.timedelta(days=4), coordinator
    )
    return flagged, reviewed, case, late


def test_the_agenda_holds_new_flags_open_cases_and_overdue_items(setting) -> None:
    flagged, _reviewed, case, late = setting
    agenda = selectors.meeting_agenda(timezone.localdate())
    assert [f["property_id"] for f in agenda["new_flags"]] == [flagged.pk]  # not under review
    assert [c["case_id"] for c in agenda["open_cases"]] == [case.pk]
    assert [i["item_id"] for i in agenda["overdue_items"]] == [late.pk]
    assert agenda["overdue_items"][0]["days_overdue"] == 4


def test_a_meeting_records_attendance_decisions_and_exports_minutes(coordinator, setting) -> None:
    _, _, case, _ = setting
    client = Client()
    client.force_login(coordinator)
    created = client.post(reverse("taskforce:meetings"), {"held_on": "2024-07-01", "title": ""})
    meeting = Meeting.objects.get()
    assert created.status_code == 302 and meeting.agenda["open_cases"]
    url = reverse("taskforce:meeting", args=[meeting.pk])
    sent = client.post(
        url,
        {"action": "attendance", "attendance-name": "Sgt. Ríos", "attendance-agency": "police"},
    )
    assert sent.status_code == 302
    client.post(
        url,
        {"action": "decision", "decision-case": case.pk, "decision-text": "Send abatement letter"},
    )
    assert case.decisions.get().text == "Send abatement letter"
    assert (
        "Send abatement letter"
        in client.get(reverse("taskforce:case", args=[case.pk])).content.decode()
    )
    pdf = client.get(reverse("taskforce:minutes", args=[meeting.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(
        action=AuditAction.EXPORT, object_type="taskforce.meeting_minutes"
    ).exists()


def test_an_empty_decision_is_explained(coordinator, setting) -> None:
    _, _, case, _ = setting
    meeting = services.schedule_meeting(coordinator, dt.date(2024, 7, 1), "", {})
    client = Client()
    client.force_login(coordinator)
    page = client.post(
        reverse("taskforce:meeting", args=[meeting.pk]),
        {"action": "decision", "decision-case": case.pk, "decision-text": ""},
    )
    assert page.status_code == 200 and "This field is required" in page.content.decode()
    assert not meeting.decisions.exists()
