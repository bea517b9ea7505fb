"""IPVI outcomes: the dashboard (whole counts, inside the department), the quarterly
council report (PDF) and the cohort table (CSV), both suppressed."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jcihub.access import policy
from jcihub.access.guards import requires
from jcihub.access.policy import Cap
from jcihub.audit.models import AuditAction
from jcihub.audit.services import record
from jcihub.core.exports import csv_response
from jcihub.core.pdf import pdf_response

from . import chart, figures, ipvi_outcomes, report
from .report import Quarter

LINES = ((False, "Programme", "jci-km-programme"), (True, "Baseline", "jci-km-baseline"))


@requires(Cap.INSIGHTS_IPVI)
@require_GET
def ipvi(request: HttpRequest) -> HttpResponse:
    outcomes = ipvi_outcomes.outcomes()
    charts = []
    for tier in outcomes.tiers():
        lines = [
            line
            for baseline, label, css in LINES
            if (curve := outcomes.curves.get((baseline, tier)))
            and (line := chart.step_line(curve, label, css))
        ]
        charts.append({"tier": tier, "lines": lines})
    today = timezone.localdate()
    return render(
        request,
        "insights/ipvi.html",
        {
            "outcomes": outcomes,
            "header": figures.HEADER,
            "tier_rows": figures.tier_rows(outcomes, published=False),
            "cohort_kinds": [
                {"label": label, "rows": rows}
                for label, baseline in (("Programme", False), ("Baseline", True))
                if (
                    rows := [
                        figures.cohort_row(c, published=False)
                        for c in outcomes.cohorts
                        if c.baseline == baseline
                    ]
                )
            ],
            "survival_rows": figures.survival_rows(outcomes, published=False),
            "charging_header": figures.CHARGING_HEADER,
            "charging_tier_rows": figures.charging_tier_rows(outcomes, published=False),
            "charging_cohort_rows": [
                figures.charging_row(c, published=False) for c in outcomes.cohorts if not c.baseline
            ],
            "charging_note": figures.BASELINE_CHARGING_NOTE,
            "charts": charts,
            "axes": chart.axes(),
            "spending": figures.ipvi_spending(end=today),
            "quarter": Quarter.containing(today),
            "caveats": report.CAVEATS,
            "can_report": policy.has_capability(request.user, Cap.INSIGHTS_REPORT),
            "can_see_funds": policy.has_capability(request.user, Cap.FUNDS_VIEW),
        },
    )


@requires(Cap.INSIGHTS_REPORT)
@require_GET
def ipvi_report(request: HttpRequest) -> HttpResponse:
    asked = request.GET.get("quarter", "")
    try:
        quarter = Quarter.parse(asked) if asked else Quarter.containing(timezone.localdate())
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("insights:ipvi")
    outcomes = ipvi_outcomes.outcomes(as_of=quarter.end)
    record(
        request.user,
        AuditAction.EXPORT,
        object_type="insights.ipvi_report",
        object_id=str(quarter),
        summary=f"IPVI quarterly report {quarter} generated (small cells suppressed)",
    )
    return pdf_response(report.quarterly_pdf(outcomes, quarter), f"ipvi-report-{quarter}.pdf")


@requires(Cap.INSIGHTS_REPORT)
@require_GET
def ipvi_cohorts_csv(request: HttpRequest) -> StreamingHttpResponse:
    outcomes = ipvi_outcomes.outcomes()
    record(
        request.user,
        AuditAction.EXPORT,
        object_type="insights.ipvi_cohorts",
        object_id="csv",
        summary="IPVI cohort table exported as CSV (small cells suppressed)",
    )
    return csv_response("ipvi-cohorts.csv", report.CSV_HEADER, report.cohort_csv_rows(outcomes))
