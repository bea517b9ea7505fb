"""Reentry read queries shared by the pages, the API, the timeline and the report."""

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from jcihub.access import policy
from jcihub.access.guards import deny
from jcihub.core.forms import clean_search_text
from jcihub.core.sensitivity import Sensitivity
from jcihub.core.timeline import TimelineEvent
from jcihub.insights.survival import published_count, published_figure
from jcihub.referrals.models import ReferralStatus

from .models import (
    HAS_NEED,
    Case,
    CaseKind,
    Milestone,
    MilestoneKind,
    Need,
    NeedStatus,
    PlanReferral,
    Task,
    TaskStatus,
)


def case_for_user(user: Any, pk: Any) -> Case:
    """The case, if the user may open it; 404 (audited) otherwise."""
    try:
        case = Case.objects.select_related("person", "navigator", "team", "opened_by").get(
            pk=int(pk)
        )
    except (Case.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    if not policy.visible_cases(user).filter(pk=case.pk).exists():
        deny(
            user, "reentry case not visible to this user", person_id=case.person_id, not_found=True
        )
    return case


def search_cases(user: Any, filters: dict[str, Any]) -> QuerySet[Case]:
    """The cases the user may see, filtered by a CaseFilterForm's cleaned data."""
    cases = policy.visible_cases(user)
    text = clean_search_text(filters.get("q") or "", 100)
    if text:
        number = text.upper().lstrip("CP")
        by_number = Q()
        if number.isdigit() and len(number) <= 9:
            by_number = (
                Q(pk=int(number)) if text.upper().startswith("C") else Q(person_id=int(number))
            )
        words = Q()
        for word in text.split()[:4]:
            words &= Q(person__given_name__icontains=word) | Q(person__family_name__icontains=word)
        cases = cases.filter(by_number | words) if by_number else cases.filter(words)
    for name in ("kind", "status"):
        if filters.get(name):
            cases = cases.filter(**{name: filters[name]})
    if filters.get("mine"):
        cases = cases.filter(navigator=user)
    if filters.get("need"):
        cases = cases.filter(
            needs__area=filters["need"],
            needs__status__in=[NeedStatus.NEEDED, NeedStatus.IN_PROGRESS],
        )
    if filters.get("release_before"):
        cases = cases.filter(planned_release_on__lte=filters["release_before"])
    return (
        cases.select_related("person", "navigator")
        .annotate(
            open_needs=Count(
                "needs",
                filter=Q(needs__status__in=[NeedStatus.NEEDED, NeedStatus.IN_PROGRESS]),
                distinct=True,
            )
        )
        .order_by("-opened_at", "-id")
    )


def may_see_locating(user: Any, case: Case) -> bool:
    return case.is_victim_case and policy.can_view_sensitivity(
        user, case.person, Sensitivity.VICTIM_LOCATING
    )


def plan_referrals(user: Any, case: Case) -> QuerySet[PlanReferral]:
    """The case's referrals this user may see: a victim case's are victim-locating (where
    the victim is sent), so the director sees the case but not them (`visible_referrals`)."""
    return case.plan_referrals.filter(
        referral__in=policy.visible_referrals(user).values("pk")
    ).select_related("referral", "referral__organization", "referral__service", "need", "goal")


def goals_with_tasks(case: Case) -> list[Any]:
    return list(case.goals.select_related("need").prefetch_related("tasks__owner"))


# --- Timeline ------------------------------------------------------------------------------


def case_timeline_events(person_id: int) -> list[TimelineEvent]:
    """Opening, release, milestones and closing of the person's cases. Victim-services
    cases reveal that the person is being helped as a victim: their events carry the
    victim-locating sensitivity, so only those who may see that class see them."""
    events = []
    cases = Case.objects.filter(person_id=person_id).values_list(
        "pk", "kind", "opened_at", "closed_at", "close_reason", "navigator__username"
    )
    sensitivity: dict[int, Sensitivity] = {}
    for pk, kind, opened_at, closed_at, reason, navigator in cases:
        label = CaseKind(kind).label
        sensitivity[pk] = (
            Sensitivity.VICTIM_LOCATING if kind == CaseKind.VICTIM_SERVICES else Sensitivity.GENERAL
        )
        events.append(
            TimelineEvent(
                opened_at,
                "reentry",
                "case",
                f"{label} case C{pk:07d} opened",
                f"Navigator: {navigator}",
                sensitivity[pk],
            )
        )
        if closed_at:
            events.append(
                TimelineEvent(
                    closed_at,
                    "reentry",
                    "case",
                    f"{label} case C{pk:07d} closed",
                    reason,
                    sensitivity[pk],
                )
            )
    for case_id, kind, reached_on, recorded_at in Milestone.objects.filter(
        case__person_id=person_id
    ).values_list("case_id", "kind", "reached_on", "recorded_at"):
        when = dt.datetime.combine(reached_on, dt.time(12), tzinfo=recorded_at.tzinfo)
        events.append(
            TimelineEvent(
                when,
                "reentry",
                "milestone",
                f"{MilestoneKind(kind).label} (case C{case_id:07d})",
                "",
                sensitivity[case_id],
            )
        )
    return events


# --- Report ---------------------------------------------------------------------------------


@dataclass
class NavigatorRow:
    navigator: str
    people: set[int] = field(default_factory=set)
    cases: int = 0
    needs: int = 0
    needs_met: int = 0
    days_to_housing: list[int] = field(default_factory=list)
    days_to_employment: list[int] = field(default_factory=list)
    referrals_sent: int = 0
    referrals_completed: int = 0

    @property
    def people_served(self) -> int:
        return len(self.people)

    @property
    def median_days_to_housing(self) -> float | None:
        return _median(self.days_to_housing)

    @property
    def median_days_to_employment(self) -> float | None:
        return _median(self.days_to_employment)

    @property
    def completion_rate(self) -> float | None:
        return _rate(self.referrals_completed, self.referrals_sent)

    def published(self) -> tuple[object, ...]:
        """The row as it may leave the department (small cells suppressed)."""
        return (
            self.navigator,
            published_count(self.people_served),
            published_count(self.cases),
            published_count(self.needs),
            published_count(self.needs_met),
            published_figure(self.median_days_to_housing, len(self.days_to_housing)),
            published_figure(self.median_days_to_employment, len(self.days_to_employment)),
            published_count(self.referrals_sent),
            published_count(self.referrals_completed),
            published_figure(self.completion_rate, self.referrals_completed, self.referrals_sent),
        )


@dataclass
class OrganizationRow:
    organization: str
    people: set[int] = field(default_factory=set)
    referrals_sent: int = 0
    referrals_accepted: int = 0
    referrals_completed: int = 0

    @property
    def people_served(self) -> int:
        return len(self.people)

    @property
    def completion_rate(self) -> float | None:
        return _rate(self.referrals_completed, self.referrals_sent)

    def published(self) -> tuple[object, ...]:
        """The row as it may leave the department (small cells suppressed)."""
        return (
            self.organization,
            published_count(self.people_served),
            published_count(self.referrals_sent),
            published_count(self.referrals_accepted),
            published_count(self.referrals_completed),
            published_figure(self.completion_rate, self.referrals_completed, self.referrals_sent),
        )


def _median(values: list[int]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Report:
    by_navigator: list[NavigatorRow]
    by_organization: list[OrganizationRow]


def cases_in_period(since: dt.date | None, until: dt.date | None, kind: str = "") -> QuerySet[Case]:
    """Cases open at some time in the period (opened by its end, not closed before its start)."""
    cases = Case.objects.filter(person__sealed_at__isnull=True)
    if kind:
        cases = cases.filter(kind=kind)
    if until:
        cases = cases.filter(opened_at__date__lte=until)
    if since:
        cases = cases.filter(Q(closed_at__isnull=True) | Q(closed_at__date__gte=since))
    return cases


def reentry_report(
    since: dt.date | None = None, until: dt.date | None = None, kind: str = ""
) -> Report:
    """People served, needs met, days from release to housing and to employment, and the
    completion of referrals made from the plans: by navigator and by organisation."""
    cases = cases_in_period(since, until, kind)
    rows: dict[str, NavigatorRow] = {}
    case_row: dict[int, NavigatorRow] = {}
    starts: dict[int, dt.date] = {}
    for pk, person_id, navigator, released, planned, opened_at in cases.values_list(
        "pk", "person_id", "navigator__username", "released_on", "planned_release_on", "opened_at"
    ).iterator(chunk_size=2000):
        row = rows.setdefault(navigator, NavigatorRow(navigator))
        row.people.add(person_id)
        row.cases += 1
        case_row[pk] = row
        starts[pk] = released or planned or opened_at.date()
    case_ids = cases.values("pk")
    for case_id, status in Need.objects.filter(case__in=case_ids, status__in=HAS_NEED).values_list(
        "case_id", "status"
    ):
        case_row[case_id].needs += 1
        case_row[case_id].needs_met += int(status == NeedStatus.MET)
    for case_id, milestone, reached_on in Milestone.objects.filter(
        case__in=case_ids, kind__in=[MilestoneKind.HOUSED, MilestoneKind.EMPLOYED]
    ).values_list("case_id", "kind", "reached_on"):
        days = max((reached_on - starts[case_id]).days, 0)
        target = case_row[case_id]
        (
            target.days_to_housing
            if milestone == MilestoneKind.HOUSED
            else target.days_to_employment
        ).append(days)
    organizations: dict[str, OrganizationRow] = {}
    for case_id, person_id, organization, status, answered in PlanReferral.objects.filter(
        case__in=case_ids, referral__sent_at__isnull=False
    ).values_list(
        "case_id",
        "case__person_id",
        "referral__organization__name",
        "referral__status",
        "referral__answered_at",
    ):
        completed = status == ReferralStatus.COMPLETED
        case_row[case_id].referrals_sent += 1
        case_row[case_id].referrals_completed += int(completed)
        org = organizations.setdefault(organization, OrganizationRow(organization))
        org.people.add(person_id)
        org.referrals_sent += 1
        org.referrals_accepted += int(answered is not None and status != ReferralStatus.DECLINED)
        org.referrals_completed += int(completed)
    return Report(
        [rows[k] for k in sorted(rows)], [organizations[k] for k in sorted(organizations)]
    )


def overdue_tasks(user: Any, today: dt.date) -> int:
    """How many of the user's own open tasks are past due (shown on the case list)."""
    return Task.objects.filter(
        goal__case__in=policy.visible_cases(user).values("pk"),
        owner=user,
        status=TaskStatus.OPEN,
        due_on__lt=today,
    ).count()
