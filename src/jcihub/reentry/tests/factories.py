"""Reentry cases for tests, opened through the same service as real ones."""

import datetime as dt
from typing import Any

from django.utils import timezone

from jcihub.accounts.models import Team
from jcihub.accounts.roles import RoleCode as R
from jcihub.core.tests.factories import PersonFactory, TeamFactory, user_with_role
from jcihub.reentry import services
from jcihub.reentry.models import Case, CaseKind
from jcihub.referrals.models import Service
from jcihub.referrals.tests.factories import sample_service


def open_reentry_case(navigator: Any = None, person: Any = None, **kwargs: Any) -> Case:
    navigator = navigator or user_with_role(R.REENTRY_NAVIGATOR)
    return services.open_case(
        navigator,
        person or PersonFactory(),
        kind=kwargs.pop("kind", CaseKind.REENTRY),
        navigator=navigator,
        planned_release_on=kwargs.pop(
            "planned_release_on", timezone.localdate() + dt.timedelta(days=30)
        ),
        **kwargs,
    )


def open_victim_case(advocate: Any = None, person: Any = None, **kwargs: Any) -> Case:
    advocate = advocate or user_with_role(R.VICTIM_ADVOCATE)
    return services.open_case(
        advocate,
        person or PersonFactory(),
        kind=CaseKind.VICTIM_SERVICES,
        navigator=advocate,
        safe_contact=kwargs.pop("safe_contact", "Call her sister's phone, 816-555-0142, weekdays."),
        **kwargs,
    )


def partner_service() -> tuple[Service, Team]:
    """The sample directory service, at an organisation with a partner team."""
    service = sample_service()
    team: Any = TeamFactory(kind="partner_org")
    service.organization.team = team
    service.organization.save(update_fields=["team"])
    return service, team
