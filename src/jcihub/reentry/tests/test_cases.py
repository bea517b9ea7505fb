"""Opening a case, the caseload each role sees, the plan, milestones, contacts and
referrals from the plan; what victim cases protect."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jcihub.access import policy
from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core import timeline
from jcihub.core.sensitivity import Sensitivity
from jcihub.core.tests.factories import PersonFactory, TeamFactory, consent, user_with_role
from jcihub.people.models import CaseAssignment
from jcihub.reentry import selectors, services
from jcihub.reentry.models import (
    CaseKind,
    Contact,
    MilestoneKind,
    NeedArea,
    NeedStatus,
    PlanReferral,
    TaskStatus,
)
from jcihub.referrals.models import ReferralStatus

from .factories import open_reentry_case, open_victim_case, partner_service

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_a_case_opens_at_most_90_days_before_the_planned_release() -> None:
    release = TODAY() + dt.timedelta(days=91)
    with pytest.raises(ValidationError) as refused:
        open_reentry_case(planned_release_on=release)
    message = refused.value.message_dict["planned_release_on"][0]
    assert "at most 90 days before release" in message
    assert f"{release - dt.timedelta(days=90):%Y-%m-%d}" in message
    assert open_reentry_case(planned_release_on=TODAY() + dt.timedelta(days=90)).pk


def test_a_reentry_case_needs_a_planned_release_date() -> None:
    with pytest.raises(ValidationError) as refused:
        open_reentry_case(planned_release_on=None)
    assert "planned_release_on" in refused.value.message_dict


def test_a_new_case_has_nine_unassessed_needs_and_assigns_its_navigator() -> None:
    case = open_reentry_case()
    assert sorted(case.needs.values_list("area", flat=True)) == sorted(NeedArea.values)
    assert set(case.needs.values_list("status", flat=True)) == {NeedStatus.NOT_ASSESSED}
    assert CaseAssignment.objects.filter(person=case.person, user=case.navigator).exists()
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, summary__contains=case.number)


def test_one_open_case_of_a_kind_per_person() -> None:
    case = open_reentry_case()
    with pytest.raises(ValidationError, match="already has an open reentry case"):
        open_reentry_case(person=case.person)


def test_the_owner_must_have_the_kind_of_case_role() -> None:
    navigator = user_with_role(R.REENTRY_NAVIGATOR)
    with pytest.raises(ValidationError) as refused:
        services.open_case(
            navigator,
            PersonFactory(),
            kind=CaseKind.REENTRY,
            navigator=user_with_role(R.CASE_MANAGER),
            planned_release_on=TODAY(),
        )
    assert "reentry navigator" in refused.value.message_dict["navigator"][0]


def test_a_navigator_may_not_open_a_victim_case() -> None:
    navigator = user_with_role(R.REENTRY_NAVIGATOR)
    with pytest.raises(PermissionDenied):
        open_victim_case(advocate=navigator)
    assert AuditEntry.objects.filter(action=AuditAction.DENIED).exists()


def test_a_navigator_sees_their_own_and_their_teams_cases_only() -> None:
    team = TeamFactory()
    mine, colleague, stranger = (user_with_role(R.REENTRY_NAVIGATOR) for _ in range(3))
    mine.teams.add(team)
    own = open_reentry_case(mine)
    teams = open_reentry_case(colleague, team=team)
    other = open_reentry_case(stranger)
    seen = set(policy.visible_cases(mine))
    assert {own, teams} <= seen and other not in seen
    assert policy.can_work_case(mine, teams) and not policy.can_work_case(mine, other)
    assert set(policy.visible_cases(user_with_role(R.DIRECTOR))) >= {own, teams, other}


def test_a_navigator_never_sees_victim_cases_and_advocates_never_reentry_cases() -> None:
    victim = open_victim_case()
    reentry = open_reentry_case()
    navigator, advocate = reentry.navigator, victim.navigator
    services.open_case(
        user_with_role(R.DIRECTOR),
        victim.person,
        kind=CaseKind.REENTRY,
        navigator=navigator,
        planned_release_on=TODAY(),
    )  # the navigator is now assigned to the victim too
    assert victim not in policy.visible_cases(navigator)
    assert reentry not in policy.visible_cases(advocate)


def test_victim_locating_details_are_shown_to_advocates_only() -> None:
    case = open_victim_case()
    assert selectors.may_see_locating(case.navigator, case)
    assert not selectors.may_see_locating(user_with_role(R.DIRECTOR), case)
    with pytest.raises(PermissionDenied):
        services.set_safe_contact(user_with_role(R.DIRECTOR), case, "Shelter on Troost")


def test_safe_contact_is_refused_on_a_reentry_case() -> None:
    with pytest.raises(ValidationError) as refused:
        open_reentry_case(safe_contact="Her mother's house")
    assert "safe_contact" in refused.value.message_dict


def test_victim_case_events_stay_off_the_timeline_of_those_who_may_not_see_locating() -> None:
    case = open_victim_case()
    general = timeline.events_for(case.person_id, {Sensitivity.GENERAL})
    assert not [e for e in general if e.source == "reentry"]
    everything = timeline.events_for(
        case.person_id, {Sensitivity.GENERAL, Sensitivity.VICTIM_LOCATING}
    )
    assert [e.title for e in everything if e.source == "reentry"] == [
        f"Victim services and resource assistance case {case.number} opened"
    ]


def test_a_milestone_meets_its_need_once_and_never_in_the_future() -> None:
    case = open_reentry_case()
    services.record_milestone(case.navigator, case, MilestoneKind.HOUSED, TODAY())
    assert case.needs.get(area=NeedArea.HOUSING).status == NeedStatus.MET
    with pytest.raises(ValidationError, match="already recorded"):
        services.record_milestone(case.navigator, case, MilestoneKind.HOUSED, TODAY())
    with pytest.raises(ValidationError, match="future"):
        services.record_milestone(
            case.navigator, case, MilestoneKind.EMPLOYED, TODAY() + dt.timedelta(days=1)
        )
    events = timeline.events_for(case.person_id, {Sensitivity.GENERAL})
    assert any(e.title.startswith("Housed") for e in events)


def test_goals_and_tasks_follow_the_transitions() -> None:
    case = open_reentry_case()
    goal = services.add_goal(
        case.navigator, case, "Get a state ID", case.needs.get(area=NeedArea.IDENTIFICATION)
    )
    task = services.add_task(
        case.navigator, goal, "Order birth certificate", case.navigator, TODAY()
    )
    services.set_task_status(case.navigator, task, TaskStatus.DONE)
    assert task.completed_at is not None
    with pytest.raises(ValidationError, match="cannot become"):
        services.set_task_status(case.navigator, task, TaskStatus.CANCELLED)


def test_a_stranger_cannot_change_the_case() -> None:
    case = open_reentry_case()
    with pytest.raises(PermissionDenied):
        services.add_goal(user_with_role(R.REENTRY_NAVIGATOR), case, "Find work")


def test_nothing_changes_on_a_closed_case() -> None:
    case = open_reentry_case()
    with pytest.raises(ValidationError, match="why the case closes"):
        services.close_case(case.navigator, case, " ")
    services.close_case(case.navigator, case, "Moved out of state")
    with pytest.raises(ValidationError, match="closed"):
        services.record_contact(
            case.navigator,
            case,
            occurred_at=timezone.now(),
            method=Contact.Method.PHONE,
            outcome=Contact.Outcome.NO_ANSWER,
        )


def test_contacts_are_logged_and_never_in_the_future() -> None:
    case = open_reentry_case()
    services.record_contact(
        case.navigator,
        case,
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        method=Contact.Method.PHONE,
        outcome=Contact.Outcome.LEFT_MESSAGE,
    )
    assert case.contacts.get().is_attempt
    with pytest.raises(ValidationError):
        services.record_contact(
            case.navigator,
            case,
            occurred_at=timezone.now() + dt.timedelta(days=1),
            method=Contact.Method.PHONE,
            outcome=Contact.Outcome.MET,
        )


def test_a_referral_from_the_plan_goes_through_the_referrals_machinery() -> None:
    case = open_reentry_case()
    service, team = partner_service()
    consent(case.person, team, ["general"])
    need = case.needs.get(area=NeedArea.EMPLOYMENT)
    link = services.refer_from_plan(case.navigator, case, service, need=need, note="Forklift")
    assert link.referral.status == ReferralStatus.SENT
    assert link.referral.need is not None and link.referral.need.name == "Employment"
    assert case.needs.get(area=NeedArea.EMPLOYMENT).status == NeedStatus.IN_PROGRESS


def test_a_referral_without_consent_is_refused_and_nothing_is_linked() -> None:
    case = open_reentry_case()
    service, _ = partner_service()
    with pytest.raises(ValidationError, match="no consent in force"):
        services.refer_from_plan(case.navigator, case, service)
    assert not PlanReferral.objects.exists()
    draft = services.refer_from_plan(case.navigator, case, service, send=False)
    assert draft.referral.status == ReferralStatus.DRAFT
