"""Read queries over the service directory and referrals, shared by pages, API, reports
and benchmark."""

import datetime as dt
import statistics
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Upper
from django.http import Http404
from django.utils import timezone

from jcihub.access import policy
from jcihub.access.guards import deny
from jcihub.access.policy import Cap
from jcihub.core.sensitivity import Sensitivity
from jcihub.core.timeline import TimelineEvent
from jcihub.insights.survival import published_count, published_figure
from jcihub.people.models import Consent, Person

from . import geo
from .forms import ANY_STATUS, DEFAULT_MILES
from .models import (
    Address,
    Attribute,
    Language,
    Organization,
    Referral,
    ReferralEvent,
    ReferralNote,
    ReferralStatus,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Side,
    TaxonomyTerm,
)


def search_services(filters: dict[str, Any]) -> QuerySet[Service]:
    """Services matching a DirectorySearchForm's cleaned data, by name."""
    services = Service.objects.select_related("organization")
    status = filters.get("status") or Service.Status.ACTIVE
    if status != ANY_STATUS:
        services = services.filter(status=status)
    if filters.get("q"):
        services = services.filter(_mentioning(filters["q"]))
    if filters.get("category"):
        services = services.filter(pk__in=_with_category(filters["category"]))
    if filters.get("zip_code"):
        services = services.filter(_serving_zip(filters["zip_code"]))
    if filters.get("language"):
        services = services.filter(_speaking(filters["language"]))
    if filters.get("eligibility"):
        services = services.filter(eligibility_description__icontains=filters["eligibility"])
    if filters.get("age") is not None:
        age = filters["age"]
        services = services.filter(
            Q(minimum_age__isnull=True) | Q(minimum_age__lte=age),
            Q(maximum_age__isnull=True) | Q(maximum_age__gte=age),
        )
    if filters.get("near_point"):
        return _nearest(services, filters["near_point"], filters.get("within") or DEFAULT_MILES)
    return services.order_by("name", "id")


def _nearest(
    services: QuerySet[Service], point: tuple[float, float], within: float
) -> QuerySet[Service]:
    """Services with a located site within `within` miles of the point, nearest first,
    each annotated `distance2` (squared, longitude-scaled degrees; `geo.miles` converts).

    One grouped query: the services are joined to their sites inside the radius's
    bounding box (indexed), and each service's nearest site is the minimum over that
    join, so the count and the page each measure only the box's sites, once."""
    lat, lon = point
    scale = geo.longitude_scale(lat)
    reach = within / geo.MILES_PER_DEGREE
    site = "service_at_locations__location__"
    in_box = services.filter(
        **{
            f"{site}latitude__range": (lat - reach, lat + reach),
            f"{site}longitude__range": (lon - reach / scale, lon + reach / scale),
        }
    )
    north, east = F(f"{site}latitude") - lat, F(f"{site}longitude") - lon
    squared = ExpressionWrapper(
        north * north + east * east * (scale * scale), output_field=FloatField()
    )
    return (
        in_box.annotate(distance2=Min(squared))
        .filter(distance2__lte=reach * reach)
        .order_by("distance2", "name", "id")
    )


def _mentioning(text: str) -> Q:
    """Services whose name, other name or description holds the text, or whose
    organisation's name does (any case).

    One `IN` over the union of two subqueries, each of which the trigram indexes on
    `UPPER(column)` (migration 0007) serve on PostgreSQL: the service's three columns as
    one bitmap OR, the organisation's name on its own. (One OR across the service's
    columns and an organisation subquery cannot use an index, so PostgreSQL scanned
    every service's text.) On SQLite the same query scans, as the plain filter did."""
    by_service = Service.objects.filter(
        Q(name__icontains=text) | Q(alternate_name__icontains=text) | Q(description__icontains=text)
    )
    by_organization = Service.objects.filter(
        organization__in=Organization.objects.filter(name__icontains=text).values("pk")
    )
    return Q(
        pk__in=by_service.order_by().values("pk").union(by_organization.order_by().values("pk"))
    )


def _with_category(term_id: str | uuid.UUID) -> QuerySet[Any]:
    """Services tagged with the term or with a term directly under it."""
    terms = TaxonomyTerm.objects.filter(Q(pk=term_id) | Q(parent_id=term_id)).values("pk")
    return Attribute.objects.filter(taxonomy_term__in=terms).values("service_id")


def _serving_zip(zip_code: str) -> Q:
    at_sites = ServiceAtLocation.objects.filter(
        location__in=Address.objects.filter(postal_code__startswith=zip_code).values("location_id")
    ).values("service_id")
    by_area = ServiceArea.objects.filter(
        Q(name__contains=zip_code) | Q(description__contains=zip_code)
    ).values("service_id")
    return Q(pk__in=at_sites) | Q(pk__in=by_area)


def _speaking(language: str) -> Q:
    """Services working in the language, or at a site that does (by ISO code or name,
    any case). Compared upper-cased in the database on both sides, so the expression
    indexes on Language serve it on SQLite and PostgreSQL alike."""
    wanted = Upper(Value(language))
    matching = Language.objects.alias(code_upper=Upper("code"), name_upper=Upper("name")).filter(
        Q(code_upper=wanted) | Q(name_upper=wanted)
    )
    at_sites = ServiceAtLocation.objects.filter(location__in=matching.values("location_id")).values(
        "service_id"
    )
    return Q(pk__in=matching.values("service_id")) | Q(pk__in=at_sites)


def with_summary(services: QuerySet[Service]) -> QuerySet[Service]:
    """What a list of services shows: need categories, languages and ZIP codes."""
    return services.prefetch_related(
        Prefetch("attributes", Attribute.objects.select_related("taxonomy_term")),
        "languages",
        Prefetch(
            "service_at_locations",
            ServiceAtLocation.objects.select_related("location").prefetch_related(
                "location__addresses"
            ),
        ),
    )


def service_for_page(pk: uuid.UUID) -> Service:
    """One service with everything its page shows (Service.DoesNotExist if unknown)."""
    locations = ServiceAtLocation.objects.select_related("location").prefetch_related(
        "location__addresses", "location__phones", "location__schedules", "location__languages"
    )
    return (
        Service.objects.select_related("organization")
        .prefetch_related(
            Prefetch("attributes", Attribute.objects.select_related("taxonomy_term")),
            "languages",
            "schedules",
            "service_areas",
            "required_documents",
            "phones",
            "contacts__phones",
            Prefetch("service_at_locations", locations),
        )
        .get(pk=pk)
    )


def organization_for_page(pk: uuid.UUID) -> Organization:
    return (
        Organization.objects.select_related("team")
        .prefetch_related("phones", "contacts__phones", "locations__addresses")
        .get(pk=pk)
    )


# --- Referrals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SharedItem:
    """One detail about the person that a referral shares with its organisation."""

    label: str
    value: str
    sensitivity: Sensitivity


@dataclass(frozen=True)
class Sharing:
    """What a referral shares, from the consents in force today naming the recipient.

    Nothing is copied into the referral: this is worked out on every read, so a revoked
    or lapsed consent withdraws the details from the organisation's view at once."""

    consents: tuple[Consent, ...]
    categories: frozenset[Sensitivity]
    items: tuple[SharedItem, ...]

    @property
    def has_consent(self) -> bool:
        return bool(self.consents)


def consents_in_force(person_id: int, team_id: int | None) -> list[Consent]:
    if team_id is None:
        return []
    return list(
        Consent.objects.active(timezone.localdate())
        .filter(person_id=person_id, recipient_id=team_id)
        .select_related("recipient")
    )


def shared_details(person: Person, team_id: int | None, note: str = "") -> Sharing:
    """The person's details the organisation of `team_id` may receive, by category.

    Criminal-justice information is never shared, consent or not (CJIS)."""
    consents = consents_in_force(person.pk, team_id)
    categories = (
        frozenset(Sensitivity(c) for consent in consents for c in consent.categories)
        & policy.CONSENTABLE
    )
    items: list[SharedItem] = []
    today = timezone.localdate()
    if Sensitivity.GENERAL in categories:
        items += _general_items(person, note, today)
    if Sensitivity.VICTIM_LOCATING in categories:
        items += _locating_items(person, today, confidential=True)
    if Sensitivity.HEALTH in categories:
        items += [
            SharedItem(identifier.get_system_display(), identifier.value, Sensitivity.HEALTH)
            for identifier in person.identifiers.all()
            if identifier.sensitivity == Sensitivity.HEALTH
        ]
    return Sharing(tuple(consents), categories, tuple(items))


def _general_items(person: Person, note: str, today: dt.date) -> list[SharedItem]:
    general = Sensitivity.GENERAL
    language = person.primary_language or "Not recorded"
    if person.needs_interpreter:
        language += " (needs an interpreter)"
    items = [
        SharedItem("Name", person.full_name, general),
        SharedItem(
            "Date of birth",
            f"{person.birth_date:%Y-%m-%d}" if person.birth_date else "Unknown",
            general,
        ),
        SharedItem("Language", language, general),
    ]
    items += _locating_items(person, today, confidential=False)
    if note:
        items.append(SharedItem("Why referred", note, general))
    return items


def _locating_items(person: Person, today: dt.date, *, confidential: bool) -> list[SharedItem]:
    sensitivity = Sensitivity.VICTIM_LOCATING if confidential else Sensitivity.GENERAL
    marker = " (confidential)" if confidential else ""
    items = [
        SharedItem(f"{address.get_kind_display()} address{marker}", str(address), sensitivity)
        for address in person.addresses.current(today).filter(is_confidential=confidential)
    ]
    items += [
        SharedItem(f"{point.get_kind_display()}{marker}", point.value, sensitivity)
        for point in person.contact_points.current(today).filter(is_confidential=confidential)
    ]
    return items


def shown_to(user: Any, person: Person, sharing: Sharing) -> tuple[list[SharedItem], int]:
    """The shared items this user may see, and how many are withheld from them: staff see
    no more of the person through a referral than through the person's page."""
    visible = policy.visible_sensitivities(user, person)
    shown = [item for item in sharing.items if item.sensitivity in visible]
    return shown, len(sharing.items) - len(shown)


def referral_for_user(user: Any, pk: Any) -> Referral:
    """The referral, if the user may open it; 404 (audited) otherwise."""
    try:
        key = int(pk)
        referral = Referral.objects.select_related(
            "person", "service", "organization", "need", "created_by"
        ).get(pk=key)
    except (Referral.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    if not policy.visible_referrals(user).filter(pk=referral.pk).exists():
        deny(
            user, "referral not visible to this user", person_id=referral.person_id, not_found=True
        )
    return referral


def overdue_cutoff() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=settings.REFERRAL_ANSWER_HOURS)


def start_cutoff() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=settings.REFERRAL_START_DAYS)


# The two service-level timers: sent and not answered in time; accepted and not started.
def unanswered() -> Q:
    return Q(status=ReferralStatus.SENT, sent_at__lt=overdue_cutoff())


def not_started() -> Q:
    return Q(status=ReferralStatus.ACCEPTED, answered_at__lt=start_cutoff())


def reminders_due() -> QuerySet[Referral]:
    """Referrals past a service-level timer (the banner's `unanswered` and `not_started`)
    whose sender has not been mailed about this overdue spell: not reminded at all, or
    reminded before the move that started the timer now running out."""
    return Referral.objects.filter(
        (unanswered() & (Q(reminded_at__isnull=True) | Q(reminded_at__lt=F("sent_at"))))
        | (not_started() & (Q(reminded_at__isnull=True) | Q(reminded_at__lt=F("answered_at"))))
    )


# Referrals that have reached the organisation and are not closed.
OPEN_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE)


def service_has_ended(referral: Referral) -> bool:
    """The referral is still open but its service is no longer offered (the directory
    lists it as inactive, defunct or temporarily closed)."""
    return referral.status in OPEN_STATUSES and referral.service.status != Service.Status.ACTIVE


def service_ended_notices_due() -> QuerySet[Referral]:
    """Open referrals to a service no longer offered whose sender has not been told."""
    return Referral.objects.filter(
        status__in=OPEN_STATUSES, service_ended_mailed_at__isnull=True
    ).exclude(service__status=Service.Status.ACTIVE)


def overdue_since(referral: Referral) -> dt.datetime | None:
    """When the referral's running timer ran out, or None if it has not."""
    if referral.status == ReferralStatus.SENT and referral.sent_at:
        due = referral.sent_at + dt.timedelta(hours=settings.REFERRAL_ANSWER_HOURS)
    elif referral.status == ReferralStatus.ACCEPTED and referral.answered_at:
        due = referral.answered_at + dt.timedelta(days=settings.REFERRAL_START_DAYS)
    else:
        return None
    return due if due < timezone.now() else None


def overdue_reason(referral: Referral) -> str:
    """Why the referral is overdue, or "" if it is not."""
    sent, answered = referral.sent_at, referral.answered_at
    if referral.status == ReferralStatus.SENT and sent and sent < overdue_cutoff():
        return f"not answered within {settings.REFERRAL_ANSWER_HOURS} hours"
    if referral.status == ReferralStatus.ACCEPTED and answered and answered < start_cutoff():
        return f"accepted, service not started within {settings.REFERRAL_START_DAYS} days"
    return ""


def follow_ups_due(user: Any) -> QuerySet[ReferralNote]:
    """Open follow-ups due today or earlier that the user's side keeps: the department's
    for its staff (the referrals' senders), the organisation's for its users."""
    side = Side.RECIPIENT if policy.has_capability(user, Cap.REFERRALS_RESPOND) else Side.SENDER
    return ReferralNote.objects.filter(
        side=side, done_at__isnull=True, due_on__lte=timezone.localdate()
    )


def open_follow_ups(user: Any, referral: Referral) -> QuerySet[ReferralNote]:
    """The referral's follow-ups not done yet that the user's side keeps, so may mark done."""
    return referral.notes.filter(
        side__in=policy.referral_sides(user, referral), due_on__isnull=False, done_at__isnull=True
    )


def visible_notes(user: Any, referral: Referral, has_consent: bool) -> QuerySet[ReferralNote]:
    """The referral's notes this user may read: the organisation always sees its own, the
    department's only while the person's consent is in force; staff see every note."""
    notes = referral.notes.select_related("author")
    if Side.SENDER not in policy.referral_sides(user, referral) and not has_consent:
        notes = notes.filter(side=Side.RECIPIENT)
    return notes


def follow_ups_for(user: Any, referral: Referral) -> QuerySet[ReferralNote]:
    """The referral's follow-ups (notes with a date to do them by) this user may read, by
    date, under the consent in force now (`visible_notes`)."""
    has_consent = bool(consents_in_force(referral.person_id, referral.organization.team_id))
    return (
        visible_notes(user, referral, has_consent)
        .filter(due_on__isnull=False)
        .order_by("due_on", "created_at", "id")
    )


def follow_up_for_user(user: Any, referral: Referral, pk: Any) -> ReferralNote:
    """One follow-up of the referral, if this user may read it; 404 (audited) otherwise."""
    try:
        key = int(pk)
        return follow_ups_for(user, referral).get(pk=key)
    except (ReferralNote.DoesNotExist, ValueError, TypeError, OverflowError):
        deny(user, "referral follow-up not visible", person_id=referral.person_id, not_found=True)
        raise  # deny raises; this line is never reached


def search_referrals(user: Any, filters: dict[str, Any]) -> QuerySet[Referral]:
    """The referrals the user may see, filtered by a ReferralFilterForm's cleaned data,
    each marked `is_overdue` (sent and not answered within the answer time, or accepted
    and not started within the start time) and `has_follow_up_due`."""
    overdue = unanswered() | not_started()
    referrals = policy.visible_referrals(user).annotate(
        is_overdue=ExpressionWrapper(overdue, output_field=BooleanField()),
        has_follow_up_due=Exists(follow_ups_due(user).filter(referral=OuterRef("pk"))),
    )
    if filters.get("follow_up_due"):
        referrals = referrals.filter(has_follow_up_due=True)
    if filters.get("status"):
        referrals = referrals.filter(status=filters["status"])
    if filters.get("organization"):
        referrals = referrals.filter(organization=filters["organization"])
    if filters.get("overdue"):
        referrals = referrals.filter(overdue)
    if filters.get("mine"):
        referrals = referrals.filter(created_by=user)
    return referrals.select_related("person", "service", "organization", "need").order_by(
        "-created_at", "-id"
    )


def shared_categories(referrals: Iterable[Referral]) -> dict[int, frozenset[Sensitivity]]:
    """For a page of referrals, the categories each may share today (one query)."""
    rows = list(referrals)
    pairs = {(r.person_id, r.organization.team_id) for r in rows}
    consents = Consent.objects.active(timezone.localdate()).filter(
        person_id__in={p for p, _ in pairs}, recipient_id__in={t for _, t in pairs if t}
    )
    found: dict[tuple[int, int], set[Sensitivity]] = {}
    for person_id, team_id, categories in consents.values_list(
        "person_id", "recipient_id", "categories"
    ):
        found.setdefault((person_id, team_id), set()).update(Sensitivity(c) for c in categories)
    return {
        r.pk: frozenset(found.get((r.person_id, r.organization.team_id or 0), set()))
        & policy.CONSENTABLE
        for r in rows
    }


def referral_timeline_events(person_id: int) -> list[TimelineEvent]:
    """Each move of the person's referrals. Reads plain values (the person page builds its
    whole timeline on every view). A victim-services referral's events are victim-locating,
    like the victim case they come from."""
    labels = dict(ReferralStatus.choices)
    events = []
    for (
        when,
        to_status,
        referral_id,
        organization,
        service,
        for_victim,
    ) in ReferralEvent.objects.filter(referral__person_id=person_id).values_list(
        "occurred_at",
        "to_status",
        "referral_id",
        "referral__organization__name",
        "referral__service__name",
        "referral__is_victim_service",
    ):
        events.append(
            TimelineEvent(
                when,
                "referrals",
                "referral",
                f"Referral R{referral_id:07d} to {organization}: {str(labels[to_status]).lower()}",
                service,
                Sensitivity.VICTIM_LOCATING if for_victim else Sensitivity.GENERAL,
            )
        )
    return events


@dataclass
class ReportRow:
    organization: str
    need: str
    sent: int = 0
    accepted: int = 0
    completed: int = 0
    days_to_service: list[float] = field(default_factory=list)

    @property
    def median_days_to_service(self) -> float | None:
        return round(statistics.median(self.days_to_service), 1) if self.days_to_service else None

    def published(self) -> tuple[object, ...]:
        """The row as it may leave the department (small cells suppressed)."""
        return (
            self.organization,
            self.need,
            published_count(self.sent),
            published_count(self.accepted),
            published_count(self.completed),
            published_figure(self.median_days_to_service, len(self.days_to_service)),
        )


def referral_report(since: dt.date | None = None, until: dt.date | None = None) -> list[ReportRow]:
    """Referrals sent, accepted and completed, and the median days from sending to the
    first service, by organisation and need category. Counts, never people."""
    referrals = Referral.objects.filter(sent_at__isnull=False, person__sealed_at__isnull=True)
    if since:
        referrals = referrals.filter(sent_at__date__gte=since)
    if until:
        referrals = referrals.filter(sent_at__date__lte=until)
    accepted = ReferralEvent.objects.filter(
        referral=OuterRef("pk"), to_status=ReferralStatus.ACCEPTED
    )
    rows: dict[tuple[str, str], ReportRow] = {}
    for organization, need, status, sent_at, started_at, was_accepted in (
        referrals.annotate(was_accepted=Exists(accepted))
        .values_list(
            "organization__name",
            "need__name",
            "status",
            "sent_at",
            "service_started_at",
            "was_accepted",
        )
        .iterator(chunk_size=2000)
    ):
        key = (organization, need or "Not categorised")
        row = rows.setdefault(key, ReportRow(*key))
        row.sent += 1
        row.accepted += int(was_accepted)
        row.completed += int(status == ReferralStatus.COMPLETED)
        if started_at and sent_at:
            row.days_to_service.append((started_at - sent_at).total_seconds() / 86400)
    return [rows[key] for key in sorted(rows)]
