"""Demo IPVI history for `jcihub seed-demo`: domestic-violence incidents from an internal
KCPD feed (the public files name no one) for the demo's harm-causing partners, the queue
built from them, the coordinator's decisions for incidents since the programme began, and
the prosecutor's charging decision on each re-offence after a notification.

Re-offence is drawn with the same chance before and after the programme start: the demo
has no effect built in, so the outcomes page shows what chance alone looks like.
"""

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from jcihub.accounts.models import Team, User
from jcihub.funds import services as funds
from jcihub.funds.models import Authorisation
from jcihub.incidents.models import Incident, Offense, Party
from jcihub.people.models import Person

from . import notification_services as notify
from . import victim_services
from .charging import ChargingOutcome
from .charging_services import record_charging_decision
from .models import Candidate, Letter, NotificationAttempt
from .notification_selectors import reoffences
from .notifications import DeliveryMethod, TeamRole
from .services import decide, rebuild_queue
from .victims import ContactMethod, ContactOutcome, ServiceResponse, VictimServiceKind

BASELINE_START = dt.date(2023, 7, 1)
REOFFENCE_CHANCE = 0.35
# (NIBRS code, description) with their weights: mostly simple assault.
OFFENSES = (
    (("13B", "ASSAULT - DOMESTIC"), 60),
    (("13C", "INTIMIDATION - DOMESTIC"), 15),
    (("13A", "AGGRAVATED ASSAULT - DOMESTIC"), 12),
    (("13B", "ASSAULT - DOMESTIC - STRANGULATION"), 5),
    (("90Z", "VIOLATION OF PROTECTION ORDER"), 8),
)


def seed_demo_ipvi(
    rng: random.Random,
    pairs: Sequence[tuple[Person, Person]],
    coordinator: User,
    advocate: User | None = None,
) -> int:
    """Write the incidents, rebuild the queue, decide the recent candidates, and (with an
    advocate) reach out to their victims; the number of incidents written."""
    today = timezone.localdate()
    span = (today - dt.timedelta(days=14) - BASELINE_START).days
    incidents: list[Incident] = []
    people: list[tuple[Person, Person]] = []
    for causer, victim in pairs:
        day = BASELINE_START + dt.timedelta(days=rng.randrange(span))
        while day < today:
            incidents.append(_incident(rng, len(incidents), day))
            people.append((causer, victim))
            if rng.random() > REOFFENCE_CHANCE:
                break
            day += dt.timedelta(days=rng.randint(20, 420))
    Incident.objects.bulk_create(incidents)
    saved = Incident.objects.filter(source_key__in=[i.source_key for i in incidents])
    by_key = {i.source_key: i for i in saved}
    parties, offenses = [], []
    for incident, (causer, victim) in zip(incidents, people, strict=True):
        stored = by_key[incident.source_key]
        parties += [
            Party(incident=stored, party_key="S1", involvement="SUS", person=causer),
            Party(incident=stored, party_key="V1", involvement="VIC", person=victim),
        ]
        (code, description) = rng.choices(
            [offense for offense, _ in OFFENSES], weights=[w for _, w in OFFENSES]
        )[0]
        offenses.append(Offense(incident=stored, ibrs=code, description=description))
    Party.objects.bulk_create(parties)
    Offense.objects.bulk_create(offenses)
    rebuild_queue()
    _decide_recent(rng, coordinator, today)
    _charge_reoffences(rng, coordinator, today)
    if advocate is not None:
        _reach_out(rng, advocate, today)
    _spending(today)
    return len(incidents)


# (days after the programme start, amount, payee, category, description)
SPENDING = (
    (10, "1250.00", "City print shop", "materials", "Deterrence letters, English and Spanish"),
    (45, "12000.00", "Demo batterer-intervention provider", "contract", "BIP places, Q3"),
    (70, "840.00", "Community centre", "events", "Call-in session: room and refreshments"),
    (95, "2400.00", "Demo training provider", "training", "Victim-centred notification training"),
)


def _spending(today: dt.date) -> None:
    """A few expenditures against Ordinance 260299, since the programme start."""
    authorisation = Authorisation.objects.filter(programme="ipvi").first()
    if authorisation is None:
        return
    start = dt.date.fromisoformat(settings.IPVI_PROGRAMME_START)
    for days, amount, payee, category, description in SPENDING:
        day = start + dt.timedelta(days=days)
        if day <= today:
            funds.record_expenditure(
                None,
                authorisation,
                spent_on=day,
                amount=Decimal(amount),
                payee=payee,
                category=category,
                description=description,
                reference=f"DEMO-{days:03d}",
            )


def _incident(rng: random.Random, number: int, day: dt.date) -> Incident:
    key = f"DEMO-DV-{number + 1:05d}"
    return Incident(
        source_key=key,
        report_number=key,
        reported_date=day,
        is_domestic_violence=True,
        firearm_used=rng.random() < 0.06,
        city="KANSAS CITY",
    )


def _decide_recent(rng: random.Random, coordinator: User, today: dt.date) -> None:
    """The coordinator confirms the proposal for each incident since the programme start,
    and the notification is delivered a few days later, through the real services: a
    letter at tier D, a face-to-face notification above it. The demo's decisions and
    deliveries are dated as if made then."""
    start = dt.date.fromisoformat(settings.IPVI_PROGRAMME_START)
    waiting = Candidate.objects.filter(
        status=Candidate.Status.PENDING,
        incident_date__gte=start,
        incident_date__lte=today - dt.timedelta(days=10),
        proposed_tier__isnull=False,
    ).select_related("proposed_tier", "person")
    for candidate in waiting.order_by("incident_date", "id"):
        assert candidate.proposed_tier is not None and candidate.incident_date is not None
        decided = candidate.incident_date + dt.timedelta(days=rng.randint(1, 3))
        candidate = decide(coordinator, candidate, candidate.proposed_tier)
        Candidate.objects.filter(pk=candidate.pk).update(decided_at=_at(decided, 10))
        delivered = _at(decided + dt.timedelta(days=rng.randint(2, 6)), 15)
        try:
            _notify(coordinator, candidate, delivered)
        except ValidationError:
            continue  # an identity under review or a missing template: no notification


# How outreach to a victim goes, with its weight: the outcomes of the attempts in turn.
OUTREACH = (
    ((ContactOutcome.NO_ANSWER, ContactOutcome.REACHED), 40),
    ((ContactOutcome.REACHED,), 25),
    ((ContactOutcome.LEFT_MESSAGE, ContactOutcome.NO_ANSWER, ContactOutcome.NO_ANSWER), 20),
    ((ContactOutcome.WRONG_NUMBER,), 8),
    ((ContactOutcome.DECLINED,), 7),
)
SERVICES = (
    VictimServiceKind.SAFETY_PLANNING,
    VictimServiceKind.PROTECTIVE_ORDER_HELP,
    VictimServiceKind.COUNSELLING,
    VictimServiceKind.SHELTER,
)


def _reach_out(rng: random.Random, advocate: User, today: dt.date) -> None:
    """The advocate's outreach to the victims of the programme's incidents, through the
    real services: attempts in the days after the incident, and for those reached,
    services offered and mostly accepted."""
    start = dt.date.fromisoformat(settings.IPVI_PROGRAMME_START)
    victims = Party.objects.filter(
        involvement="VIC",
        person__isnull=False,
        incident__ipvi_candidates__incident_date__gte=start,
        incident__reported_date__lte=today - dt.timedelta(days=3),
    ).select_related("incident", "person")
    for party in victims.distinct().order_by("incident__reported_date", "id"):
        assert party.person is not None and party.incident.reported_date is not None
        case = victim_services.open_case(advocate, party.incident, party.person)
        outcomes = rng.choices([o for o, _ in OUTREACH], weights=[w for _, w in OUTREACH])[0]
        day = party.incident.reported_date
        for outcome in outcomes:
            day = min(day + dt.timedelta(days=rng.randint(1, 3)), today)
            victim_services.record_attempt(
                advocate,
                case,
                attempted_at=_at(day, rng.randint(9, 17)),
                method=ContactMethod.PHONE,
                outcome=outcome,
            )
        if outcomes[-1] != ContactOutcome.REACHED:
            continue
        for kind in rng.sample(SERVICES, rng.randint(1, 2)):
            offer = victim_services.offer_service(advocate, case, kind, day)
            answer = ServiceResponse.ACCEPTED if rng.random() < 0.75 else ServiceResponse.DECLINED
            victim_services.answer_service(advocate, offer, answer)


def _notify(coordinator: User, candidate: Candidate, delivered: dt.datetime) -> None:
    if candidate.proposed_tier is not None and candidate.proposed_tier.code == "D":
        letter = notify.generate_letter(coordinator, candidate, "en")
        made = delivered - dt.timedelta(days=1)
        Letter.objects.filter(pk=letter.pk).update(generated_at=made)
        notify.record_letter_delivery(
            coordinator,
            letter,
            is_delivered=True,
            occurred_at=delivered,
            method=DeliveryMethod.OFFICER,
            delivered_by="Officer J. Demo, KCPD DV Unit",
        )
        return
    visit = notify.schedule_notification(coordinator, candidate, delivered)
    notify.add_team_member(coordinator, visit, TeamRole.POLICE_OFFICER, "Officer J. Demo")
    notify.add_team_member(coordinator, visit, TeamRole.COMMUNITY_MEMBER, "Rev. A. Demo")
    notify.update_conversation(
        coordinator,
        visit,
        said="Further violence will be met with swift consequences; help is on offer.",
        offered="Batterer-intervention programme; employment support",
    )
    notify.record_attempt(coordinator, visit, delivered, NotificationAttempt.Outcome.DELIVERED)


# The prosecutor's answer to a re-offence after notification, with its weight.
CHARGING = (
    (ChargingOutcome.CHARGED, "Domestic assault, 3rd degree (RSMo 565.076)", "", 60),
    (ChargingOutcome.DECLINED, "", "The victim did not wish to proceed; no other evidence.", 20),
    (ChargingOutcome.REFERRED_BACK, "", "Needs the 911 recording and the medical report.", 20),
)


def _charge_reoffences(rng: random.Random, coordinator: User, today: dt.date) -> None:
    """Share each re-offence after notification with the demo's police and prosecutor
    teams, and record the prosecutor's decision some days later (pending review while
    that day is still to come). Recorded by the system: the demo has no prosecutor user."""
    teams = list(
        Team.objects.filter(
            kind=Team.Kind.AGENCY,
            agency_type__in=(Team.AgencyType.POLICE, Team.AgencyType.PROSECUTOR),
        )
    )
    for found in reoffences(coordinator):
        candidate = found.candidate
        if candidate.incident_date is None:
            continue
        if teams:
            notify.share_with_liaisons(coordinator, candidate, teams)
        decided = candidate.incident_date + dt.timedelta(days=rng.randint(3, 75))
        outcome, charges, reasons, _ = rng.choices(CHARGING, weights=[c[3] for c in CHARGING])[0]
        if decided > today:
            outcome, charges, reasons = ChargingOutcome.PENDING, "", ""
            decided = min(today, candidate.incident_date + dt.timedelta(days=1))
        record_charging_decision(
            None,
            candidate,
            outcome=outcome,
            decided_on=decided,
            charges_filed=charges,
            reasons=reasons,
        )


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
