"""The one authorisation policy: who may see or change what.

Every view, API endpoint, export and search calls this module. A decision rests on
three things (DESIGN.md, rule 2):

- the user's **role** (what kind of work they do),
- their **relationship** to the person (caseload or team assignment, partner
  organisation with the person's active consent, a break-the-glass grant),
- the **sensitivity** of the data (victim-locating, health, substance use, criminal
  history).

Single-object checks are `rules` predicates; list views use `visible_people`, the
queryset form of the same rule (a test holds the two in agreement).
"""

import datetime as dt
from collections.abc import Collection
from typing import Any

import rules
from django.db.models import Q, QuerySet
from django.utils import timezone

from jcihub.accounts.roles import RoleCode as R
from jcihub.core.sensitivity import Sensitivity

# --- Capabilities: what a role may do at all, before any record is considered ---------------


class Cap:
    PEOPLE_SEARCH = "people.search"
    PEOPLE_CREATE = "people.create"
    PEOPLE_VIEW = "people.view"
    PEOPLE_CHANGE = "people.change"
    PEOPLE_SEAL = "people.seal"
    PEOPLE_EXPORT = "people.export"
    BREAK_GLASS = "people.break_glass"
    AUDIT_VIEW = "audit.view"
    ACCOUNTS_MANAGE = "accounts.manage"
    # Import runs: their counts and the reasons rows were rejected; the rejected rows'
    # own text (which, from internal feeds, holds names and dates of birth) needs MANAGE.
    IMPORTS_VIEW = "imports.view"
    IMPORTS_MANAGE = "imports.manage"
    # Police incidents are criminal-justice information: the roles cleared for it (see
    # SENSITIVITY_ROLES) and the analyst, who studies them but sees no person records.
    INCIDENTS_VIEW = "incidents.view"
    INCIDENTS_EXPORT = "incidents.export"
    # Places: canonical properties and the raw addresses that map to them; correcting a
    # mapping (which re-points every past record at that address) needs MANAGE.
    PLACES_VIEW = "places.view"
    PLACES_MANAGE = "places.manage"
    # Owner and parcel of record (public record from the assessor): entered or imported.
    PLACES_PARCELS = "places.parcels"
    # Deciding whether two person records are one person (identity resolution's review
    # queue): the roles that see the whole registry, as both records must be seen whole.
    PEOPLE_LINK_REVIEW = "people.link_review"
    # The service directory (organisations and the services they offer) is not sensitive:
    # every signed-in role may read it; changing entries needs MANAGE.
    DIRECTORY_VIEW = "directory.view"
    DIRECTORY_MANAGE = "directory.manage"
    # The Public Safety Taskforce's problem properties: counts of police incidents per
    # property (no people), the ranked list and its export; MANAGE edits which offense
    # codes count in which category.
    TASKFORCE_VIEW = "taskforce.view"
    TASKFORCE_EXPORT = "taskforce.export"
    TASKFORCE_MANAGE = "taskforce.manage"
    # The flag rules (thresholds, windows, "far above its own history"): the taskforce
    # coordinator's to set, since they decide which properties the taskforce looks at.
    TASKFORCE_RULES = "taskforce.rules"
    # Taskforce cases on properties and their action items: CASEWORK follows them up (an
    # agency liaison only its own agency's, see `visible_taskforce_cases`); COORDINATE
    # opens and closes cases, assigns items, runs meetings and sees every agency's work.
    TASKFORCE_CASEWORK = "taskforce.casework"
    TASKFORCE_COORDINATE = "taskforce.coordinate"
    # The monthly report: counts per agency and before/after outcomes per case (no people).
    TASKFORCE_REPORT = "taskforce.report"
    # Closed-loop referrals: staff send them (for people they can see), partner users
    # answer those to their organisation; the export and the report are separate grants.
    REFERRALS_VIEW = "referrals.view"
    REFERRALS_SEND = "referrals.send"
    REFERRALS_RESPOND = "referrals.respond"
    REFERRALS_EXPORT = "referrals.export"
    REFERRALS_REPORT = "referrals.report"
    # The IPVI focused-deterrence programme: its candidate queue and tier ladder (people
    # who caused harm, with their police history); only the coordinator decides tiers.
    IPVI_VIEW = "ipvi.view"
    IPVI_DECIDE = "ipvi.decide"
    # The tier ladder's levels and rules (configuration, not code).
    IPVI_CONFIGURE = "ipvi.configure"
    # Programme outcomes: counts of people, never a list of them. The report leaves the
    # department (small cells suppressed); the dashboard shows the counts whole.
    INSIGHTS_IPVI = "insights.ipvi"
    INSIGHTS_REPORT = "insights.report"
    # Spending against ordinance authorisations: read by those who answer for it (and the
    # auditor); recorded and voided by the director and programme managers.
    FUNDS_VIEW = "funds.view"
    FUNDS_MANAGE = "funds.manage"
    # Screening instruments (definitions, not people) and the assessments made with them;
    # which assessments a role sees also depends on whom the instrument is about
    # (`ASSESSMENT_SUBJECT_ROLES`). IPVI victim outreach is the victim advocates' work.
    INSTRUMENTS_VIEW = "programs.instruments_view"
    ASSESSMENTS_VIEW = "programs.assessments_view"
    ASSESSMENTS_RECORD = "programs.assessments_record"
    IPVI_VICTIMS_VIEW = "ipvi.victims_view"
    IPVI_OUTREACH = "ipvi.outreach"
    # Reentry and victim-services cases: navigators and advocates work their own caseload
    # (see `visible_cases`); the report holds counts only.
    REENTRY_VIEW = "reentry.view"
    REENTRY_CASEWORK = "reentry.casework"
    REENTRY_REPORT = "reentry.report"
    # Partner users propose changes to their own organisation's directory entries; a
    # directory manager (DIRECTORY_MANAGE) approves or rejects them.
    DIRECTORY_PROPOSE = "directory.propose"
    DIRECTORY_CHANGES = "directory.changes"  # the list of proposed changes (each side's)
    # IPVI notifications: the coordinator makes letters, runs custom notifications and
    # call-ins and records services offered, and edits the letter templates; the police
    # and prosecutor liaisons see re-offences after a notification (of people assigned to
    # their agency), with the notification attached and nothing that locates a victim.
    IPVI_NOTIFY = "ipvi.notify"
    IPVI_TEMPLATES = "ipvi.templates"
    IPVI_LIAISON = "ipvi.liaison"
    # Charging decisions on a re-offence: recorded (and corrected) by a prosecutor liaison,
    # for the people assigned to their prosecutor's office (`may_record_charging_decision`);
    # read by whoever sees the re-offence (IPVI_LIAISON).
    IPVI_CHARGE = "ipvi.charge"


# Roles that see the department's whole registry, restricted records included.
DEPARTMENT_WIDE = frozenset({R.DIRECTOR, R.PROGRAM_MANAGER})
# Roles that may look people up in the registry (unrestricted records) to find and
# serve them; restricted records need a relationship or a break-the-glass grant.
REGISTRY = frozenset(
    {
        R.CASE_MANAGER,
        R.VICTIM_ADVOCATE,
        R.IPVI_COORDINATOR,
        R.OUTREACH_WORKER,
        R.REENTRY_NAVIGATOR,
        R.CORRECTIONS_OFFICER,
        R.CUSTODY_HEALTH,
        R.TASKFORCE_COORDINATOR,
    }
)
# Outside staff who see only the people assigned to their agency.
AGENCY = frozenset({R.AGENCY_LIAISON})
# Partner organisations see only people whose active consent names their organisation.
PARTNER = frozenset({R.PARTNER_USER})
# Who works the taskforce's problem-property list: counts derived from police reports, so
# roles that may read incidents (the system administrator, who may not, only edits the
# offense categories).
TASKFORCE_STAFF = frozenset({R.TASKFORCE_COORDINATOR, R.DIRECTOR, R.PROGRAM_MANAGER, R.ANALYST})

_CASEWORK = {Cap.PEOPLE_SEARCH, Cap.PEOPLE_CREATE, Cap.PEOPLE_VIEW, Cap.PEOPLE_CHANGE}
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    R.DIRECTOR: frozenset(_CASEWORK | {Cap.PEOPLE_SEAL, Cap.PEOPLE_EXPORT}),
    R.PROGRAM_MANAGER: frozenset(_CASEWORK | {Cap.PEOPLE_EXPORT}),
    **{role: frozenset(_CASEWORK | {Cap.BREAK_GLASS}) for role in REGISTRY},
    R.AGENCY_LIAISON: frozenset({Cap.PEOPLE_SEARCH, Cap.PEOPLE_VIEW}),
    R.PARTNER_USER: frozenset({Cap.PEOPLE_SEARCH, Cap.PEOPLE_VIEW}),
    R.ANALYST: frozenset(),
    R.AUDITOR: frozenset({Cap.AUDIT_VIEW}),
    R.SYSTEM_ADMIN: frozenset({Cap.ACCOUNTS_MANAGE}),
}
# Capabilities that cut across the person-centred groups above.
_EXTRA_CAPABILITIES: dict[str, frozenset[str]] = {
    Cap.IMPORTS_VIEW: frozenset({R.DIRECTOR, R.PROGRAM_MANAGER, R.ANALYST, R.SYSTEM_ADMIN}),
    Cap.IMPORTS_MANAGE: frozenset({R.DIRECTOR, R.SYSTEM_ADMIN}),
    Cap.INCIDENTS_VIEW: frozenset(
        {
            R.DIRECTOR,
            R.PROGRAM_MANAGER,
            R.CASE_MANAGER,
            R.IPVI_COORDINATOR,
            R.REENTRY_NAVIGATOR,
            R.CORRECTIONS_OFFICER,
            R.AGENCY_LIAISON,
            R.TASKFORCE_COORDINATOR,
            R.ANALYST,
        }
    ),
    Cap.INCIDENTS_EXPORT: frozenset({R.DIRECTOR, R.PROGRAM_MANAGER, R.ANALYST}),
    Cap.PLACES_VIEW: frozenset(
        {
            R.DIRECTOR,
            R.PROGRAM_MANAGER,
            R.TASKFORCE_COORDINATOR,
            R.ANALYST,
            R.SYSTEM_ADMIN,
            R.AGENCY_LIAISON,
            R.CASE_MANAGER,
            R.IPVI_COORDINATOR,
        }
    ),
    Cap.PLACES_MANAGE: frozenset({R.SYSTEM_ADMIN, R.DIRECTOR}),
    Cap.PLACES_PARCELS: frozenset({R.SYSTEM_ADMIN, R.DIRECTOR, R.TASKFORCE_COORDINATOR}),
    Cap.PEOPLE_LINK_REVIEW: DEPARTMENT_WIDE,
    Cap.DIRECTORY_VIEW: frozenset(R.values),
    Cap.DIRECTORY_MANAGE: frozenset({R.DIRECTOR, R.PROGRAM_MANAGER, R.SYSTEM_ADMIN}),
    Cap.TASKFORCE_VIEW: TASKFORCE_STAFF,
    Cap.TASKFORCE_EXPORT: TASKFORCE_STAFF,
    Cap.TASKFORCE_MANAGE: frozenset({R.TASKFORCE_COORDINATOR, R.DIRECTOR, R.SYSTEM_ADMIN}),
    Cap.TASKFORCE_RULES: frozenset({R.TASKFORCE_COORDINATOR}),
    Cap.TASKFORCE_CASEWORK: frozenset(
        {R.TASKFORCE_COORDINATOR, R.DIRECTOR, R.PROGRAM_MANAGER, R.AGENCY_LIAISON}
    ),
    Cap.TASKFORCE_COORDINATE: frozenset({R.TASKFORCE_COORDINATOR, R.DIRECTOR, R.PROGRAM_MANAGER}),
    Cap.TASKFORCE_REPORT: TASKFORCE_STAFF,
    Cap.REFERRALS_VIEW: DEPARTMENT_WIDE | REGISTRY | PARTNER,
    Cap.REFERRALS_SEND: DEPARTMENT_WIDE | REGISTRY,
    Cap.REFERRALS_RESPOND: PARTNER,
    Cap.REFERRALS_EXPORT: DEPARTMENT_WIDE,
    Cap.REFERRALS_REPORT: DEPARTMENT_WIDE | {R.ANALYST},
    Cap.IPVI_VIEW: DEPARTMENT_WIDE | {R.IPVI_COORDINATOR},
    Cap.IPVI_DECIDE: frozenset({R.IPVI_COORDINATOR}),
    Cap.IPVI_CONFIGURE: frozenset({R.IPVI_COORDINATOR, R.DIRECTOR}),
    Cap.INSIGHTS_IPVI: DEPARTMENT_WIDE | {R.IPVI_COORDINATOR, R.ANALYST},
    Cap.INSIGHTS_REPORT: DEPARTMENT_WIDE | {R.IPVI_COORDINATOR},
    Cap.FUNDS_VIEW: DEPARTMENT_WIDE | {R.IPVI_COORDINATOR, R.AUDITOR},
    Cap.FUNDS_MANAGE: DEPARTMENT_WIDE,
    Cap.INSTRUMENTS_VIEW: DEPARTMENT_WIDE
    | {R.ANALYST, R.SYSTEM_ADMIN}
    | frozenset({R.VICTIM_ADVOCATE, R.CASE_MANAGER, R.OUTREACH_WORKER, R.REENTRY_NAVIGATOR}),
    Cap.ASSESSMENTS_VIEW: DEPARTMENT_WIDE
    | {R.VICTIM_ADVOCATE, R.CASE_MANAGER, R.OUTREACH_WORKER, R.REENTRY_NAVIGATOR},
    Cap.ASSESSMENTS_RECORD: frozenset(
        {R.VICTIM_ADVOCATE, R.CASE_MANAGER, R.OUTREACH_WORKER, R.REENTRY_NAVIGATOR}
    ),
    Cap.IPVI_VICTIMS_VIEW: DEPARTMENT_WIDE | {R.VICTIM_ADVOCATE},
    Cap.IPVI_OUTREACH: frozenset({R.VICTIM_ADVOCATE}),
    Cap.REENTRY_VIEW: DEPARTMENT_WIDE | {R.REENTRY_NAVIGATOR, R.VICTIM_ADVOCATE},
    Cap.REENTRY_CASEWORK: DEPARTMENT_WIDE | {R.REENTRY_NAVIGATOR, R.VICTIM_ADVOCATE},
    Cap.REENTRY_REPORT: DEPARTMENT_WIDE | {R.ANALYST},
    Cap.DIRECTORY_PROPOSE: PARTNER,
    Cap.DIRECTORY_CHANGES: PARTNER | {R.DIRECTOR, R.PROGRAM_MANAGER, R.SYSTEM_ADMIN},
    Cap.IPVI_NOTIFY: frozenset({R.IPVI_COORDINATOR}),
    Cap.IPVI_TEMPLATES: frozenset({R.IPVI_COORDINATOR}),
    Cap.IPVI_LIAISON: DEPARTMENT_WIDE | {R.IPVI_COORDINATOR, R.AGENCY_LIAISON},
    Cap.IPVI_CHARGE: AGENCY,
}
for _capability, _roles in _EXTRA_CAPABILITIES.items():
    for _role in _roles:
        ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {_capability}

# Which roles may see each sensitive class for a person they can already see.
# Victim-locating information is shown to victim advocates only, and never to anyone who
# works with the person who caused the harm (see `works_with_harm_causer`).
SENSITIVITY_ROLES: dict[Sensitivity, frozenset[str]] = {
    Sensitivity.GENERAL: frozenset(ROLE_CAPABILITIES),
    Sensitivity.VICTIM_LOCATING: frozenset({R.VICTIM_ADVOCATE}),
    Sensitivity.HEALTH: frozenset({R.CUSTODY_HEALTH}),
    Sensitivity.SUBSTANCE_USE: frozenset({R.CUSTODY_HEALTH}),
    Sensitivity.CRIMINAL_HISTORY: frozenset(
        {
            R.DIRECTOR,
            R.PROGRAM_MANAGER,
            R.CASE_MANAGER,
            R.IPVI_COORDINATOR,
            R.REENTRY_NAVIGATOR,
            R.CORRECTIONS_OFFICER,
            R.AGENCY_LIAISON,
            R.TASKFORCE_COORDINATOR,
        }
    ),
}
# Criminal-justice information is not shared with partners even with consent (CJIS).
CONSENTABLE = frozenset(SENSITIVITY_ROLES) - {Sensitivity.CRIMINAL_HISTORY}


def role_of(user: Any) -> str:
    if user is None or not user.is_authenticated or not user.is_active:
        return ""
    return user.role_id or ""


def has_capability(user: Any, capability: str) -> bool:
    return capability in ROLE_CAPABILITIES.get(role_of(user), frozenset())


# --- Relationship ------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _active_assignments(user: Any) -> Q:
    today = _today()
    return (
        (Q(user=user) | Q(team__in=user.teams.all()))
        & (Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        & Q(started_on__lte=today)
    )


def _assigned_person_ids(user: Any) -> QuerySet[Any]:
    from jcihub.people.models import CaseAssignment

    return CaseAssignment.objects.filter(_active_assignments(user)).values("person_id")


def _consenting_person_ids(user: Any) -> QuerySet[Any]:
    from jcihub.people.models import Consent

    return (
        Consent.objects.active(_today()).filter(recipient__in=user.teams.all()).values("person_id")
    )


def _granted_person_ids(user: Any) -> QuerySet[Any]:
    from .models import BreakGlassGrant

    return BreakGlassGrant.objects.filter(user=user, expires_at__gt=timezone.now()).values(
        "person_id"
    )


@rules.predicate
def is_assigned(user: Any, person: Any) -> bool:
    return _assigned_person_ids(user).filter(person_id=person.pk).exists()


@rules.predicate
def has_consent(user: Any, person: Any) -> bool:
    return _consenting_person_ids(user).filter(person_id=person.pk).exists()


@rules.predicate
def has_break_glass(user: Any, person: Any) -> bool:
    return _granted_person_ids(user).filter(person_id=person.pk).exists()


def harm_causers_of(person_id: int) -> set[int]:
    """Ids of the people recorded as having caused harm to this person."""
    from jcihub.people.models import PersonRelationship

    rows = PersonRelationship.objects.filter(
        Q(person_id=person_id, related_person_caused_harm=True)
        | Q(related_person_id=person_id, person_caused_harm=True)
    ).values_list("person_id", "related_person_id")
    return {other for pair in rows for other in pair if other != person_id}


def is_known_victim(person_id: int) -> bool:
    """Whether the record shows this person as harmed: a recorded harm relationship, a
    victim-services case, or IPVI victim outreach (open or closed: a past victim can still
    be sought by whoever harmed them)."""
    from jcihub.ipvi.models import VictimCase
    from jcihub.reentry.models import Case, CaseKind

    return (
        bool(harm_causers_of(person_id))
        or Case.objects.filter(person_id=person_id, kind=CaseKind.VICTIM_SERVICES).exists()
        or VictimCase.objects.filter(victim_id=person_id).exists()
    )


@rules.predicate
def works_with_harm_causer(user: Any, person: Any) -> bool:
    causers = harm_causers_of(person.pk)
    return bool(causers) and _assigned_person_ids(user).filter(person_id__in=causers).exists()


# --- Who may see a person at all -------------------------------------------------------


@rules.predicate
def is_sealed(user: Any, person: Any) -> bool:
    return person.sealed_at is not None


@rules.predicate
def is_restricted(user: Any, person: Any) -> bool:
    return bool(person.is_restricted)


def _role_in(roles: frozenset[str]) -> Any:
    return rules.predicate(lambda user: role_of(user) in roles, name=f"role_in_{len(roles)}")


is_department_wide = _role_in(DEPARTMENT_WIDE)
is_registry_role = _role_in(REGISTRY)
is_agency_role = _role_in(AGENCY)
is_partner_role = _role_in(PARTNER)

can_view_person = ~is_sealed & (
    is_department_wide
    | (is_registry_role & (~is_restricted | is_assigned | has_break_glass))
    | (is_agency_role & is_assigned)
    | (is_partner_role & has_consent)
)
can_change_person = can_view_person & rules.predicate(
    lambda user: has_capability(user, Cap.PEOPLE_CHANGE), name="may_change"
)


def visible_people(user: Any, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The people this user may see, as a queryset: the list form of `can_view_person`."""
    from jcihub.people.models import Person

    qs = (queryset if queryset is not None else Person.objects.all()).filter(sealed_at__isnull=True)
    role = role_of(user)
    if role in DEPARTMENT_WIDE:
        return qs
    if role in REGISTRY:
        return qs.filter(
            Q(is_restricted=False)
            | Q(pk__in=_assigned_person_ids(user))
            | Q(pk__in=_granted_person_ids(user))
        )
    if role in AGENCY:
        return qs.filter(pk__in=_assigned_person_ids(user))
    if role in PARTNER:
        return qs.filter(pk__in=_consenting_person_ids(user))
    return qs.none()


def visible_sensitivities(user: Any, person: Any) -> frozenset[Sensitivity]:
    """The classes of this person's data the user may see; empty if not the person."""
    if not can_view_person(user, person):
        return frozenset()
    role = role_of(user)
    allowed = {s for s, roles in SENSITIVITY_ROLES.items() if role in roles}
    if role in PARTNER:
        allowed = {Sensitivity.GENERAL} | _consented_categories(user, person)
    if Sensitivity.VICTIM_LOCATING in allowed and works_with_harm_causer(user, person):
        allowed.discard(Sensitivity.VICTIM_LOCATING)
    return frozenset(allowed)


def _consented_categories(user: Any, person: Any) -> set[Sensitivity]:
    from jcihub.people.models import Consent

    consents = Consent.objects.active(_today()).filter(
        person=person, recipient__in=user.teams.all()
    )
    return {Sensitivity(c) for consent in consents for c in consent.categories} & CONSENTABLE


def can_view_sensitivity(user: Any, person: Any, sensitivity: Sensitivity) -> bool:
    return sensitivity in visible_sensitivities(user, person)


def may_break_glass(user: Any, person: Any) -> bool:
    """Emergency access applies to restricted records a registry role cannot otherwise see."""
    return (
        has_capability(user, Cap.BREAK_GLASS)
        and person.sealed_at is None
        and person.is_restricted
        and not can_view_person(user, person)
    )


def can_view_audit(user: Any) -> bool:
    return has_capability(user, Cap.AUDIT_VIEW)


# --- Referrals -----------------------------------------------------------------------------
# A referral is seen by the department's staff who may see its person, and by the partner
# users of the organisation it was sent to (never a draft). What of the person the
# partner sees is decided on every read by the consent in force (referrals.selectors).


def visible_referrals(user: Any, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The referrals this user may open, as a queryset."""
    from jcihub.referrals.models import Referral, ReferralStatus

    qs = (queryset if queryset is not None else Referral.objects.all()).filter(
        person__sealed_at__isnull=True
    )
    if not has_capability(user, Cap.REFERRALS_VIEW):
        return qs.none()
    if role_of(user) in PARTNER:
        return qs.filter(organization__team__in=user.teams.all()).exclude(
            status=ReferralStatus.DRAFT
        )
    staff = qs.filter(Q(person__in=visible_people(user)) | Q(created_by=user))
    # A victim-services referral locates the victim: only staff who may see that class
    # for the person (victim advocates not working with whoever harmed them), and its
    # sender, see it.
    hidden = Q(is_victim_service=True) & ~Q(created_by=user)
    if role_of(user) in SENSITIVITY_ROLES[Sensitivity.VICTIM_LOCATING]:
        hidden &= _harmed_by_assigned(user)
    return staff.exclude(hidden)


def _harmed_by_assigned(user: Any) -> Q:
    """People recorded as harmed by someone assigned to this user (a record filter on
    `person`): the queryset form of `works_with_harm_causer`."""
    from jcihub.people.models import PersonRelationship

    assigned = _assigned_person_ids(user)
    as_first = PersonRelationship.objects.filter(
        person_id__in=assigned, person_caused_harm=True
    ).values("related_person_id")
    as_second = PersonRelationship.objects.filter(
        related_person_id__in=assigned, related_person_caused_harm=True
    ).values("person_id")
    return Q(person__in=as_first) | Q(person__in=as_second)


def referral_sides(user: Any, referral: Any) -> frozenset[str]:
    """The sides of the referral this user acts for: the sender (staff who may refer the
    person) and/or the recipient (a partner user of the receiving organisation)."""
    from jcihub.referrals.models import Side

    sides = set()
    if has_capability(user, Cap.REFERRALS_SEND) and can_view_person(user, referral.person):
        sides.add(Side.SENDER)
    team_id = referral.organization.team_id
    if (
        has_capability(user, Cap.REFERRALS_RESPOND)
        and team_id is not None
        and user.teams.filter(pk=team_id).exists()
    ):
        sides.add(Side.RECIPIENT)
    return frozenset(sides)


# --- Assessments and victim outreach ---------------------------------------------------------
# A victim's lethality or danger screen is seen and recorded by victim advocates (and read by
# the department-wide roles who supervise them); screens of other people by the programme
# staff who assess. Nobody assigned to the person who caused a victim harm sees that
# victim's screens, as with their locating information.

ASSESSMENT_SUBJECT_ROLES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # subject: (roles that read, roles that record)
    "victim": (DEPARTMENT_WIDE | {R.VICTIM_ADVOCATE}, frozenset({R.VICTIM_ADVOCATE})),
    "person_who_caused_harm": (
        DEPARTMENT_WIDE | {R.CASE_MANAGER, R.OUTREACH_WORKER, R.REENTRY_NAVIGATOR},
        frozenset({R.CASE_MANAGER, R.OUTREACH_WORKER, R.REENTRY_NAVIGATOR}),
    ),
    "participant": (
        DEPARTMENT_WIDE | {R.CASE_MANAGER, R.OUTREACH_WORKER, R.REENTRY_NAVIGATOR},
        frozenset({R.CASE_MANAGER, R.OUTREACH_WORKER, R.REENTRY_NAVIGATOR}),
    ),
}


def _subjects(user: Any, *, record: bool) -> set[str]:
    role = role_of(user)
    return {s for s, roles in ASSESSMENT_SUBJECT_ROLES.items() if role in roles[int(record)]}


def _harmed_by_my_people(user: Any) -> Q:
    """People harmed by someone on this user's caseload, as a filter on person ids."""
    from jcihub.people.models import PersonRelationship

    mine = _assigned_person_ids(user)
    harmed = PersonRelationship.objects.filter(person_id__in=mine, person_caused_harm=True).values(
        "related_person_id"
    )
    harmed_reverse = PersonRelationship.objects.filter(
        related_person_id__in=mine, related_person_caused_harm=True
    ).values("person_id")
    return Q(pk__in=harmed) | Q(pk__in=harmed_reverse)


def may_see_assessments_of(user: Any, person: Any, subject: str, *, record: bool = False) -> bool:
    """May the user read (or record) assessments of this subject kind for this person?"""
    capability = Cap.ASSESSMENTS_RECORD if record else Cap.ASSESSMENTS_VIEW
    return (
        has_capability(user, capability)
        and subject in _subjects(user, record=record)
        and bool(can_view_person(user, person))
        and not works_with_harm_causer(user, person)
    )


def visible_assessments(user: Any, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The assessments this user may read: the list form of `may_see_assessments_of`."""
    from jcihub.programs.models import Assessment

    qs = queryset if queryset is not None else Assessment.objects.all()
    if not has_capability(user, Cap.ASSESSMENTS_VIEW):
        return qs.none()
    people = visible_people(user).exclude(_harmed_by_my_people(user))
    return qs.filter(
        person__in=people, version__instrument__subject__in=_subjects(user, record=False)
    )


def may_see_victim_locating(user: Any, person: Any, causer_ids: Collection[int] = ()) -> bool:
    """Victim-locating information of this person, for this user: the sensitivity rule,
    and never for a user assigned to anyone in `causer_ids` (the people who caused harm in
    the case at hand, whether or not a relationship between the two is recorded)."""
    if not can_view_sensitivity(user, person, Sensitivity.VICTIM_LOCATING):
        return False
    if not causer_ids:
        return True
    return not _assigned_person_ids(user).filter(person_id__in=list(causer_ids)).exists()


# --- Taskforce cases -------------------------------------------------------------------------
# The coordinating roles see and work every case. An agency liaison sees the cases their
# agency takes part in (as lead or member) and, on them, only the action items their agency
# owns; they update those items and add notes, nothing else. Which agency a liaison acts
# for is which teams they are in (`taskforce.AgencyTeam`). A case the user may not see
# answers 404.


def taskforce_agencies(user: Any) -> frozenset[str] | None:
    """The taskforce agencies the user acts for: None means every agency (the coordinating
    roles); an empty set, none at all."""
    if not has_capability(user, Cap.TASKFORCE_CASEWORK):
        return frozenset()
    if has_capability(user, Cap.TASKFORCE_COORDINATE):
        return None
    from jcihub.taskforce.models import AgencyTeam

    teams = user.teams.filter(disabled_on__isnull=True)
    return frozenset(AgencyTeam.objects.filter(team__in=teams).values_list("agency", flat=True))


def visible_taskforce_cases(user: Any, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    from jcihub.taskforce.models import CaseAgency, TaskforceCase

    qs = queryset if queryset is not None else TaskforceCase.objects.all()
    agencies = taskforce_agencies(user)
    if agencies is None:
        return qs
    if not agencies:
        return qs.none()
    members = CaseAgency.objects.filter(agency__in=agencies).values("case_id")
    return qs.filter(Q(lead_agency__in=agencies) | Q(pk__in=members))


def visible_action_items(user: Any, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    from jcihub.taskforce.models import ActionItem

    qs = queryset if queryset is not None else ActionItem.objects.all()
    agencies = taskforce_agencies(user)
    if agencies is None:
        return qs
    return qs.filter(owner_agency__in=agencies, case__in=visible_taskforce_cases(user))


@rules.predicate
def can_view_taskforce_case(user: Any, case: Any) -> bool:
    return visible_taskforce_cases(user).filter(pk=case.pk).exists()


@rules.predicate
def can_update_action_item(user: Any, item: Any) -> bool:
    agencies = taskforce_agencies(user)
    return agencies is None or (
        item.owner_agency in agencies and can_view_taskforce_case(user, item.case)
    )


# --- Reentry and victim-services cases ---------------------------------------------------
# Navigators work reentry cases, advocates victim-services cases; each sees the cases of
# their own caseload: those they own, their team's, and those of people assigned to them
# (`people.CaseAssignment`, the same relationship that opens a restricted record).
# Department-wide roles see every case. A victim case's locating information (how to
# reach the victim safely) is shown only with `Sensitivity.VICTIM_LOCATING`: advocates.

CASE_KIND_ROLES: dict[str, frozenset[str]] = {
    "reentry": frozenset({R.REENTRY_NAVIGATOR}),
    "victim_services": frozenset({R.VICTIM_ADVOCATE}),
}


def case_kinds_for(user: Any) -> list[str]:
    """The kinds of case this user may open and work."""
    role = role_of(user)
    if not has_capability(user, Cap.REENTRY_CASEWORK):
        return []
    return [kind for kind, roles in CASE_KIND_ROLES.items() if role in roles | DEPARTMENT_WIDE]


def visible_cases(user: Any, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The reentry and victim-services cases this user may open, as a queryset."""
    from jcihub.reentry.models import Case

    qs = (queryset if queryset is not None else Case.objects.all()).filter(
        person__in=visible_people(user)
    )
    if not has_capability(user, Cap.REENTRY_VIEW):
        return qs.none()
    if role_of(user) in DEPARTMENT_WIDE:
        return qs
    return qs.filter(kind__in=case_kinds_for(user)).filter(
        Q(navigator=user) | Q(team__in=user.teams.all()) | Q(person__in=_assigned_person_ids(user))
    )


def can_work_case(user: Any, case: Any) -> bool:
    return (
        has_capability(user, Cap.REENTRY_CASEWORK)
        and visible_cases(user).filter(pk=case.pk).exists()
    )


# --- IPVI charging decisions -------------------------------------------------------------
# The prosecutor decides whether to charge a re-offence; the system records it, so the
# consequence can be as certain as the message said. An agency liaison records one only
# while in an active prosecutor team, and only for a person assigned to that team (or to
# them): a police liaison sees the decision but does not make it.


def prosecutor_teams(user: Any) -> QuerySet[Any]:
    """The user's active prosecutor teams (empty for anyone without IPVI_CHARGE)."""
    from jcihub.accounts.models import Team

    if not has_capability(user, Cap.IPVI_CHARGE):
        return Team.objects.none()
    return user.teams.filter(
        kind=Team.Kind.AGENCY, agency_type=Team.AgencyType.PROSECUTOR, disabled_on__isnull=True
    )


def may_record_charging_decision(user: Any, person: Any) -> bool:
    """May the user record (or correct) a charging decision on this person's re-offence?"""
    from jcihub.people.models import CaseAssignment

    teams = prosecutor_teams(user)
    if not teams.exists() or not can_view_person(user, person):
        return False
    today = _today()
    return (
        CaseAssignment.objects.filter(person_id=person.pk, started_on__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .filter(Q(team__in=teams) | Q(user=user))
        .exists()
    )
