"""Shared set-up for the notification tests: a person at a decided tier."""

import datetime as dt
import itertools
from typing import Any

from jcihub.core.tests.factories import PersonFactory, harm
from jcihub.incidents.models import Incident
from jcihub.ipvi.letters import write_default_letters
from jcihub.ipvi.models import Candidate, LetterTemplate, LetterTemplateVersion, Tier
from jcihub.ipvi.services import decide, rebuild_queue
from jcihub.people.models import Person

_numbers = itertools.count(1)


def seed() -> None:
    from jcihub.ipvi.defaults import write_ladder

    write_ladder(Tier)
    write_default_letters(Tier, LetterTemplate, LetterTemplateVersion)


def dv_incident(
    causer: Person, victim: Person | None, on: dt.date, *, age: int | None = 35, **fields: object
) -> Incident:
    number = f"NT{next(_numbers):08d}"
    found = Incident.objects.create(
        source_key=number,
        report_number=number,
        reported_date=on,
        is_domestic_violence=True,
        **fields,
    )
    found.parties.create(party_key="S", involvement="SUS", person=causer, age=age)
    if victim is not None:
        found.parties.create(party_key="V", involvement="VIC", person=victim)
    return found


def decided(
    causer: Any = None,
    victim: Any = None,
    *,
    on: dt.date = dt.date(2025, 3, 1),
    tier: str = "D",
) -> Candidate:
    """A candidate whose tier the coordinator has decided (confirmed, or overridden)."""
    causer = causer or PersonFactory(
        given_name="Dale", family_name="Crane", birth_date=dt.date(1987, 1, 2)
    )
    victim = victim or PersonFactory(given_name="Ana", family_name="Reyes")
    harm(causer, victim)
    found = dv_incident(causer, victim, on)
    rebuild_queue()
    candidate = Candidate.objects.get(incident=found, person=causer)
    chosen = Tier.objects.get(code=tier)
    reason = "" if candidate.proposed_tier_id == chosen.pk else "tests"
    return decide(None, candidate, chosen, reason)
