"""Outcomes per case (6 and 12 months before and after, counts, rates, the small-numbers
note) and the monthly report (properties reviewed, on time, overdue by agency; PDF, CSV)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import user_with_role
from jcihub.taskforce import services
from jcihub.taskforce.models import ActionItem, TaskforceCase
from jcihub.taskforce.outcomes import add_months, case_outcome
from jcihub.taskforce.reports import monthly_csv_rows, monthly_report

from .helpers import END, incident, place

pytestmark = pytest.mark.django_db
START = dt.date(2024, 1, 1)  # END is 2024-06-30: six months after the start are on record


def _case_opened(on: dt.date, at=None) -> TaskforceCase:
    case = services.open_case(user_with_role("taskforce_coordinator"), at or place(), "police", "x")
    opened = dt.datetime.combine(on, dt.time(9), tzinfo=timezone.get_current_timezone())
    TaskforceCase.objects.filter(pk=case.pk).update(opened_at=opened)
    case.refresh_from_db()
    return case


def _at(at, day: dt.date) -> None:
    incident(at, (END - day).days, "13A")


def test_add_months_keeps_the_day_or_the_months_last() -> None:
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 1, 15), -6) == dt.date(2023, 7, 15)


def test_counts_and_rates_before_and_after_with_a_partial_window() -> None:
    norton = place()
    for day in [dt.date(2023, 8, d) for d in range(1, 13)]:  # 12 in the 6 months before
        _at(norton, day)
    _at(norton, dt.date(2022, 12, 1))  # 13 months before: in neither window
    _at(norton, START)  # the start day counts as after
    _at(norton, dt.date(2024, 3, 1))
    case = _case_opened(START, norton)
    six, twelve = case_outcome(case, data_end=END)
    assert (six.before, six.after) == (12, 2)
    assert round(six.before_rate, 1) == 2.0 and round(six.after_rate, 2) == round(
        2 / six.after_months, 2
    )
    assert not six.is_partial and six.p_value is not None and six.p_value < 0.05
    assert twelve.before == 12 and twelve.is_partial  # only six of the twelve months after
    assert "partial" in twelve.note and six.change_percent is not None and six.change_percent < -80


def test_a_handful_of_incidents_is_called_too_few() -> None:
    norton = place()
    _at(norton, dt.date(2023, 10, 1))
    _at(norton, dt.date(2024, 2, 1))
    six, _ = case_outcome(_case_opened(START, norton), data_end=END)
    assert six.is_too_small and six.p_value is None and "too few" in six.note


def test_a_case_opened_after_the_data_has_nothing_to_compare() -> None:
    six, _ = case_outcome(_case_opened(dt.date(2024, 8, 1)), data_end=END)
    assert not six.has_after and "nothing to compare" in six.note


def _item(case, agency: str, due: dt.date, done: dt.date | None):
    owner = user_with_role("taskforce_coordinator")
    item = services.add_action_item(owner, case, "Do it", agency, due, owner)
    if done:
        at = dt.datetime.combine(done, dt.time(12), tzinfo=timezone.get_current_timezone())
        ActionItem.objects.filter(pk=item.pk).update(status="done", completed_at=at)
    ActionItem.objects.filter(pk=item.pk).update(created_at=dt.datetime(2024, 5, 1, tzinfo=dt.UTC))


def test_the_monthly_report_counts_reviews_timeliness_and_overdue_by_agency() -> None:
    case = _case_opened(dt.date(2024, 5, 20))
    _case_opened(dt.date(2024, 7, 5), place("1200  MAIN ST", "64105"))  # after the month
    _item(case, "police", dt.date(2024, 6, 10), dt.date(2024, 6, 9))  # on time
    _item(case, "police", dt.date(2024, 6, 10), dt.date(2024, 6, 20))  # late
    _item(case, "health", dt.date(2024, 6, 15), None)  # overdue at month end
    _item(case, "health", dt.date(2024, 6, 15), dt.date(2024, 7, 3))  # done after: overdue
    _item(case, "fire", dt.date(2024, 7, 15), None)  # not yet due
    report = monthly_report(dt.date(2024, 6, 1))
    assert report.properties_reviewed == 1 and report.cases_opened == 0
    lines = {line.agency: line for line in report.agencies}
    assert (lines["Police (KCPD)"].completed_on_time, lines["Police (KCPD)"].completed_late) == (
        1,
        1,
    )
    assert lines["Health department"].overdue_at_month_end == 2
    assert "Fire department" not in lines
    rows = list(monthly_csv_rows(report))
    assert ["summary", "actions_completed_on_time", 1] in rows
    assert any(row[0] == "outcome" and row[1] == case.pk for row in rows)


def test_the_report_pages_export_pdf_and_csv_audited() -> None:
    _case_opened(dt.date(2024, 5, 20))
    client = Client()
    client.force_login(user_with_role("analyst"))
    page = client.get(reverse("taskforce:report"), {"month": "2024-06"})
    assert page.status_code == 200 and "Properties reviewed" in page.content.decode()
    pdf = client.get(reverse("taskforce:report_pdf"), {"month": "2024-06"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    csv = client.get(reverse("taskforce:report_csv"), {"month": "2024-06"})
    assert b"properties_reviewed" in b"".join(csv.streaming_content)
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.EXPORT, object_type="taskforce.monthly_report"
        ).count()
        == 2
    )
    bad = client.get(reverse("taskforce:report_csv"), {"month": "2024-13"})
    assert bad.status_code == 400 and b"YYYY-MM" in bad.content
