"""Taskforce meetings (the agenda, attendance, decisions against cases, minutes as PDF),
and the monthly report (page, PDF, CSV)."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jcihub.access.guards import requires
from jcihub.access.policy import Cap
from jcihub.access.services import log_export
from jcihub.core.exports import csv_response
from jcihub.core.forms import attach_errors
from jcihub.core.pdf import pdf_response

from . import reports, selectors, services
from .forms import AttendanceForm, DecisionForm, MeetingForm, MeetingNotesForm, ReportMonthForm
from .models import Meeting
from .outcomes import add_months

PAGE_SIZE = 25


@requires(Cap.TASKFORCE_COORDINATE)
def meeting_list(request: HttpRequest) -> HttpResponse:
    form = MeetingForm(
        request.POST if request.method == "POST" else None,
        initial={"held_on": timezone.localdate(), "title": "Taskforce meeting"},
    )
    if form.is_bound and form.is_valid():
        agenda = selectors.meeting_agenda(timezone.localdate())
        meeting = services.schedule_meeting(
            request.user, form.cleaned_data["held_on"], form.cleaned_data["title"], agenda
        )
        messages.success(request, f"Set up {meeting}, with its agenda.")
        return redirect("taskforce:meeting", pk=meeting.pk)
    page = Paginator(Meeting.objects.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "taskforce/meetings.html", {"form": form, "page_obj": page})


def _meeting_forms(request: HttpRequest, action: str | None, meeting: Meeting) -> dict[str, Any]:
    def bound(name: str) -> Any:
        return request.POST if action == name else None

    return {
        "attendance": AttendanceForm(bound("attendance"), prefix="attendance"),
        "decision": DecisionForm(bound("decision"), prefix="decision"),
        "notes": MeetingNotesForm(bound("notes"), prefix="notes", initial={"notes": meeting.notes}),
    }


def _run(request: HttpRequest, meeting: Meeting, action: str, form: Any) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    if action == "attendance":
        services.record_attendance(
            request.user, meeting, data["name"], data["agency"], data["user"]
        )
    elif action == "decision":
        services.record_decision(request.user, meeting, data["case"], data["text"])
    else:
        services.set_meeting_notes(request.user, meeting, data["notes"])
    return True


@requires(Cap.TASKFORCE_COORDINATE)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting, pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    forms = _meeting_forms(request, action, meeting)
    if action in forms:
        try:
            if _run(request, meeting, action, forms[action]):
                messages.success(request, "Saved.")
                return redirect("taskforce:meeting", pk=meeting.pk)
        except ValidationError as error:
            attach_errors(forms[action], error)
    return render(
        request,
        "taskforce/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": meeting.agenda,
            "attendance": meeting.attendance.all(),
            "decisions": meeting.decisions.select_related("case__property"),
            "forms": forms,
        },
    )


@requires(Cap.TASKFORCE_COORDINATE)
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes as PDF: agenda, attendance, decisions and notes; the export is audited."""
    meeting = get_object_or_404(Meeting, pk=pk)
    document = reports.minutes_document(meeting)
    log_export(request.user, "taskforce.meeting_minutes", 1, {"meeting": meeting.pk})
    return pdf_response(document, f"taskforce-minutes-{meeting.held_on:%Y-%m-%d}.pdf")


# --- The monthly report -------------------------------------------------------------------


def _report_month(request: HttpRequest) -> tuple[ReportMonthForm, dt.date | None]:
    default = add_months(timezone.localdate().replace(day=1), -1)
    form = ReportMonthForm(request.GET or None, initial={"month": f"{default:%Y-%m}"})
    if not form.is_bound:
        return form, default
    return form, form.cleaned_data["month"] if form.is_valid() else None


@requires(Cap.TASKFORCE_REPORT)
@require_GET
def monthly_report(request: HttpRequest) -> HttpResponse:
    form, month = _report_month(request)
    report = reports.monthly_report(month) if month else None
    query = f"month={month:%Y-%m}" if month else ""
    return render(
        request,
        "taskforce/report.html",
        {"form": form, "report": report, "query": query},
    )


def _report_or_400(request: HttpRequest) -> reports.MonthlyReport | HttpResponse:
    form, month = _report_month(request)
    if month is None:
        return HttpResponse(
            f"Fix the month first: {form.errors.as_text()}", status=400, content_type="text/plain"
        )
    return reports.monthly_report(month)


@requires(Cap.TASKFORCE_REPORT)
@require_GET
def monthly_report_pdf(request: HttpRequest) -> HttpResponse:
    report = _report_or_400(request)
    if isinstance(report, HttpResponse):
        return report
    log_export(
        request.user,
        "taskforce.monthly_report",
        len(report.cases),
        {"month": str(report.month), "format": "pdf"},
    )
    return pdf_response(
        reports.monthly_document(report), f"taskforce-report-{report.month:%Y-%m}.pdf"
    )


@requires(Cap.TASKFORCE_REPORT)
@require_GET
def monthly_report_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    report = _report_or_400(request)
    if isinstance(report, HttpResponse):
        return report
    log_export(
        request.user,
        "taskforce.monthly_report",
        len(report.cases),
        {"month": str(report.month), "format": "csv"},
    )
    return csv_response(
        f"taskforce-report-{report.month:%Y-%m}.csv",
        ["section", "name", "value", "detail"],
        reports.monthly_csv_rows(report),
    )
