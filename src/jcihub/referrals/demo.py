"""Demo referrals for `jcihub seed-demo`: the demo's partner organisations in the directory,
each with a service, and referrals to them in every state, made through the same services
(consent checks, history, audit) as real ones."""

import datetime as dt
import uuid
from collections.abc import Sequence

from django.utils import timezone

from jcihub.accounts.models import Team, User
from jcihub.accounts.roles import RoleCode
from jcihub.people.models import Consent, Person

from . import services
from .models import Attribute, Organization, Referral, ReferralStatus, Service, TaxonomyTerm

NAMESPACE = uuid.UUID("6f1d7c1e-4a53-4c61-9a55-0c3f1f6b2d10")
# team name → (organisation, service, need category, victim service provider)
PARTNERS = {
    "Hope Haven Family Services (demo partner)": (
        "Hope Haven Family Services",
        "Emergency shelter and safety planning",
        "Housing",
        True,
    ),
    "Second Chance Works (demo partner)": (
        "Second Chance Works",
        "Reentry job readiness and placement",
        "Employment",
        False,
    ),
}
S = ReferralStatus
# The path each demo referral takes, in turn.
PATHS: tuple[tuple[str, ...], ...] = (
    (),
    (S.ACCEPTED,),
    (S.ACCEPTED, S.IN_SERVICE),
    (S.ACCEPTED, S.IN_SERVICE, S.COMPLETED),
    (S.DECLINED,),
    (S.ACCEPTED, S.CLOSED_UNRESOLVED),
)
NOTES: dict[str, str] = {
    S.DECLINED: "No beds this month; try the county shelter line.",
    S.COMPLETED: "Completed the programme.",
    S.CLOSED_UNRESOLVED: "Could not reach the person after three tries.",
}
_MILESTONES = {
    S.SENT: "sent_at",
    S.ACCEPTED: "answered_at",
    S.DECLINED: "answered_at",
    S.IN_SERVICE: "service_started_at",
    S.COMPLETED: "closed_at",
    S.CLOSED_UNRESOLVED: "closed_at",
}


def _partner_service(
    team: Team, organization: str, name: str, need: str, for_victims: bool
) -> Service:
    org, _ = Organization.objects.get_or_create(
        id=uuid.uuid5(NAMESPACE, organization),
        defaults={
            "name": organization,
            "description": "Demo partner organisation.",
            "team": team,
            "is_victim_service_provider": for_victims,
        },
    )
    service, _ = Service.objects.get_or_create(
        id=uuid.uuid5(NAMESPACE, name), defaults={"organization": org, "name": name}
    )
    term, _ = TaxonomyTerm.objects.get_or_create(
        id=uuid.uuid5(NAMESPACE, need), defaults={"name": need, "taxonomy": "Demo needs"}
    )
    Attribute.objects.get_or_create(
        id=uuid.uuid5(NAMESPACE, f"{name}/{need}"),
        defaults={"service": service, "taxonomy_term": term},
    )
    return service


def seed_demo_referrals(
    teams: dict[str, Team],
    users: dict[str, User],
    victims: Sequence[Person],
    returning: Sequence[Person],
) -> int:
    """Referrals of victims (who consented to share with Hope Haven) and of returning
    citizens (given consent to Second Chance Works here); how many were made."""
    hope, works = (_partner_service(teams[team], *PARTNERS[team]) for team in PARTNERS)
    today = timezone.localdate()
    Consent.objects.bulk_create(
        Consent(
            person=person,
            recipient=works.organization.team,
            purpose="Job readiness and placement",
            categories=["general"],
            valid_from=today - dt.timedelta(days=20),
            valid_until=today + dt.timedelta(days=345),
        )
        for person in returning
    )
    partner = users[RoleCode.PARTNER_USER]
    made = 0
    for n, person in enumerate(victims[:12]):
        path = PATHS[n % len(PATHS)]
        made += _refer(users[RoleCode.VICTIM_ADVOCATE], partner, person, hope, path, n)
    for n, person in enumerate(returning[:8]):  # no partner user answers these: some overdue
        made += _refer(users[RoleCode.CASE_MANAGER], None, person, works, (), n)
    return made


def _refer(
    sender: User,
    partner: User | None,
    person: Person,
    service: Service,
    path: tuple[str, ...],
    n: int,
) -> int:
    need = service.attributes.get().taxonomy_term
    referral = services.create_referral(
        sender, person, service, need=need, note="Referred from the demo caseload."
    )
    for step in path:
        assert partner is not None
        services.move_referral(partner, referral, step, NOTES.get(step, ""))
    gap = dt.timedelta(days=1 + n % 4)
    # Every move in the past: the last one `n` days ago at the latest.
    _spread(referral, timezone.now() - (len(path) + 1) * gap - dt.timedelta(days=1 + n), gap)
    return 1


def _spread(referral: Referral, start: dt.datetime, gap: dt.timedelta) -> None:
    """Give the demo referral's history days between its moves, not milliseconds."""
    fields = {"created_at": start}
    for k, event in enumerate(referral.events.order_by("occurred_at", "id")):
        event.occurred_at = start + k * gap
        event.save(update_fields=["occurred_at"])
        if event.to_status in _MILESTONES:
            fields[_MILESTONES[ReferralStatus(event.to_status)]] = event.occurred_at
    Referral.objects.filter(pk=referral.pk).update(**fields)
