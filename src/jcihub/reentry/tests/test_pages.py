"""The case list, opening a case, the case page and its forms, the needs assessment, the
report and its CSV, and the API: the same rules as the services, and audited reads."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import PersonFactory, client_for, consent, user_with_role
from jcihub.reentry import selectors, services
from jcihub.reentry.models import Case, MilestoneKind, NeedArea, NeedStatus
from jcihub.referrals.models import ReferralStatus
from jcihub.referrals.services import move_referral

from .factories import open_reentry_case, open_victim_case, partner_service

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_the_list_searches_filters_and_pages() -> None:
    navigator = user_with_role(R.REENTRY_NAVIGATOR)
    for n in range(27):
        open_reentry_case(navigator, PersonFactory(family_name=f"Zed{n:02d}"))
    target = open_reentry_case(navigator, PersonFactory(given_name="Marisol", family_name="Ortega"))
    page = client_for(navigator).get(reverse("reentry:list"))
    assert page.status_code == 200 and "28 cases" in page.content.decode()
    assert "Page 1 of 2" in page.content.decode()
    found = client_for(navigator).get(reverse("reentry:list"), {"q": "ortega"}).content.decode()
    assert "1 case." in found and target.number in found
    by_number = client_for(navigator).get(reverse("reentry:list"), {"q": target.number})
    assert "1 case." in by_number.content.decode()
    bad = client_for(navigator).get(reverse("reentry:list"), {"release_before": "soon"})
    assert "Enter a valid date" in bad.content.decode()


def test_opening_too_early_shows_the_date_it_can_open() -> None:
    navigator = user_with_role(R.REENTRY_NAVIGATOR)
    person = PersonFactory()
    release = TODAY() + dt.timedelta(days=120)
    response = client_for(navigator).post(
        reverse("reentry:new"),
        {
            "person": person.record_number,
            "kind": "reentry",
            "navigator": navigator.pk,
            "planned_release_on": release.isoformat(),
        },
    )
    assert response.status_code == 200
    assert (
        f"it can open from {release - dt.timedelta(days=90):%Y-%m-%d}" in response.content.decode()
    )
    assert not Case.objects.exists()


def test_opening_a_case_by_hand() -> None:
    navigator = user_with_role(R.REENTRY_NAVIGATOR)
    person = PersonFactory()
    response = client_for(navigator).post(
        reverse("reentry:new"),
        {
            "person": person.record_number,
            "kind": "reentry",
            "navigator": navigator.pk,
            "planned_release_on": (TODAY() + dt.timedelta(days=60)).isoformat(),
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reentry:case", args=[case.pk]
    )


def test_an_unknown_person_is_a_field_error() -> None:
    navigator = user_with_role(R.REENTRY_NAVIGATOR)
    response = client_for(navigator).post(
        reverse("reentry:new"),
        {"person": "P9999999", "kind": "reentry", "navigator": navigator.pk},
    )
    assert "No person you may see has that record number." in response.content.decode()


def test_the_case_page_is_audited_and_hides_locating_from_the_director() -> None:
    case = open_victim_case()
    director = user_with_role(R.DIRECTOR)
    page = client_for(director).get(reverse("reentry:case", args=[case.pk])).content.decode()
    assert "816-555-0142" not in page and "shown to victim advocates only" in page
    assert AuditEntry.objects.filter(
        actor=director, action=AuditAction.VIEW, person_id=case.person_id
    ).exists()
    own = client_for(case.navigator).get(reverse("reentry:case", args=[case.pk])).content.decode()
    assert "816-555-0142" in own
    assert AuditEntry.objects.filter(
        actor=case.navigator, action=AuditAction.VIEW_SENSITIVE, person_id=case.person_id
    ).exists()


def test_a_case_outside_the_caseload_is_not_found_and_audited() -> None:
    case = open_reentry_case()
    stranger = user_with_role(R.REENTRY_NAVIGATOR)
    assert client_for(stranger).get(reverse("reentry:case", args=[case.pk])).status_code == 404
    assert AuditEntry.objects.filter(actor=stranger, action=AuditAction.DENIED).exists()


def test_the_case_page_forms_record_the_plan_and_show_their_errors() -> None:
    case = open_reentry_case()
    client = client_for(case.navigator)
    url = reverse("reentry:case", args=[case.pk])
    client.post(url, {"action": "goal", "goal-description": "Stable housing", "goal-need": ""})
    goal = case.goals.get()
    client.post(
        url,
        {
            "action": "task",
            "task-goal": goal.pk,
            "task-description": "Apply to Section 8",
            "task-owner": case.navigator.pk,
            "task-due_on": TODAY().isoformat(),
        },
    )
    assert goal.tasks.count() == 1
    refused = client.post(
        url, {"action": "milestone", "milestone-kind": "housed", "milestone-reached_on": "x"}
    )
    assert "Nothing was saved" in refused.content.decode()
    client.post(
        url,
        {"action": "milestone", "milestone-kind": "housed", "milestone-reached_on": TODAY()},
    )
    assert case.milestones.get().kind == MilestoneKind.HOUSED


def test_the_needs_assessment_saves_every_area() -> None:
    case = open_reentry_case()
    data = {}
    for area in NeedArea.values:
        data.update({f"{area}-status": "no_need", f"{area}-priority": "low", f"{area}-notes": ""})
    data.update(
        {"housing-status": "needed", "housing-priority": "high", "housing-notes": "Shelter"}
    )
    response = client_for(case.navigator).post(reverse("reentry:needs", args=[case.pk]), data)
    assert response.status_code == 302
    housing = case.needs.get(area=NeedArea.HOUSING)
    assert (housing.status, housing.priority, housing.notes) == ("needed", "high", "Shelter")
    assert case.needs.filter(status=NeedStatus.NO_NEED).count() == 8


def _completed_referral_case() -> Case:
    case = open_reentry_case(planned_release_on=TODAY() - dt.timedelta(days=20))
    service, team = partner_service()
    consent(case.person, team, ["general"])
    services.assess_need(
        case.navigator, case.needs.get(area="housing"), status="needed", priority="high", notes=""
    )
    link = services.refer_from_plan(case.navigator, case, service)
    partner = user_with_role(R.PARTNER_USER)
    partner.teams.add(team)
    for status in (ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE):
        move_referral(partner, link.referral, status)
    move_referral(partner, link.referral, ReferralStatus.COMPLETED, "Hired")
    services.record_milestone(
        case.navigator, case, MilestoneKind.HOUSED, TODAY() - dt.timedelta(days=5)
    )
    return case


def test_the_report_counts_by_navigator_and_organisation() -> None:
    case = _completed_referral_case()
    report = selectors.reentry_report()
    (row,) = report.by_navigator
    assert (row.people_served, row.needs, row.needs_met) == (1, 1, 1)
    assert row.median_days_to_housing == 15
    assert (row.referrals_sent, row.referrals_completed, row.completion_rate) == (1, 1, 100.0)
    (org,) = report.by_organization
    assert (org.people_served, org.referrals_accepted, org.referrals_completed) == (1, 1, 1)
    assert case.navigator.username == row.navigator


def test_the_report_csv_is_audited_and_refuses_a_bad_period() -> None:
    _completed_referral_case()
    analyst = user_with_role(R.ANALYST)
    client = client_for(analyst)
    csv = client.get(reverse("reentry:report_csv"), {"by": "organization"})
    text = b"".join(csv.streaming_content).decode()  # type: ignore[attr-defined]
    assert text.startswith("organization,people_referred") and "suppressed" in text
    assert AuditEntry.objects.filter(actor=analyst, action=AuditAction.EXPORT).exists()
    bad = client.get(reverse("reentry:report_csv"), {"since": "2026-05-01", "until": "2026-04-01"})
    assert bad.status_code == 400


def test_the_api_lists_opens_and_shows_cases_as_the_pages_do() -> None:
    navigator = user_with_role(R.REENTRY_NAVIGATOR)
    client = client_for(navigator)
    person = PersonFactory()
    early = client.post(
        "/api/v1/reentry/cases/",
        {
            "person": person.pk,
            "kind": "reentry",
            "navigator": navigator.pk,
            "planned_release_on": (TODAY() + dt.timedelta(days=100)).isoformat(),
        },
        content_type="application/json",
    )
    assert early.status_code == 400 and "planned_release_on" in early.json()
    made = client.post(
        "/api/v1/reentry/cases/",
        {
            "person": person.pk,
            "kind": "reentry",
            "navigator": navigator.pk,
            "planned_release_on": TODAY().isoformat(),
        },
        content_type="application/json",
    )
    assert made.status_code == 201
    listed = client.get("/api/v1/reentry/cases/").json()
    assert listed["count"] == 1
    detail = client.get(f"/api/v1/reentry/cases/{made.json()['id']}/").json()
    assert len(detail["needs"]) == 9 and detail["safe_contact"] is None
    victim = open_victim_case()
    director = client_for(user_with_role(R.DIRECTOR))
    assert director.get(f"/api/v1/reentry/cases/{victim.pk}/").json()["safe_contact"] is None
    advocate = client_for(victim.navigator).get(f"/api/v1/reentry/cases/{victim.pk}/").json()
    assert "816-555-0142" in advocate["safe_contact"]
    assert client.get(f"/api/v1/reentry/cases/{victim.pk}/").status_code == 404


def test_the_report_csv_suppresses_small_cells_and_says_so() -> None:
    case = _completed_referral_case()
    client = client_for(user_with_role(R.ANALYST))
    page = client.get(reverse("reentry:report")).content.decode()
    assert "small cells are suppressed" in page and "shown as &lt;11" in page
    for by, expected in (
        ("navigator", f"{case.navigator.username},<11,<11,<11,<11,suppressed,,<11,<11,suppressed"),
        ("organization", ",<11,<11,<11,<11,suppressed"),
    ):
        csv = client.get(reverse("reentry:report_csv"), {"by": by})
        lines = b"".join(csv.streaming_content).decode().strip().splitlines()  # type: ignore[attr-defined]
        assert expected in lines[1]
        assert not {"1", "100.0"} & set(lines[1].split(",")[1:])
        assert lines[-1].startswith("Note: Counts from 1 to 10 are shown as <11")


def test_a_published_row_keeps_cells_of_eleven_or_more() -> None:
    row = selectors.NavigatorRow("nav", people=set(range(12)), cases=12, needs=11, needs_met=0)
    row.days_to_housing = [10] * 11
    row.days_to_employment = [5] * 3
    row.referrals_sent, row.referrals_completed = 20, 11
    assert row.published() == ("nav", "12", "12", "11", "0", 10, "suppressed", "20", "11", 55.0)
    org = selectors.OrganizationRow("Hope", people={1}, referrals_sent=40, referrals_accepted=30)
    assert org.published() == ("Hope", "<11", "40", "30", "0", 0.0)
