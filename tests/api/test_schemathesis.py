"""The API against its own OpenAPI schema: generated requests never cause a server error,
and responses match what the schema promises.

Schemathesis reads the schema drf-spectacular generates (the one /api/schema/ serves; a
test below holds the two equal), generates valid and invalid requests for every operation
and sends them to the WSGI application in-process. (`schemathesis.pytest.from_fixture`
would load it from the served URL, but it does not run under pytest 9, so the schema is
built at import, as the view builds it.) People endpoints
run as the director (department-wide, may create and change), audit endpoints as the
auditor; generated record ids are often swapped for real ones so updates reach real rows.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from jcihub.accounts.roles import RoleCode as R
from jcihub.accounts.services import issue_api_token
from jcihub.audit.models import AuditEntry
from jcihub.core.tests.factories import (
    AddressFactory,
    ContactPointFactory,
    PersonFactory,
    harm,
    user_with_role,
)
from jcihub.people.models import Identifier
from jcihub.programs.services import record_assessment
from jcihub.programs.tests.factories import completed_lap, load, participant_screen
from jcihub.wsgi import application

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]


@dataclass(frozen=True)
class World:
    director: str  # API token keys
    auditor: str
    person_ids: tuple[int, ...]
    entry_ids: tuple[int, ...]
    assessment_ids: tuple[int, ...] = ()
    ipvi_ids: tuple[int, ...] = ()
    prosecutor: str = ""  # a prosecutor liaison's token, for the charging decisions
    reoffence_id: int = 0
    referral_ids: tuple[int, ...] = ()
    follow_up_ids: tuple[int, ...] = ()


@pytest.fixture
def keep_connection() -> Iterator[None]:
    """Requests go straight to the WSGI app, whose start and end signals close the database
    connection, and with it the test's transaction (PostgreSQL). Django's test client
    detaches the same handler while it runs a request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(db: None, settings, keep_connection: None) -> World:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    director = issue_api_token(user_with_role(R.DIRECTOR)).key
    auditor = issue_api_token(user_with_role(R.AUDITOR)).key
    people = [PersonFactory() for _ in range(6)]
    for n, person in enumerate(people):
        AddressFactory(person=person, is_confidential=n % 2 == 0)
        ContactPointFactory(person=person)
        Identifier.objects.create(person=person, system="kcpd", value=f"{70000 + n}")
    harm(people[0], people[1])
    people.append(PersonFactory(is_restricted=True))
    # Screens: a victim's (LAP) and a participant's, so assessment reads reach real rows.
    lap, screen = load(completed_lap()), load(participant_screen())
    assessments = [
        record_assessment(None, people[1], lap, {"officer_belief": "yes"}, dt.date(2026, 1, 5)),
        record_assessment(
            None, people[2], screen, {"a": "yes", "b": "no", "c": "often"}, dt.date(2026, 1, 6)
        ),
    ]
    entries = tuple(AuditEntry.objects.values_list("id", flat=True)[:10])
    prosecutor, reoffence_id, decision_id = _charging_records()
    return World(
        director,
        auditor,
        tuple(p.pk for p in people),
        entries,
        tuple(a.pk for a in assessments),
        (*_ipvi_records(), decision_id),
        prosecutor,
        reoffence_id,
        *_referral_records(people[2]),
    )


def _charging_records() -> tuple[str, int, int]:
    """A re-offence after a delivered letter, assigned to a prosecutor liaison's office,
    with one charging decision: the liaison's token and the two ids."""
    from jcihub.accounts.models import Team
    from jcihub.core.tests.factories import assign
    from jcihub.ipvi import notification_services as notify
    from jcihub.ipvi.charging_services import record_charging_decision
    from jcihub.ipvi.models import Candidate
    from jcihub.ipvi.services import rebuild_queue
    from jcihub.ipvi.tests.notify_helpers import decided, dv_incident, seed

    seed()
    first = decided(on=dt.date(2025, 1, 10))
    letter = notify.generate_letter(None, first, "en")
    delivered = dt.datetime(2025, 2, 1, 12, tzinfo=dt.UTC)
    notify.record_letter_delivery(
        None, letter, is_delivered=True, occurred_at=delivered, method="mail", delivered_by="x"
    )
    later = dv_incident(first.person, None, dt.date(2025, 6, 1))
    rebuild_queue()
    reoffence = Candidate.objects.get(incident=later)
    office = Team.objects.create(name="Prosecutor", kind="agency", agency_type="prosecutor")
    liaison = user_with_role(R.AGENCY_LIAISON)
    liaison.teams.add(office)
    assign(first.person, team=office)
    decision = record_charging_decision(
        None, reoffence, outcome="pending_review", decided_on=dt.date(2025, 6, 2)
    )
    return issue_api_token(liaison).key, reoffence.pk, decision.pk


def _referral_records(person: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A sent referral with two open follow-ups, one kept by each side: their ids."""
    from jcihub.core.tests.factories import TeamFactory, consent
    from jcihub.referrals.services import add_note
    from jcihub.referrals.tests.factories import sample_referral, sample_service

    team = TeamFactory(kind="partner_org")
    consent(person, team, ["general"])
    partner = user_with_role(R.PARTNER_USER)
    partner.teams.add(team)
    referral = sample_referral(person, sample_service(), team)
    today = timezone.localdate()
    follow_ups = (
        add_note(referral.created_by, referral, "Call.", due_on=today),
        add_note(partner, referral, "Send forms.", due_on=today),
    )
    return (referral.pk,), tuple(f.pk for f in follow_ups)


def _ipvi_records() -> tuple[int, ...]:
    """A letter, a custom notification, a call-in and a service offer: their ids."""
    from jcihub.ipvi import notification_services as notify
    from jcihub.ipvi.tests.notify_helpers import decided, seed

    seed()
    candidate = decided()
    return (
        notify.generate_letter(None, candidate, "es").pk,
        notify.schedule_notification(None, candidate, timezone.now()).pk,
        notify.create_call_in(None, "Call-in", timezone.now(), "City Hall").pk,
        notify.offer_service(None, candidate, "employment").pk,
    )


def _openapi() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


schema = schemathesis.openapi.from_dict(_openapi())
schema.app = application


def test_the_fuzzed_schema_is_the_one_the_api_serves(world: World) -> None:
    served = Client().get("/api/schema/?format=json", HTTP_AUTHORIZATION=f"Token {world.director}")
    assert served.status_code == 200
    assert served.json() == _openapi()
    assert len(list(schema.get_all_operations())) >= 8


def _use_real_ids(case: schemathesis.Case, world: World) -> None:
    """Two generated ids in three become ids of real records, so reads and updates reach
    rows that exist; the rest stay as generated (unknown, negative, huge, not a number)."""
    body = case.body
    if "charging-decisions" in case.path and isinstance(body, dict):
        given = body.get("reoffence")
        if isinstance(given, int) and given % 3 != 2:
            body["reoffence"] = world.reoffence_id
    params = case.path_parameters or {}
    pool = world.entry_ids if "audit" in case.path else world.person_ids
    if "assessments" in case.path:
        pool = world.assessment_ids
    elif "/ipvi/" in case.path:
        pool = world.ipvi_ids
    elif "/referrals/" in case.path:
        pool = world.referral_ids
    _swap(params, "id", pool)
    _swap(params, "follow_up_id", world.follow_up_ids)


def _swap(params: dict[str, Any], name: str, pool: tuple[int, ...]) -> None:
    value = params.get(name)
    if isinstance(value, str) and value.lstrip("-").isdigit():
        value = int(value)  # the coverage phase sends ids as text
    if isinstance(value, int) and value % 3 != 2 and pool:
        params[name] = pool[value % len(pool)]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_the_api_never_fails_with_a_server_error(case: schemathesis.Case, world: World) -> None:
    _use_real_ids(case, world)
    token = world.auditor if case.path.startswith("/api/v1/audit") else world.director
    if "charging-decisions" in case.path:
        token = world.prosecutor
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
