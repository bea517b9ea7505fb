"""`jcihub seed-demo --seed N`: load the synthetic demo data set, once."""

import datetime as dt
import random
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from rich.progress import Progress

from jcihub.accounts.models import Role, Team, User
from jcihub.accounts.roles import RoleCode
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.audit.services import record
from jcihub.core.sensitivity import Sensitivity
from jcihub.ipvi.demo import seed_demo_ipvi
from jcihub.people.demo import PeopleGenerator, save_batch
from jcihub.people.models import (
    Address,
    CaseAssignment,
    Consent,
    ContactPoint,
    Person,
    PersonRelationship,
    RelationshipKind,
    SafetyFlag,
)
from jcihub.reentry.demo import seed_demo_cases
from jcihub.referrals.demo import seed_demo_referrals
from jcihub.taskforce.demo import seed_demo_taskforce

MARKER = "jcihub.seed_demo"
DEMO_PASSWORD = "jcihub-demo-2026"  # noqa: S105 - printed for the demo; never used elsewhere
BATCH = 500

TEAMS: tuple[tuple[str, str, str], ...] = (
    ("IPVI Programme Team", Team.Kind.PROGRAM_TEAM, ""),
    ("Victim Services Team", Team.Kind.PROGRAM_TEAM, ""),
    ("Reentry Team", Team.Kind.PROGRAM_TEAM, ""),
    ("Violence Interruption Team", Team.Kind.PROGRAM_TEAM, ""),
    ("Hope Haven Family Services (demo partner)", Team.Kind.PARTNER_ORGANIZATION, ""),
    ("Second Chance Works (demo partner)", Team.Kind.PARTNER_ORGANIZATION, ""),
    ("KCPD Domestic Violence Unit (demo)", Team.Kind.AGENCY, Team.AgencyType.POLICE),
    ("Jackson County Prosecutor (demo)", Team.Kind.AGENCY, Team.AgencyType.PROSECUTOR),
    ("Municipal Corrections (demo)", Team.Kind.AGENCY, Team.AgencyType.CORRECTIONS),
)
# role → (username, first, last, teams)
STAFF: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    RoleCode.DIRECTOR: ("director", "Dana", "Whitfield", ()),
    RoleCode.PROGRAM_MANAGER: ("manager", "Luis", "Ortega", ("IPVI Programme Team",)),
    RoleCode.CASE_MANAGER: ("casemanager", "Keisha", "Brown", ("Reentry Team",)),
    RoleCode.VICTIM_ADVOCATE: ("advocate", "Maria", "Santos", ("Victim Services Team",)),
    RoleCode.IPVI_COORDINATOR: ("ipvi", "Grant", "Holloway", ("IPVI Programme Team",)),
    RoleCode.OUTREACH_WORKER: ("outreach", "Andre", "Jackson", ("Violence Interruption Team",)),
    RoleCode.REENTRY_NAVIGATOR: ("navigator", "Tanya", "Reed", ("Reentry Team",)),
    RoleCode.CORRECTIONS_OFFICER: (
        "corrections",
        "Bill",
        "Novak",
        ("Municipal Corrections (demo)",),
    ),
    RoleCode.CUSTODY_HEALTH: ("nurse", "Priya", "Shah", ("Municipal Corrections (demo)",)),
    RoleCode.TASKFORCE_COORDINATOR: ("taskforce", "Ellen", "Park", ()),
    RoleCode.AGENCY_LIAISON: (
        "liaison",
        "Sgt. Ray",
        "Coleman",
        ("KCPD Domestic Violence Unit (demo)",),
    ),
    RoleCode.PARTNER_USER: (
        "partner",
        "Joy",
        "Adeyemi",
        ("Hope Haven Family Services (demo partner)",),
    ),
    RoleCode.ANALYST: ("analyst", "Sam", "Lindqvist", ()),
    RoleCode.AUDITOR: ("auditor", "Ruth", "Okafor", ()),
    RoleCode.SYSTEM_ADMIN: ("admin", "Chris", "Lee", ()),
}


class Command(BaseCommand):
    help = (
        "Load the deterministic synthetic demo data set (people, relationships, consents, "
        "staff users for every role). Safe to run again: a loaded seed is not loaded twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--people", type=int, default=3000, help="How many people to generate (default 3000)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seed, count = options["seed"], options["people"]
        if count < 100:
            raise CommandError("--people must be at least 100.")
        loaded = AuditEntry.objects.filter(object_type=MARKER).values_list("object_id", flat=True)
        if str(seed) in loaded:
            self.stdout.write(f"Demo data for seed {seed} is already loaded; nothing to do.")
            return
        if loaded:
            raise CommandError(
                f"Demo data for seed {loaded[0]} is already loaded; mixing a "
                "second seed is refused. Start from a fresh database."
            )
        with transaction.atomic():
            teams = self._teams()
            users = self._users(teams)
            people = self._people(seed, count)
            self._casework(random.Random(seed), people, users, teams)
            record(
                None,
                AuditAction.CREATE,
                object_type=MARKER,
                object_id=str(seed),
                summary=f"Loaded synthetic demo data: {count} people, {len(users)} users",
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded demo data (seed {seed}): {count} people, {len(users)} staff users."
            )
        )

    def _teams(self) -> dict[str, Team]:
        return {
            name: Team.objects.get_or_create(
                name=name, defaults={"kind": kind, "agency_type": agency}
            )[0]
            for name, kind, agency in TEAMS
        }

    def _users(self, teams: dict[str, Team]) -> dict[str, User]:
        users = {}
        for role, (username, first, last, team_names) in STAFF.items():
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "role": Role.objects.get(code=role),
                    "email": f"{username}@example.org",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
                user.teams.set([teams[name] for name in team_names])
            users[role] = user
        return users

    def _people(self, seed: int, count: int) -> list[Person]:
        generator = PeopleGenerator(seed)
        people: list[Person] = []
        with Progress(transient=True) as progress:
            task = progress.add_task("Generating people", total=count)
            while len(people) < count:
                size = min(BATCH, count - len(people))
                people += save_batch(list(generator.people(size)))
                progress.advance(task, size)
        return people

    def _casework(
        self,
        rng: random.Random,
        people: list[Person],
        users: dict[str, User],
        teams: dict[str, Team],
    ) -> None:
        today = timezone.localdate()
        pairs = self._intimate_partners(rng, people)
        victims = [victim for _, victim in pairs]
        harm_causers = [causer for causer, _ in pairs]
        # Victims' locating details are confidential; some victims' records are restricted.
        Address.objects.filter(person__in=victims).update(is_confidential=True)
        ContactPoint.objects.filter(person__in=victims).update(is_confidential=True)
        restricted = victims[: max(1, len(victims) // 10)]
        Person.objects.filter(pk__in=[p.pk for p in restricted]).update(is_restricted=True)
        flags = [
            SafetyFlag(
                person=v, kind=SafetyFlag.Kind.HIGH_LETHALITY, note="Lethality screen: screened in"
            )
            for v in victims[::4]
        ]
        flags += [SafetyFlag(person=c, kind=SafetyFlag.Kind.WEAPONS) for c in harm_causers[::5]]
        SafetyFlag.objects.bulk_create(flags)
        assignments = [
            *self._caseload(users[RoleCode.VICTIM_ADVOCATE], victims[:60], "Victim outreach"),
            *self._caseload(users[RoleCode.IPVI_COORDINATOR], harm_causers[:60], "IPVI"),
            *self._caseload(users[RoleCode.CASE_MANAGER], people[200:260], "Reentry"),
            *self._caseload(users[RoleCode.REENTRY_NAVIGATOR], people[230:290], "Reentry"),
            *self._caseload(users[RoleCode.OUTREACH_WORKER], people[300:340], "Outreach"),
            *[
                CaseAssignment(
                    person=p,
                    team=teams["KCPD Domestic Violence Unit (demo)"],
                    purpose="IPVI notification",
                )
                for p in harm_causers[:40]
            ],
        ]
        CaseAssignment.objects.bulk_create(assignments)
        partner = teams["Hope Haven Family Services (demo partner)"]
        Consent.objects.bulk_create(
            [
                Consent(
                    person=v,
                    recipient=partner,
                    purpose="Shelter and safety planning",
                    categories=[Sensitivity.GENERAL, Sensitivity.VICTIM_LOCATING],
                    valid_from=today - dt.timedelta(days=30),
                    valid_until=today + dt.timedelta(days=335),
                )
                for v in victims[:25]
            ]
        )
        # The demo's partner organisations in the directory, and referrals to them.
        seed_demo_referrals(teams, users, victims, people[200:215])
        # Domestic-violence incidents of the harm-causing partners (an internal feed, as
        # the public files name no one), and the IPVI queue and decisions built on them.
        seed_demo_ipvi(
            rng, pairs, users[RoleCode.IPVI_COORDINATOR], users[RoleCode.VICTIM_ADVOCATE]
        )
        # Reentry cases of the navigator's caseload (plan referrals for those consenting).
        seed_demo_cases(users, people[208:220], victims)
        # A year of public-style incidents with repeat addresses, and a taskforce case.
        seed_demo_taskforce(users)

    def _intimate_partners(
        self, rng: random.Random, people: list[Person]
    ) -> list[tuple[Person, Person]]:
        """Pair some people as partners; in most pairs one is recorded as causing harm."""
        pool = people[: len(people) // 3]
        rng.shuffle(pool)
        pairs, relationships = [], []
        for causer, victim in zip(pool[0::2], pool[1::2], strict=False):
            harm = rng.random() < 0.7
            kind = rng.choice(
                [
                    RelationshipKind.INTIMATE_PARTNER_CURRENT,
                    RelationshipKind.INTIMATE_PARTNER_FORMER,
                ]
            )
            relationships.append(
                PersonRelationship(
                    person=causer, related_person=victim, kind=kind, person_caused_harm=harm
                )
            )
            if harm:
                pairs.append((causer, victim))
        PersonRelationship.objects.bulk_create(relationships)
        return pairs

    def _caseload(self, user: User, people: list[Person], purpose: str) -> list[CaseAssignment]:
        return [CaseAssignment(person=p, user=user, purpose=purpose) for p in people]
