"""Taskforce documents: meeting minutes (PDF) and the monthly report (PDF and CSV)."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from jcihub.core.pdf import Document, stamp

from .models import ActionItem, Agency, Meeting, TaskforceCase
from .outcomes import MIN_INCIDENTS, Comparison, add_months, case_outcome
from .selectors import default_end


def minutes_document(meeting: Meeting) -> Document:
    agenda = meeting.agenda or {}
    doc = Document(
        f"Minutes: {meeting.title}",
        subtitle=f"Multidisciplinary Public Safety Taskforce, {meeting.held_on:%d %B %Y}",
        footer_note=f"Taskforce meeting {meeting.pk}",
    )
    doc.heading("Attendance")
    doc.table(
        ["Name", "Agency"],
        [(a.name, a.get_agency_display()) for a in meeting.attendance.all()],
        widths=[1.2, 1],
        empty="No attendance recorded.",
    )
    doc.heading("Agenda")
    doc.paragraph(f"Built on {agenda.get('built_on', '')}.")
    doc.paragraph("Newly flagged properties (not under review)", bold=True)
    flags = agenda.get("new_flags", [])
    doc.table(
        ["Property", "Why flagged"],
        [(f["property"], "; ".join(f["reasons"])) for f in flags],
        widths=[1, 2],
    )
    hidden = agenda.get("new_flags_total", 0) - len(flags)
    if hidden > 0:
        doc.paragraph(f"And {hidden} more flagged properties (see the ranked list).")
    doc.paragraph("Open cases", bold=True)
    doc.table(
        ["Case", "Property", "Lead agency", "Open items", "Overdue"],
        [
            (c["case_id"], c["property"], c["lead_agency"], c["open_items"], c["overdue"])
            for c in agenda.get("open_cases", [])
        ],
        widths=[0.5, 2, 1.4, 0.7, 0.7],
    )
    doc.paragraph("Overdue action items", bold=True)
    doc.table(
        ["Case", "Action", "Owner", "Due", "Days overdue"],
        [
            (
                i["case_id"],
                i["description"],
                f"{i['agency']}: {i['owner']}" if i["owner"] else i["agency"],
                i["due_on"],
                i["days_overdue"],
            )
            for i in agenda.get("overdue_items", [])
        ],
        widths=[0.5, 2, 1.5, 0.8, 0.7],
    )
    doc.heading("Decisions")
    doc.table(
        ["Case", "Property", "Decision"],
        [
            (d.case_id, d.case.property.full_line, d.text)
            for d in meeting.decisions.select_related("case__property")
        ],
        widths=[0.5, 1.3, 3],
        empty="No decision recorded.",
    )
    doc.heading("Notes")
    doc.paragraph(meeting.notes or "None.")
    doc.paragraph(f"Recorded in JCI Hub; printed {stamp(meeting.created_at)}.", size=8)
    return doc


# --- The monthly taskforce report -----------------------------------------------------------


@dataclass(frozen=True)
class AgencyLine:
    agency: str
    completed_on_time: int
    completed_late: int
    overdue_at_month_end: int


@dataclass(frozen=True)
class CaseLine:
    case: TaskforceCase
    outcome: Comparison  # the 6-month comparison


@dataclass(frozen=True)
class MonthlyReport:
    month: dt.date  # its first day
    last_day: dt.date
    properties_reviewed: int
    cases_opened: int
    cases_closed: int
    agencies: list[AgencyLine]
    cases: list[CaseLine]

    @property
    def completed_on_time(self) -> int:
        return sum(line.completed_on_time for line in self.agencies)

    @property
    def completed(self) -> int:
        return self.completed_on_time + sum(line.completed_late for line in self.agencies)

    @property
    def overdue(self) -> int:
        return sum(line.overdue_at_month_end for line in self.agencies)


def _month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime, dt.date]:
    first = month.replace(day=1)
    following = add_months(first, 1)
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    stop = dt.datetime.combine(following, dt.time.min, tzinfo=zone)
    return start, stop, following - dt.timedelta(days=1)


def _agency_lines(start: dt.datetime, stop: dt.datetime, last_day: dt.date) -> list[AgencyLine]:
    """Per agency: items completed in the month on time or late, and items still open at
    the month's end past their due date (one grouped query)."""
    done_in_month = Q(completed_at__gte=start, completed_at__lt=stop)
    open_at_end = ~Q(status=ActionItem.Status.CANCELLED) & (
        Q(completed_at__isnull=True) | Q(completed_at__gte=stop)
    )
    rows = (
        ActionItem.objects.filter(created_at__lt=stop)
        .values("owner_agency")
        .annotate(
            on_time=Count("pk", filter=done_in_month & Q(completed_at__date__lte=F("due_on"))),
            late=Count("pk", filter=done_in_month & Q(completed_at__date__gt=F("due_on"))),
            overdue=Count("pk", filter=open_at_end & Q(due_on__lte=last_day)),
        )
        .order_by()
    )
    found = {row["owner_agency"]: row for row in rows}
    return [
        AgencyLine(
            str(label),
            found[code]["on_time"],
            found[code]["late"],
            found[code]["overdue"],
        )
        for code, label in Agency.choices
        if code in found
        and (found[code]["on_time"] or found[code]["late"] or found[code]["overdue"])
    ]


def monthly_report(month: dt.date) -> MonthlyReport:
    start, stop, last_day = _month_bounds(month)
    reviewed = TaskforceCase.objects.filter(opened_at__lt=stop).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=start)
    )
    data_end = min(default_end(), last_day)
    cases = [
        CaseLine(case, case_outcome(case, data_end)[0])
        for case in reviewed.select_related("property").order_by("opened_at", "id")
    ]
    return MonthlyReport(
        month=start.date(),
        last_day=last_day,
        properties_reviewed=reviewed.values("property").distinct().count(),
        cases_opened=TaskforceCase.objects.filter(opened_at__gte=start, opened_at__lt=stop).count(),
        cases_closed=TaskforceCase.objects.filter(closed_at__gte=start, closed_at__lt=stop).count(),
        agencies=_agency_lines(start, stop, last_day),
        cases=cases,
    )


def _rate(value: float) -> str:
    return f"{value:.1f}"


def outcome_cells(line: CaseLine) -> list[Any]:
    o = line.outcome
    return [
        line.case.pk,
        line.case.property.record_number,
        line.case.property.full_line,
        line.case.get_lead_agency_display(),
        f"{o.start:%Y-%m-%d}",
        o.before,
        o.after,
        _rate(o.before_rate),
        _rate(o.after_rate),
        f"{o.after_months:.1f}",
        o.note,
    ]


OUTCOME_COLUMNS = [
    "case",
    "property",
    "address",
    "lead_agency",
    "intervention_start",
    "incidents_6_months_before",
    "incidents_after_up_to_6_months",
    "per_month_before",
    "per_month_after",
    "months_after_observed",
    "note",
]


def monthly_csv_rows(report: MonthlyReport) -> Iterator[list[Any]]:
    """One CSV: the summary lines, then per agency, then per case (a `section` column)."""
    yield ["summary", "properties_reviewed", report.properties_reviewed]
    yield ["summary", "cases_opened", report.cases_opened]
    yield ["summary", "cases_closed", report.cases_closed]
    yield ["summary", "actions_completed", report.completed]
    yield ["summary", "actions_completed_on_time", report.completed_on_time]
    yield ["summary", "actions_overdue_at_month_end", report.overdue]
    for line in report.agencies:
        yield ["agency", line.agency, "completed_on_time", line.completed_on_time]
        yield ["agency", line.agency, "completed_late", line.completed_late]
        yield ["agency", line.agency, "overdue_at_month_end", line.overdue_at_month_end]
    yield ["outcome_columns", *OUTCOME_COLUMNS]
    for case in report.cases:
        yield ["outcome", *outcome_cells(case)]


def monthly_document(report: MonthlyReport) -> Document:
    doc = Document(
        f"Taskforce report, {report.month:%B %Y}",
        subtitle="Multidisciplinary Public Safety Taskforce: properties under review, "
        "follow-up by agency, and incidents before and after each intervention",
        footer_note=f"Taskforce report {report.month:%Y-%m}",
    )
    doc.heading("The month")
    doc.facts(
        [
            ("Properties reviewed", report.properties_reviewed),
            ("Cases opened", report.cases_opened),
            ("Cases closed", report.cases_closed),
            ("Actions completed", report.completed),
            ("... of them on time", report.completed_on_time),
            ("Actions overdue at month end", report.overdue),
        ]
    )
    doc.heading("Follow-up by agency")
    doc.table(
        ["Agency", "Completed on time", "Completed late", "Overdue at month end"],
        [
            (a.agency, a.completed_on_time, a.completed_late, a.overdue_at_month_end)
            for a in report.agencies
        ],
        widths=[2, 1, 1, 1],
        empty="No action item was due, done or overdue this month.",
    )
    doc.heading("Incidents before and after the intervention (6 months)")
    doc.paragraph(
        "Police incidents at each property in the 6 months before its case opened and since, "
        "up to 6 months; rates are per month observed. A before/after count, not proof of "
        f"cause; fewer than {MIN_INCIDENTS} incidents in both windows together are too few "
        "to tell.",
        size=9,
    )
    doc.table(
        [
            "Case",
            "Property",
            "Start",
            "Before",
            "After",
            "Per month before",
            "Per month after",
            "Note",
        ],
        [
            (c[0], c[2], c[4], c[5], c[6], c[7], c[8], c[10])
            for c in (outcome_cells(line) for line in report.cases)
        ],
        widths=[0.5, 1.6, 0.9, 0.6, 0.6, 0.7, 0.7, 2.4],
        empty="No case was under review this month.",
    )
    return doc
