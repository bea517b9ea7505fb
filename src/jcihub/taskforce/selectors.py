"""Counting incidents at properties by category over rolling windows, and ranking the
properties that the flag rules pick out.

Counts and rankings are set-based SQL through the ORM over the kept daily counts
(`DailyCount`, see `counts`): one GROUP BY for the counts, one per rule for the ranking,
the same on SQLite and PostgreSQL. An incident is in a category when one of its offenses
has an IBRS code mapped to that category (`OffenseCode`, `in_category`), or, for
domestic violence and firearm, when KCPD's own flag says so; it is counted once however
many of its offenses match. The ranked list is stored (`stored_ranking`) and reused until
the counts or the rules change; a page loads only its own properties (`load_places`).

A window of N days ending on a date covers the N days up to and including that date;
its previous window is the N days before it.
"""

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, TruncMonth
from django.urls import reverse
from django.utils import timezone

from jcihub.access import policy
from jcihub.incidents.models import Incident, Offense
from jcihub.places.models import Property
from jcihub.places.sections import PropertySection

from . import districts
from .charts import monthly_bars
from .counts import current_version
from .models import (
    FLAG_FIELDS,
    ActionItem,
    Agency,
    Category,
    DailyCount,
    FlagRule,
    OffenseCode,
    StoredRanking,
    TaskforceCase,
)

WINDOWS = (30, 90, 365)
HISTORY_DAYS = 365  # "the property's own history": the year before a rule's window
MONTHS_SHOWN = 24
INCIDENTS_SHOWN = 10  # per rule met, in a ranked entry
STORED_KEPT = 50  # stored rankings (end date and filters) kept at once
RANKINGS_PATCHED_MOST = 10  # stored rankings patched when some properties' counts change
ALL = ""  # all incidents, whatever their category
CATEGORY_LABELS: dict[str, str] = {ALL: "All incidents", **dict(Category.choices)}
NEVER = Q(pk__isnull=True)

Codes = dict[str, list[str]]


def category_codes() -> Codes:
    """For each category, the offense codes mapped to it (the table is small)."""
    codes: Codes = {category: [] for category in Category.values}
    for code, categories in OffenseCode.objects.values_list("code", "categories"):
        for category in categories or []:
            if category in codes:
                codes[category].append(code)
    return codes


def in_category(category: str, codes: Codes, offenses: QuerySet[Offense] | None = None) -> Q:
    """Incidents in the category: an offense with a mapped code, or KCPD's flag."""
    scope = Offense.objects.all() if offenses is None else offenses
    matched = codes.get(category) or []
    found = Q(pk__in=scope.filter(ibrs__in=matched).values("incident_id")) if matched else NEVER
    if category in FLAG_FIELDS:
        found |= Q(**{FLAG_FIELDS[category]: True})
    return found


def between(end: dt.date, days: int, offset: int = 0) -> Q:
    """Reported in the `days` days ending `offset` days before `end` (inclusive)."""
    top = end - dt.timedelta(days=offset)
    return Q(reported_date__gt=top - dt.timedelta(days=days), reported_date__lte=top)


def default_end() -> dt.date:
    """Today, or the latest incident's date when the data stop earlier (historic files)."""
    today = timezone.localdate()
    latest = Incident.objects.aggregate(latest=Max("reported_date"))["latest"]
    return min(latest, today) if latest else today


@dataclass(frozen=True)
class Trend:
    current: int
    previous: int

    @property
    def change(self) -> int:
        return self.current - self.previous

    @property
    def direction(self) -> str:
        return "up" if self.change > 0 else "down" if self.change < 0 else "same"

    def __str__(self) -> str:
        if self.change == 0:
            return f"{self.current}, same as the window before"
        return f"{self.current}, {self.direction} {abs(self.change)} from {self.previous}"


# property id -> category ("" for all) -> window days -> trend
Counts = dict[int, dict[str, dict[int, Trend]]]


def located_incidents(beat: str = "", zip_code: str = "") -> QuerySet[Incident]:
    """Incidents at a property, optionally in one beat or at properties in one ZIP code."""
    incidents = Incident.objects.filter(raw_address__property__isnull=False)
    if beat:
        incidents = incidents.filter(beat=beat)
    if zip_code:
        incidents = incidents.filter(raw_address__property__zip5=zip_code)
    return incidents


def daily_counts(
    category: str | None = None,
    *,
    beat: str = "",
    zip_code: str = "",
    place_ids: Iterable[int] | None = None,
) -> QuerySet[DailyCount]:
    """The kept daily counts (see `counts`), optionally of one category, in one beat, at
    properties in one ZIP code, or at some properties."""
    rows = DailyCount.objects.all()
    if category is not None:
        rows = rows.filter(category=category)
    if beat:
        rows = rows.filter(beat=beat)
    if zip_code:
        rows = rows.filter(property__zip5=zip_code)
    if place_ids is not None:
        rows = rows.filter(property_id__in=list(place_ids))
    return rows


def days_between(end: dt.date, days: int, offset: int = 0) -> Q:
    """`between` for the daily counts' `day`."""
    top = end - dt.timedelta(days=offset)
    return Q(day__gt=top - dt.timedelta(days=days), day__lte=top)


def _sum(where: Q) -> Coalesce:
    return Coalesce(Sum("n", filter=where), 0)


def property_counts(
    end: dt.date,
    place_ids: Iterable[int] | None = None,
    categories: Iterable[str] = tuple(CATEGORY_LABELS),
    *,
    beat: str = "",
    zip_code: str = "",
) -> Counts:
    """Incident counts per property, category and window, with the previous window's:
    one grouped query over the kept daily counts (ALL, "", for all incidents)."""
    rows = daily_counts(beat=beat, zip_code=zip_code, place_ids=place_ids).filter(
        days_between(end, 2 * max(WINDOWS)), category__in=list(categories)
    )
    windows: dict[str, Any] = {}
    for days in WINDOWS:
        windows[f"c{days}"] = _sum(days_between(end, days))
        windows[f"p{days}"] = _sum(days_between(end, days, offset=days))
    counts: Counts = defaultdict(dict)
    for row in rows.values("property_id", "category").annotate(**windows).order_by():
        counts[row["property_id"]][row["category"]] = {
            days: Trend(row[f"c{days}"], row[f"p{days}"]) for days in WINDOWS
        }
    return dict(counts)


def empty_trends() -> dict[int, Trend]:
    return {days: Trend(0, 0) for days in WINDOWS}


# --- Ranking ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentRef:
    pk: int
    number: str
    reported_date: dt.date | None


@dataclass
class RuleHit:
    rule: FlagRule
    count: int
    history: int | None
    since: dt.date  # first day of the rule's window
    until: dt.date
    incidents: list[IncidentRef] = field(default_factory=list)

    @property
    def reason(self) -> str:
        category = self.rule.category
        what = f"{CATEGORY_LABELS[category].lower()} incidents" if category else "incidents"
        text = f"{self.count} {what} in the {self.rule.window_days} days to {self.until:%Y-%m-%d}"
        text += f" (rule: at least {self.rule.min_count}"
        if self.rule.history_factor:
            average = (self.history or 0) * self.rule.window_days / HISTORY_DAYS
            text += (
                f", and {self.rule.history_factor} times the property's average of "
                f"{average:.1f} over the year before"
            )
        return text + ")"

    @property
    def hidden_count(self) -> int:
        return max(self.count - len(self.incidents), 0)


@dataclass
class RankedProperty:
    """One entry of the ranked list. Its property is loaded only when shown
    (`load_places`): a page reads its 25 properties, not every flagged one."""

    place_id: int
    hits: list[RuleHit]
    rank: int = 0
    loaded: Property | None = None

    @property
    def place(self) -> Property:
        if self.loaded is None:
            raise LookupError(f"Property {self.place_id} of the ranking was not loaded.")
        return self.loaded

    @property
    def score(self) -> tuple[int, int]:
        return len(self.hits), sum(hit.count for hit in self.hits)


Hit = tuple[int, int, int | None]  # property, count, history
Entries = list[tuple[int, list[tuple[int, int, int | None]]]]  # property, [(rule, ...)]


def active_rules(category: str = "") -> list[FlagRule]:
    rules = FlagRule.objects.filter(is_active=True)
    return list(rules.filter(category=category) if category else rules)


def _rule_rows(rule: FlagRule, rows: QuerySet[DailyCount], end: dt.date) -> Iterable[Hit]:
    """(property, count, history) for every property the rule flags: HAVING in SQL over
    the kept daily counts of the rule's category."""
    days = rule.window_days
    window = days_between(end, days)
    scoped = rows.filter(category=rule.category)
    candidates = (
        scoped.filter(window)
        .values("property_id")
        .annotate(total=Sum("n"))
        .filter(total__gte=rule.min_count)
        .order_by()
    )
    if not rule.history_factor:
        return ((row["property_id"], row["total"], None) for row in candidates)
    # Only properties over the minimum in the window can meet the rule: the year of
    # history is counted for those few, not for every property.
    history = days_between(end, HISTORY_DAYS, offset=days)
    above = ExpressionWrapper(
        F("total") * HISTORY_DAYS - F("past") * (rule.history_factor * days),
        output_field=IntegerField(),
    )
    found = (
        scoped.filter(
            days_between(end, days + HISTORY_DAYS),
            property_id__in=candidates.values("property_id"),
        )
        .values("property_id")
        .annotate(total=_sum(window), past=_sum(history))
        .alias(above=above)
        .filter(total__gte=rule.min_count, above__gte=0)
        .order_by()
    )
    return ((row["property_id"], row["total"], row["past"]) for row in found)


def compute_ranking(
    end: dt.date,
    *,
    beat: str = "",
    zip_code: str = "",
    category: str = "",
    place_ids: Iterable[int] | None = None,
) -> Entries:
    """Properties that meet at least one active rule, most rules met first, then most
    incidents counted by those rules, then property number: one grouped query per rule
    over the kept daily counts."""
    rows = daily_counts(beat=beat, zip_code=zip_code, place_ids=place_ids)
    hits: dict[int, list[tuple[int, int, int | None]]] = defaultdict(list)
    for rule in active_rules(category):
        for place, count, history in _rule_rows(rule, rows, end):
            hits[place].append((rule.pk, count, history))
    return _in_rank_order(list(hits.items()))


def _in_rank_order(entries: Entries) -> Entries:
    entries.sort(key=lambda e: (-len(e[1]), -sum(hit[1] for hit in e[1]), e[0]))
    return entries


def _ranking_key(end: dt.date, beat: str, zip_code: str, category: str) -> str:
    return "|".join((end.isoformat(), beat, zip_code, category))


def _ranking_filters(key: str) -> tuple[dt.date, str, str, str] | None:
    """The end date and filters of a stored ranking's key (None if it cannot be read
    back, say a filter with a "|" in it)."""
    parts = key.split("|")
    if len(parts) != 4:
        return None
    try:
        end = dt.date.fromisoformat(parts[0])
    except ValueError:
        return None
    return end, parts[1], parts[2], parts[3]


def patch_rankings(place_ids: set[int], old: int, new: int) -> None:
    """Bring the stored rankings of version `old` to `new` when only these properties'
    counts changed (`counts.bump`). A property's hits depend on its own counts alone,
    so its entry is computed again (`compute_ranking(place_ids=)`, one query per rule
    for these properties only) and put in place of the old one, in the order a whole
    computation gives (a property that now meets no rule leaves the list). The latest
    `RANKINGS_PATCHED_MOST` are patched; the others, and any of another version, are
    removed."""
    stored = StoredRanking.objects.filter(version=old).order_by("-computed_at", "-pk")
    patched: list[int] = []
    ids = sorted(place_ids)
    for ranking in stored[:RANKINGS_PATCHED_MOST]:
        filters = _ranking_filters(ranking.key)
        if filters is None:
            continue
        end, beat, zip_code, category = filters
        fresh = compute_ranking(end, beat=beat, zip_code=zip_code, category=category, place_ids=ids)
        kept = [entry for entry in ranking.entries if entry[0] not in place_ids]
        ranking.entries = _in_rank_order(kept + fresh)
        ranking.version = new
        ranking.save(update_fields=["entries", "version"])
        patched.append(ranking.pk)
    StoredRanking.objects.exclude(pk__in=patched).delete()


def stored_ranking(
    end: dt.date, *, beat: str = "", zip_code: str = "", category: str = ""
) -> list[RankedProperty]:
    """The ranked list, computed once per version of the counts and rules (see
    `counts.bump`) and kept for every page until something changes; properties not
    loaded (`load_places`)."""
    key = _ranking_key(end, beat, zip_code, category)
    version = current_version()
    entries: Entries | None = (
        StoredRanking.objects.filter(key=key, version=version)
        .values_list("entries", flat=True)
        .first()
    )
    if entries is None:
        started = time.perf_counter()
        entries = compute_ranking(end, beat=beat, zip_code=zip_code, category=category)
        StoredRanking.objects.update_or_create(
            key=key,
            defaults={
                "version": version,
                "entries": entries,
                "computed_at": timezone.now(),
                "compute_ms": round((time.perf_counter() - started) * 1000),
            },
        )
        # Every end date and filter set is a list of its own: keep the latest few.
        latest = StoredRanking.objects.order_by("-computed_at", "-pk")
        kept = latest.values_list("pk", flat=True)[:STORED_KEPT]
        StoredRanking.objects.exclude(pk__in=list(kept)).delete()
    return _as_ranked(entries, end)


def _as_ranked(entries: Entries, end: dt.date) -> list[RankedProperty]:
    rules = FlagRule.objects.in_bulk()
    ranked: list[RankedProperty] = []
    for place, found in entries:
        hits = [
            RuleHit(
                rules[rule],
                count,
                history,
                end - dt.timedelta(days=rules[rule].window_days - 1),
                end,
            )
            for rule, count, history in found
            if rule in rules
        ]
        if hits:
            ranked.append(RankedProperty(place, hits, rank=len(ranked) + 1))
    return ranked


def load_places(entries: Iterable[RankedProperty]) -> None:
    """Read the entries' properties (one query); entries whose property is gone keep none."""
    entries = list(entries)
    places = Property.objects.in_bulk([entry.place_id for entry in entries])
    for entry in entries:
        entry.loaded = places.get(entry.place_id)


def rank_problem_properties(
    end: dt.date,
    *,
    beat: str = "",
    zip_code: str = "",
    category: str = "",
    place_ids: Iterable[int] | None = None,
) -> list[RankedProperty]:
    """The ranked list with every property loaded: the stored one, or, for some
    properties only (a property's page), computed for them."""
    if place_ids is None:
        ranked = stored_ranking(end, beat=beat, zip_code=zip_code, category=category)
    else:
        computed = compute_ranking(
            end, beat=beat, zip_code=zip_code, category=category, place_ids=place_ids
        )
        ranked = _as_ranked(computed, end)
    load_places(ranked)
    return [entry for entry in ranked if entry.loaded is not None]


def narrow_ranking(
    ranked: list[RankedProperty], *, district: str = "", review: str = ""
) -> list[RankedProperty]:
    """Keep the entries in a council district (where the point is known) and/or under
    review or not (an open case), and number the rest from 1 again."""
    if review:
        reviewed = set(open_cases().values_list("property_id", flat=True))
        ranked = [e for e in ranked if (e.place_id in reviewed) == (review == "yes")]
    if district:
        points = {
            pk: (latitude, longitude)
            for pk, latitude, longitude in Property.objects.filter(
                pk__in=[e.place_id for e in ranked]
            ).values_list("pk", "latitude", "longitude")
        }
        ranked = [
            e
            for e in ranked
            if districts.district_of(*points.get(e.place_id, (None, None))) == district
        ]
    for position, entry in enumerate(ranked, start=1):
        entry.rank = position
    return ranked


def attach_incidents(entries: list[RankedProperty], beat: str = "", zip_code: str = "") -> None:
    """Fill each hit with the incidents it counted (the latest few): one query per rule
    for the whole page of entries."""
    codes = category_codes()
    rules = {hit.rule.pk: hit.rule for entry in entries for hit in entry.hits}
    for rule in rules.values():
        _fill_rule(rule, entries, beat, zip_code, codes)


def _fill_rule(
    rule: FlagRule, entries: list[RankedProperty], beat: str, zip_code: str, codes: Codes
) -> None:
    hits = {entry.place_id: h for entry in entries for h in entry.hits if h.rule.pk == rule.pk}
    if not hits:
        return
    end = next(iter(hits.values())).until
    found = located_incidents(beat, zip_code).filter(
        between(end, rule.window_days), raw_address__property__in=list(hits)
    )
    if rule.category:  # only these properties' offenses are looked at
        offenses = Offense.objects.filter(incident__raw_address__property__in=list(hits))
        found = found.filter(in_category(rule.category, codes, offenses))
    latest_first = [F("reported_date").desc(), F("pk").desc()]
    rows = (
        found.annotate(
            position=Window(
                RowNumber(), partition_by=[F("raw_address__property")], order_by=latest_first
            )
        )
        .filter(position__lte=INCIDENTS_SHOWN)
        .order_by(*latest_first)
        .values_list("pk", "report_number", "source_key", "reported_date", "raw_address__property")
    )
    for pk, number, key, reported, place in rows:
        hits[place].incidents.append(IncidentRef(pk, number or key, reported))


# --- The property page ---------------------------------------------------------------


@dataclass(frozen=True)
class MonthRow:
    month: dt.date
    total: int
    by_category: tuple[int, ...]


def _month_start(day: dt.date, months_back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def monthly_history(place: Property, end: dt.date, months: int = MONTHS_SHOWN) -> list[MonthRow]:
    """Incidents at the property per calendar month (newest first), by category."""
    codes = category_codes()
    offenses = Offense.objects.filter(incident__raw_address__property=place)
    first = _month_start(end, months - 1)
    found = located_incidents().filter(
        raw_address__property=place, reported_date__gte=first, reported_date__lte=end
    )
    per_category = {
        category: Count("pk", filter=in_category(category, codes, offenses))
        for category in Category.values
    }
    rows = {
        _as_date(row["month"]): row
        for row in found.annotate(month=TruncMonth("reported_date"))
        .values("month")
        .annotate(total=Count("pk"), **per_category)
        .order_by()
    }
    history = []
    for back in range(months):
        month = _month_start(end, back)
        row = rows.get(month, {})
        history.append(
            MonthRow(month, row.get("total", 0), tuple(row.get(c, 0) for c in Category.values))
        )
    return history


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def property_section(place: Property) -> PropertySection:
    """Counts by category and window, the rules met, and the monthly history."""
    end = default_end()
    counts = property_counts(end, place_ids=[place.pk]).get(place.pk, {})
    columns = [f"Last {days} days" for days in WINDOWS]
    table = [
        (label, list(zip(columns, counts.get(category, empty_trends()).values(), strict=True)))
        for category, label in CATEGORY_LABELS.items()
    ]
    labels = [str(label) for _, label in Category.choices]
    months = monthly_history(place, end)
    history = [
        (row.month, [("All incidents", row.total), *zip(labels, row.by_category, strict=True)])
        for row in months
    ]
    chart = monthly_bars([(row.month, row.total) for row in reversed(months)])
    flagged = rank_problem_properties(end, place_ids=[place.pk])
    return PropertySection(
        title="Incidents by category (taskforce)",
        items=(),
        total=0,
        more_url=reverse("taskforce:properties"),
        template="taskforce/property_section.html",
        context={
            "end": end,
            "columns": columns,
            "table": table,
            "hits": flagged[0].hits if flagged else [],
            "history": history,
            "history_columns": ["All incidents", *labels],
            "chart": chart,
        },
    )


# --- Cases and action items ------------------------------------------------------------


def open_cases(user: Any = None) -> QuerySet[TaskforceCase]:
    """Open cases (those the user may see, when a user is given)."""
    cases = TaskforceCase.objects.filter(status=TaskforceCase.Status.OPEN)
    if user is not None:
        cases = policy.visible_taskforce_cases(user, cases)
    return cases.select_related("property")


def overdue_items(today: dt.date, user: Any = None) -> QuerySet[ActionItem]:
    """Open action items past their due date, on open cases, the longest overdue first
    (those the user may see, when a user is given)."""
    items = ActionItem.objects.filter(
        status=ActionItem.Status.OPEN,
        due_on__lt=today,
        case__status=TaskforceCase.Status.OPEN,
    )
    if user is not None:
        items = policy.visible_action_items(user, items)
    return items.select_related("case__property", "owner").order_by("due_on", "id")


def owned_items(user: Any) -> QuerySet[ActionItem]:
    """The open items one person owns, on open cases, soonest due first: their dashboard."""
    return (
        ActionItem.objects.filter(
            owner=user, status=ActionItem.Status.OPEN, case__status=TaskforceCase.Status.OPEN
        )
        .select_related("case__property")
        .order_by("due_on", "id")
    )


def escalated_items(user: Any = None) -> QuerySet[ActionItem]:
    items = ActionItem.objects.filter(
        status=ActionItem.Status.OPEN,
        case__status=TaskforceCase.Status.OPEN,
        escalated_at__isnull=False,
    )
    if user is not None:
        items = policy.visible_action_items(user, items)
    return items.select_related("case__property", "owner").order_by("due_on", "id")


def case_items(user: Any, case: TaskforceCase) -> QuerySet[ActionItem]:
    """The case's items the user may see: every item for coordinators, their agency's for
    an agency liaison."""
    return policy.visible_action_items(user, case.items.select_related("owner"))


def member_agencies(case: TaskforceCase) -> list[str]:
    """The case's agencies, lead first."""
    labels = dict(Agency.choices)
    members = set(case.agencies.values_list("agency", flat=True)) | {case.lead_agency}
    ordered = [case.lead_agency] + [a for a in Agency.values if a in members - {case.lead_agency}]
    return [str(labels[a]) for a in ordered]


def property_cases(place: Property, user: Any) -> tuple[list[TaskforceCase], list[TaskforceCase]]:
    """The property's open and past cases that the user may see."""
    cases = list(policy.visible_taskforce_cases(user, place.taskforce_cases.all()))
    is_open = TaskforceCase.Status.OPEN
    return [c for c in cases if c.status == is_open], [c for c in cases if c.status != is_open]


# --- Meetings ---------------------------------------------------------------------------------

AGENDA_FLAGS_SHOWN = 25


def meeting_agenda(today: dt.date) -> dict[str, Any]:
    """What a meeting has before it: properties newly flagged (meeting a rule and not under
    review), the open cases, and the overdue items, as plain data kept with the meeting."""
    under_review = set(open_cases().values_list("property_id", flat=True))
    flagged = [
        entry for entry in stored_ranking(default_end()) if entry.place_id not in under_review
    ]
    load_places(flagged[:AGENDA_FLAGS_SHOWN])
    cases = open_cases().annotate(
        open_items=Count("items", filter=Q(items__status=ActionItem.Status.OPEN)),
        overdue=Count(
            "items", filter=Q(items__status=ActionItem.Status.OPEN, items__due_on__lt=today)
        ),
    )
    return {
        "built_on": str(today),
        "new_flags": [
            {
                "property_id": entry.place.pk,
                "property": f"{entry.place.record_number} {entry.place.full_line}",
                "reasons": [hit.reason for hit in entry.hits],
            }
            for entry in flagged[:AGENDA_FLAGS_SHOWN]
            if entry.loaded is not None
        ],
        "new_flags_total": len(flagged),
        "open_cases": [
            {
                "case_id": case.pk,
                "property": f"{case.property.record_number} {case.property.full_line}",
                "lead_agency": case.get_lead_agency_display(),
                "open_items": case.open_items,
                "overdue": case.overdue,
            }
            for case in cases.order_by("opened_at", "id")
        ],
        "overdue_items": [
            {
                "item_id": item.pk,
                "case_id": item.case_id,
                "description": item.description,
                "agency": item.get_owner_agency_display(),
                "owner": str(item.owner) if item.owner else "",
                "due_on": str(item.due_on),
                "days_overdue": item.days_overdue(today),
            }
            for item in overdue_items(today)
        ],
    }


def cases_section(place: Property, user: Any) -> PropertySection:
    """The property's open and past taskforce cases that the viewer may see."""
    open_now, past = property_cases(place, user)
    return PropertySection(
        title="Taskforce cases",
        items=(),
        total=0,
        more_url=reverse("taskforce:cases"),
        template="taskforce/property_cases.html",
        context={
            "open_cases": open_now,
            "past_cases": past,
            "can_open": policy.has_capability(user, policy.Cap.TASKFORCE_COORDINATE),
            "place": place,
        },
    )
