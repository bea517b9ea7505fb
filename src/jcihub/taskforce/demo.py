"""Demo taskforce work for `jcihub seed-demo`: a year of public-style KCPD incidents up to
yesterday, most at scattered block addresses and a share at a handful of repeat
addresses, loaded through the real importer (so the counts, the ranked list and the map
come from the same code as real data); a case on the worst address with action items, one
of them overdue; and a meeting whose agenda is built from the flags and cases.

The generator's rows are synthetic: no row describes a real report or person.
"""

import datetime as dt
import tempfile
from pathlib import Path

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from jcihub.accounts.models import User
from jcihub.accounts.roles import RoleCode
from jcihub.incidents.generator import KcpdFileGenerator
from jcihub.incidents.importer import import_file
from jcihub.incidents.models import Incident
from jcihub.places.models import Property

from . import selectors, services
from .models import Agency

REPORTS = 3_000
HOTSPOT_SHARE = 0.15
# Block addresses as KCPD publishes them, with their beat and a point; `weight` is how
# much of the hotspot share each draws (the first ones draw the most).
HOTSPOTS = (
    ("3400  PROSPECT AV", "64128", "334", "39.0622", "-94.5545", 9),
    ("5500  TROOST AV", "64110", "423", "39.0301", "-94.5717", 7),
    ("2700  INDEPENDENCE AV", "64124", "143", "39.1063", "-94.5487", 6),
    ("6300  SWOPE PY", "64130", "514", "39.0129", "-94.5335", 4),
    ("1200  E 35 ST", "64109", "321", "39.0681", "-94.5722", 3),
    ("4000  LINWOOD BL", "64128", "335", "39.0683", "-94.5466", 2),
    ("900  N BRIGHTON AV", "64119", "612", "39.1780", "-94.5290", 1),
)


def seed_demo_taskforce(users: dict[str, User]) -> int:
    """Import the demo incidents, open a case and schedule a meeting; the rows imported."""
    today = timezone.localdate()
    generator = KcpdFileGenerator(
        2026,
        start=today - dt.timedelta(days=366),
        hotspots=[
            {
                "address": address,
                "city": "KANSAS CITY",
                "zip": zip_code,
                "beat": beat,
                "area": "CPD",
                "lat": lat,
                "lon": lon,
                "weight": str(weight),
            }
            for address, zip_code, beat, lat, lon, weight in HOTSPOTS
        ],
        hotspot_share=HOTSPOT_SHARE,
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "kcpd_demo_last_12_months.csv"
        generator.write(path, REPORTS * 2)  # about two rows (parties) a report
        run = import_file(path, source="kcpd")
    coordinator = users[RoleCode.TASKFORCE_COORDINATOR]
    _open_case(coordinator, users.get(RoleCode.AGENCY_LIAISON), today)
    return run.rows_read


def _open_case(coordinator: User, liaison: User | None, today: dt.date) -> None:
    """A case on the address with the most incidents, as a coordinator would open one
    from the ranked list, with three action items: done, open, and overdue."""
    worst = (
        Incident.objects.filter(
            raw_address__property__isnull=False,
            reported_date__gte=today - dt.timedelta(days=90),
        )
        .values("raw_address__property")
        .annotate(incidents=Count("id"))
        .order_by("-incidents")
        .first()
    )
    if worst is None:
        return
    place = Property.objects.get(pk=worst["raw_address__property"])
    case = services.open_case(
        coordinator,
        place,
        Agency.POLICE,
        "Repeated assaults and a shooting this quarter; neighbours report open-air drug sales.",
        members=[Agency.NEIGHBORHOOD_SERVICES, Agency.COMMUNITY],
    )
    owner = coordinator
    team = liaison.teams.first() if liaison else None
    if liaison is not None and team is not None:
        # The liaison's police team acts for the police on the taskforce.
        services.link_agency_team(coordinator, Agency.POLICE, team)
        owner = liaison
    items = [
        ("Directed patrols at peak hours for four weeks", Agency.POLICE, -40, owner),
        (
            "Inspect the building for code violations",
            Agency.NEIGHBORHOOD_SERVICES,
            -20,
            coordinator,
        ),
        ("Meet the owner about lighting and tenant screening", Agency.COMMUNITY, 14, coordinator),
    ]
    made = [
        services.add_action_item(
            coordinator, case, text, agency, today + dt.timedelta(days=days), who
        )
        for text, agency, days, who in items
    ]
    services.set_item_status(coordinator, made[0], made[0].Status.DONE)
    # The daily escalation (`jcihub taskforce escalate`) as it would have run this morning.
    services.escalate_overdue_items(today, settings.TASKFORCE_ESCALATE_AFTER_DAYS)
    services.schedule_meeting(
        coordinator,
        today + dt.timedelta(days=7),
        "Monthly taskforce meeting",
        selectors.meeting_agenda(today),
    )
