"""Demo reentry and victim-services cases, made through the same services as real ones
(`jcihub seed-demo`): the demo navigator's caseload of returning citizens at every stage,
and a few of the demo advocate's victims."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from jcihub.accounts.roles import RoleCode
from jcihub.people.models import Person
from jcihub.referrals.models import Service

from . import services
from .models import CaseKind, Contact, MilestoneKind, NeedArea, NeedStatus

# (days from today to the planned release, released?, needs, milestones reached, days in)
STAGES: tuple[tuple[int, bool, tuple[str, ...], tuple[str, ...]], ...] = (
    (60, False, (NeedArea.IDENTIFICATION, NeedArea.HOUSING, NeedArea.EMPLOYMENT), ()),
    (20, False, (NeedArea.HOUSING, NeedArea.BENEFITS), ()),
    (-15, True, (NeedArea.HOUSING, NeedArea.EMPLOYMENT), (MilestoneKind.ID_OBTAINED,)),
    (-40, True, (NeedArea.HOUSING, NeedArea.TRANSPORTATION), (MilestoneKind.HOUSED,)),
    (-75, True, (NeedArea.EMPLOYMENT, NeedArea.LEGAL_AID), (MilestoneKind.EMPLOYED,)),
    (
        -120,
        True,
        (NeedArea.HOUSING, NeedArea.EMPLOYMENT, NeedArea.BENEFITS),
        (MilestoneKind.HOUSED, MilestoneKind.EMPLOYED, MilestoneKind.BENEFITS_ACTIVE),
    ),
)


def seed_demo_cases(
    users: dict[str, Any], returning: Sequence[Person], victims: Sequence[Person]
) -> int:
    """Cases for the returning citizens (the first ones with a plan referral to the demo
    job service, which they consented to) and for four victims; how many were opened."""
    navigator = users[RoleCode.REENTRY_NAVIGATOR]
    jobs = Service.objects.filter(organization__team__isnull=False, name__icontains="job").first()
    today = timezone.localdate()
    opened = 0
    for n, person in enumerate(returning):
        days, released, needs, reached = STAGES[n % len(STAGES)]
        release = today + dt.timedelta(days=days)
        case = services.open_case(
            navigator,
            person,
            kind=CaseKind.REENTRY,
            navigator=navigator,
            planned_release_on=release,
            summary="Demo reentry case.",
        )
        opened += 1
        if released:
            services.record_release(navigator, case, release)
        for area in needs:
            need = case.needs.get(area=area)
            services.assess_need(
                navigator, need, status=NeedStatus.NEEDED, priority="high", notes="From intake."
            )
            goal = services.add_goal(navigator, case, f"{need.get_area_display()} in place", need)
            services.add_task(
                navigator, goal, "Call the provider", navigator, today + dt.timedelta(days=7 - n)
            )
        for k, kind in enumerate(reached):
            services.record_milestone(
                navigator, case, kind, min(today, release + dt.timedelta(days=10 + 9 * k))
            )
        services.record_contact(
            navigator,
            case,
            occurred_at=timezone.now() - dt.timedelta(days=2 + n),
            method=Contact.Method.IN_CUSTODY if not released else Contact.Method.PHONE,
            outcome=Contact.Outcome.MET if n % 3 else Contact.Outcome.NO_ANSWER,
        )
        if jobs is not None and n < 4:
            services.refer_from_plan(
                navigator,
                case,
                jobs,
                need=case.needs.get(area=NeedArea.EMPLOYMENT),
                note="Referred from the reentry plan.",
            )
    advocate = users[RoleCode.VICTIM_ADVOCATE]
    for person in victims[:4]:
        services.open_case(
            advocate,
            person,
            kind=CaseKind.VICTIM_SERVICES,
            navigator=advocate,
            summary="Demo victim-services case.",
            safe_contact="Only by text to the number on file; never leave a voicemail.",
        )
        opened += 1
    return opened
