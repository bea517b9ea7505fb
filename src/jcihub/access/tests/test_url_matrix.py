"""Every URL is guarded, and every role gets exactly what the access policy promises.

1. Walking the URL configuration, each view must be marked by `access.guards`
   (`requires(...)` or `public`), or be a DRF view that runs `PolicyPermission` and names
   a capability for each of its actions in `access_capabilities`. Anything else fails,
   unless it is in `UNGUARDED`, with the reason written beside it.
2. `MATRIX` holds, for every named URL, the status each of the 15 roles gets. A named URL
   with no row fails, so a new view cannot land without deciding who may use it. The
   rows are written out by hand from the access policy's intent (docs/access.md), and a
   separate test holds them to `ROLE_CAPABILITIES`: a role that lacks the capability a
   view needs gets 403, a role that has it never does.
3. A signed-out visitor is sent to sign in (pages) or refused (API) everywhere except the
   public pages.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from jcihub.access import policy
from jcihub.access.api import PolicyPermission
from jcihub.access.guards import PUBLIC, SIGNED_IN
from jcihub.accounts.models import User
from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditAction
from jcihub.audit.services import record
from jcihub.core.tests.factories import (
    PersonFactory,
    TeamFactory,
    consent,
    match_candidate,
    user_with_role,
)
from jcihub.funds.models import Authorisation, Fund
from jcihub.incidents.models import ImportRun, Incident
from jcihub.ipvi.defaults import write_ladder
from jcihub.ipvi.models import Candidate, Tier
from jcihub.ipvi.victims import VictimCase
from jcihub.people.models import SafetyFlag
from jcihub.places.models import RawAddress
from jcihub.places.services import PropertyResolver
from jcihub.programs.services import record_assessment
from jcihub.programs.tests.factories import completed_lap, load, participant_screen
from jcihub.reentry.tests.factories import open_reentry_case
from jcihub.referrals.services import add_note
from jcihub.referrals.tests.factories import sample_referral, sample_service
from jcihub.taskforce.tests.factories import url_kwargs as taskforce_url_kwargs

KNOWN_CAPABILITIES = {PUBLIC, SIGNED_IN} | {
    value for name, value in vars(policy.Cap).items() if name.isupper()
}

# Route patterns (as the walk spells them) whose view is neither marked by the guards nor a
# policy-checked DRF view, each with the reason that is acceptable. Keep this empty if you
# can: adding an entry here is a security decision and needs review.
UNGUARDED: dict[str, str] = {}


# --- 1. The walk --------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    pattern: str
    name: str | None
    callback: Callable[..., Any]


def walk(resolver: URLResolver | None = None, prefix: str = "", ns: str = "") -> Iterator[Route]:
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner_ns = f"{ns}{entry.namespace}:" if entry.namespace else ns
            yield from walk(entry, prefix + str(entry.pattern), inner_ns)
        else:
            assert isinstance(entry, URLPattern)
            name = f"{ns}{entry.name}" if entry.name else None
            yield Route(prefix + str(entry.pattern), name, entry.callback)


def _drf_capabilities(callback: Any) -> dict[str, str | None] | None:
    """For a DRF view: method → capability that `PolicyPermission` will demand."""
    cls = getattr(callback, "cls", None)
    if cls is None or not hasattr(cls, "access_capabilities"):
        return None
    table: dict[str, str] = cls.access_capabilities
    actions: dict[str, str] = getattr(callback, "actions", None) or {
        method: method for method in cls.http_method_names if hasattr(cls, method)
    }
    return {
        method: table.get(action, table.get("*"))
        for method, action in actions.items()
        if method not in {"options", "head"}
    }


def guard_problems(route: Route) -> list[str]:
    """Why this route's view is not properly guarded (empty when it is)."""
    where = f"{route.pattern!r} ({route.name or 'unnamed'})"
    mark = getattr(route.callback, "access_capability", None)
    if mark is not None:
        return [] if mark in KNOWN_CAPABILITIES else [f"{where}: unknown capability {mark!r}"]
    table = _drf_capabilities(route.callback)
    if table is None:
        if route.pattern in UNGUARDED:
            return []
        return [
            f"{where}: view is neither wrapped by access.guards.requires/public nor a DRF "
            "view with access_capabilities; guard it or add it to UNGUARDED with a reason"
        ]
    cls = route.callback.cls  # type: ignore[attr-defined]
    initkwargs = getattr(route.callback, "initkwargs", {})
    permissions = initkwargs.get("permission_classes", cls.permission_classes)
    problems = []
    if PolicyPermission not in permissions:
        problems.append(f"{where}: DRF view does not run PolicyPermission ({permissions})")
    for method, capability in table.items():
        if capability not in KNOWN_CAPABILITIES:
            problems.append(f"{where}: {method.upper()} needs unknown capability {capability!r}")
    return problems


def test_every_url_is_guarded_by_the_access_policy() -> None:
    routes = list(walk())
    assert len(routes) > 20  # the walk really descended into the included URL confs
    problems = [problem for route in routes for problem in guard_problems(route)]
    assert not problems, "\n".join(problems)


def test_the_walk_catches_an_unguarded_view() -> None:
    def naked(request: Any) -> None: ...

    assert guard_problems(Route("naked/", "naked", naked))
    # A DRF view that names capabilities but does not run the policy is caught too.
    from jcihub.people.api import PersonViewSet

    class Bypass(PersonViewSet):
        permission_classes: list[Any] = []

    assert guard_problems(Route("bypass/", "bypass", Bypass.as_view({"get": "list"})))


def test_every_unguarded_exception_still_exists() -> None:
    patterns = {route.pattern for route in walk()}
    assert set(UNGUARDED) <= patterns, "stale UNGUARDED entries"


# --- 2. The matrix ------------------------------------------------------------------------

# Column order of every row below.
ROLES = (
    R.DIRECTOR,
    R.PROGRAM_MANAGER,
    R.CASE_MANAGER,
    R.VICTIM_ADVOCATE,
    R.IPVI_COORDINATOR,
    R.OUTREACH_WORKER,
    R.REENTRY_NAVIGATOR,
    R.CORRECTIONS_OFFICER,
    R.CUSTODY_HEALTH,
    R.TASKFORCE_COORDINATOR,
    R.AGENCY_LIAISON,
    R.PARTNER_USER,
    R.ANALYST,
    R.AUDITOR,
    R.SYSTEM_ADMIN,
)


@dataclass(frozen=True)
class Probe:
    statuses: tuple[int, ...]  # one per ROLES entry
    method: str = "get"
    data: dict[str, Any] = field(default_factory=dict)


def row(*statuses: int) -> tuple[int, ...]:
    return statuses


def every(status: int) -> tuple[int, ...]:
    return (status,) * len(ROLES)


# The sample person is an ordinary (unrestricted, unsealed) record that nobody is assigned
# to and nobody has consent for: department-wide and registry roles see it, the agency
# liaison and the partner do not (404: its existence is not revealed), and roles without
# people capabilities are refused outright (403).
#                         DIR  PM   CM   VA   IPV  OUT  REE  COR  CHS  TFC  AGL  PAR  ANA  AUD  ADM
ALL_OK = every(200)
ADMIN_ONLY = row(403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)
AUDITOR_ONLY = row(403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403)
SEARCHERS = row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403)
CASEWORK = row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403, 403)
SEES_SAMPLE = row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 403, 403, 403)
EXPORTERS = row(200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403)
SEALER = row(200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403)
# Break the glass is for registry roles meeting a *restricted* record; the sample is not
# restricted, so there is nothing to break into (404). Department-wide roles never need it.
BREAKERS = row(403, 403, 404, 404, 404, 404, 404, 404, 404, 404, 403, 403, 403, 403, 403)
# Import runs hold no person records: the analyst and the administrator may read them;
# the rejected rows' own text (names, dates of birth from internal feeds) needs MANAGE.
IMPORT_VIEWERS = row(200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200)
IMPORT_MANAGERS = row(200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)
# Police incidents: the roles cleared for criminal-justice information, and the analyst.
INCIDENT_VIEWERS = row(200, 200, 200, 403, 200, 403, 200, 200, 403, 200, 200, 403, 200, 403, 403)
INCIDENT_EXPORTERS = row(200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403)
# Places: properties and raw addresses (no people); correcting a mapping needs MANAGE.
PLACE_VIEWERS = row(200, 200, 200, 403, 200, 403, 403, 403, 403, 200, 200, 403, 200, 403, 200)
PLACE_MANAGERS = row(200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)
PARCEL_EDITORS = row(200, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 200)
# Identity resolution's review queue: the roles that see the whole registry.
LINK_REVIEWERS = row(200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403)
# Creating with an empty body: allowed roles get the field errors, the rest are refused.
CREATE_EMPTY = row(400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 403, 403, 403, 403, 403)
# Referrals: staff who see the sample person see its referral; the partner user (of no
# organisation) reaches the list but not the sample referral, which went to another.
REFERRAL_LISTERS = row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403, 200, 403, 403, 403)
REFERRAL_VIEWERS = row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403, 404, 403, 403, 403)
REFERRAL_MOVE_EMPTY = row(400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 403, 404, 403, 403, 403)
REFERRAL_REPORTERS = row(200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403)
# The taskforce's problem properties (counts from police reports, no people); the offense
# categories are edited by the coordinator, the director and the system administrator.
TASKFORCE_STAFF = row(200, 200, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 200, 403, 403)
TASKFORCE_MANAGERS = row(200, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 200)
TASKFORCE_CASEWORK = row(200, 200, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403)
# The flag rules are the taskforce coordinator's alone; an empty form is answered with its
# errors (200), not saved.
TASKFORCE_RULES = row(403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 403)
TASKFORCE_COORDINATE = row(
    200, 200, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 403
)
# A case (and its attachments): the agency liaison, of no agency, does not see the sample
# case, led by the police (404: its existence is not revealed).
TASKFORCE_CASE = row(200, 200, 403, 403, 403, 403, 403, 403, 403, 200, 404, 403, 403, 403, 403)
# IPVI: the coordinator works the candidate queue; the director and programme manager
# read it; only the coordinator rebuilds it and decides tiers.
IPVI_VIEWERS = row(200, 200, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403)
IPVI_DECIDER = row(403, 403, 403, 403, 302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403)
IPVI_CONFIGURERS = row(200, 403, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403)
# An empty edit is refused with the form again (no reason given): 200, nothing changed.
IPVI_CONFIGURERS_POST = IPVI_CONFIGURERS
# Programme outcomes (counts, no people): the analyst studies them; the report and CSV
# leave the department, so only those who answer for the programme make them.
INSIGHTS_VIEWERS = row(200, 200, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403)
INSIGHTS_REPORTERS = row(200, 200, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403)
# Spending: read by those who answer for it and the auditor; recorded by the director
# and programme managers (a void without a reason is refused and sent back: 302).
FUNDS_VIEWERS = row(200, 200, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403)
FUNDS_MANAGERS = row(302, 302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403)
# Screening instruments (definitions, no people) and assessments. The sample assessment is
# of a programme participant: read by the department-wide roles and the programme staff
# who assess; the victim advocate, whose screens are of victims, gets 404.
INSTRUMENT_VIEWERS = row(200, 200, 200, 200, 403, 200, 200, 403, 403, 403, 403, 403, 200, 403, 200)
ASSESSMENT_LISTERS = row(200, 200, 200, 200, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403)
ASSESSMENT_VIEWERS = row(200, 200, 200, 404, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403)
ASSESSORS = row(403, 403, 200, 404, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403)
ASSESS_EMPTY = row(403, 403, 400, 400, 403, 400, 400, 403, 403, 403, 403, 403, 403, 403, 403)
# IPVI victim outreach: victim advocates work it; the department-wide roles read it (and
# never see the victim's locating details). An empty outreach form re-shows its errors.
VICTIM_VIEWERS = row(200, 200, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403)
ADVOCATE_ONLY = row(403, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403)
ADVOCATE_REDIRECT = row(403, 403, 403, 302, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403)
# Reentry: navigators (reentry cases) and advocates (victim cases) work their own caseload;
# the sample case is a reentry case of another navigator, so the navigator and the advocate
# get 404 for it. The report (counts only) is for the department-wide roles and the analyst.
REENTRY_STAFF = row(200, 200, 403, 200, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403)
REENTRY_CASE = row(200, 200, 403, 404, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403)
REENTRY_CREATE_EMPTY = row(
    400, 400, 403, 400, 403, 403, 400, 403, 403, 403, 403, 403, 403, 403, 403
)
# Directory entries: partner users propose changes to their own organisation's (the matrix's
# partner user belongs to none: 404); directory managers review them.
PROPOSERS = row(403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404, 403, 403, 403)
CHANGE_LISTERS = row(200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 200)
CHANGE_VIEWERS = row(200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404, 403, 403, 200)
DIRECTORY_MANAGERS = row(200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200)
REENTRY_REPORTERS = row(200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403)
# IPVI notifications: the coordinator makes letters, notifications and call-ins (and edits
# the templates); the liaisons list re-offences, but see only people assigned to them.
IPVI_NOTIFIER = row(403, 403, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403)
IPVI_LIAISONS = row(200, 200, 403, 403, 200, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403)
IPVI_API_POST_EMPTY = row(403, 403, 403, 403, 400, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403)
IPVI_LIAISON_SAMPLE = row(200, 200, 403, 403, 200, 403, 403, 403, 403, 403, 404, 403, 403, 403, 403)
# Charging decisions: only a prosecutor liaison records one, for a person assigned to their
# office (the matrix's liaison is assigned no one: 404 on the page, 400 on an empty API body).
IPVI_CHARGER = row(403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 404, 403, 403, 403, 403)
IPVI_CHARGE_POST_EMPTY = row(*(403,) * 10, 400, 403, 403, 403, 403)

MATRIX: dict[str, tuple[Probe, ...]] = {
    "core:home": (Probe(ALL_OK),),
    "healthz": (Probe(ALL_OK),),
    "accounts:login": (Probe(every(302)),),  # a signed-in user is sent home
    "accounts:logout": (Probe(every(302), "post"),),
    "accounts:logout_everywhere": (Probe(every(302), "post"),),
    "accounts:mfa_verify": (Probe(ALL_OK),),
    "accounts:mfa_setup": (Probe(ALL_OK),),
    "accounts:me": (Probe(ALL_OK),),
    "accounts:api_token": (Probe(every(302), "post"),),
    "accounts:users": (Probe(ADMIN_ONLY),),
    "accounts:user_create": (Probe(ADMIN_ONLY),),
    "accounts:user_edit": (Probe(ADMIN_ONLY),),
    "people:list": (Probe(SEARCHERS), Probe(SEARCHERS, data={"q": "Sample"})),
    "people:export": (Probe(EXPORTERS),),
    "people:intake": (Probe(CASEWORK),),
    "people:intake_matches": (Probe(CASEWORK, data={"family_name": "Sample"}),),
    "people:detail": (Probe(SEES_SAMPLE),),
    "people:edit": (Probe(CASEWORK),),
    "people:add_detail": (Probe(CASEWORK),),
    "people:revoke_consent": (Probe(CASEWORK),),
    "people:clear_flag": (Probe(CASEWORK),),
    "people:seal": (Probe(SEALER),),
    "people:break_glass": (Probe(BREAKERS),),
    "incidents:list": (Probe(INCIDENT_VIEWERS), Probe(INCIDENT_VIEWERS, data={"dv": "yes"})),
    "incidents:detail": (Probe(INCIDENT_VIEWERS),),
    "incidents:export": (Probe(INCIDENT_EXPORTERS),),
    "incident-list": (Probe(INCIDENT_VIEWERS), Probe(INCIDENT_VIEWERS, data={"beat": "332"})),
    "incident-detail": (Probe(INCIDENT_VIEWERS),),
    "people:match_queue": (
        Probe(LINK_REVIEWERS),
        Probe(LINK_REVIEWERS, data={"status": "rejected"}),
    ),
    # An empty decision re-shows the form with its error; nothing is decided.
    "people:match": (Probe(LINK_REVIEWERS), Probe(LINK_REVIEWERS, method="post")),
    "places:list": (Probe(PLACE_VIEWERS), Probe(PLACE_VIEWERS, data={"q": "MAIN"})),
    "places:detail": (Probe(PLACE_VIEWERS),),
    "places:addresses": (Probe(PLACE_VIEWERS),),
    "places:correct": (Probe(PLACE_MANAGERS),),
    "places:parcel": (Probe(PARCEL_EDITORS),),
    "places:parcel_import": (Probe(PARCEL_EDITORS),),
    "property-list": (Probe(PLACE_VIEWERS),),
    "property-detail": (Probe(PLACE_VIEWERS),),
    "incidents:runs": (Probe(IMPORT_VIEWERS),),
    "incidents:run": (Probe(IMPORT_VIEWERS),),
    "incidents:rejected_csv": (Probe(IMPORT_MANAGERS),),
    "audit:list": (Probe(AUDITOR_ONLY),),
    "audit:export": (Probe(AUDITOR_ONLY),),
    "api-root": (Probe(ALL_OK),),
    "api-schema": (Probe(ALL_OK),),
    "api-docs": (Probe(ALL_OK),),
    "person-list": (
        Probe(SEARCHERS),
        Probe(SEARCHERS, data={"q": "Sample"}),
        Probe(CREATE_EMPTY, "post"),
    ),
    "person-detail": (Probe(SEES_SAMPLE), Probe(CASEWORK, "patch")),
    "person-timeline": (Probe(SEES_SAMPLE),),
    # The service directory is not sensitive: every role reads it.
    "directory:search": (
        Probe(ALL_OK),
        Probe(ALL_OK, data={"q": "Reentry", "zip_code": "64108"}),
        Probe(ALL_OK, data={"near": "64108", "within": "10"}),
    ),
    "directory:organization": (Probe(ALL_OK),),
    "directory:service": (Probe(ALL_OK),),
    "hsds-service-list": (Probe(ALL_OK), Probe(ALL_OK, data={"language": "es"})),
    "hsds-service-detail": (Probe(ALL_OK),),
    "hsds-organization-list": (Probe(ALL_OK),),
    "hsds-organization-detail": (Probe(ALL_OK),),
    "hsds-taxonomy-term-list": (Probe(ALL_OK),),
    "hsds-taxonomy-term-detail": (Probe(ALL_OK),),
    "referrals:list": (
        Probe(REFERRAL_LISTERS),
        Probe(REFERRAL_LISTERS, data={"status": "sent", "overdue": "on"}),
    ),
    "referrals:export": (Probe(EXPORTERS),),
    "referrals:create": (Probe(CASEWORK),),
    "referrals:detail": (Probe(REFERRAL_VIEWERS),),
    "referrals:update": (Probe(REFERRAL_VIEWERS),),
    "referrals:report": (Probe(REFERRAL_REPORTERS),),
    "referrals:report_csv": (Probe(REFERRAL_REPORTERS),),
    "referral-list": (Probe(REFERRAL_LISTERS), Probe(CREATE_EMPTY, "post")),
    "referral-detail": (Probe(REFERRAL_VIEWERS),),
    "referral-move": (Probe(REFERRAL_MOVE_EMPTY, "post"),),
    "referral-follow-ups": (Probe(REFERRAL_VIEWERS), Probe(REFERRAL_MOVE_EMPTY, "post")),
    # The sample follow-up is the department's: staff who may refer the person close it.
    "referral-complete-follow-up": (Probe(REFERRAL_VIEWERS, "post"),),
    "taskforce:properties": (
        Probe(TASKFORCE_STAFF),
        Probe(TASKFORCE_STAFF, data={"category": "violent", "zip_code": "64111", "beat": "332"}),
    ),
    "taskforce:export": (Probe(TASKFORCE_STAFF),),
    "taskforce:map": (
        Probe(TASKFORCE_STAFF),
        Probe(TASKFORCE_STAFF, data={"district": "4", "review": "no", "zip_code": "64111"}),
    ),
    "ipvi:queue": (Probe(IPVI_VIEWERS), Probe(IPVI_VIEWERS, data={"status": "confirmed"})),
    "ipvi:candidate": (Probe(IPVI_VIEWERS),),
    "ipvi:tiers": (Probe(IPVI_VIEWERS),),
    "ipvi:tier_new": (Probe(IPVI_CONFIGURERS),),
    "ipvi:tier_edit": (Probe(IPVI_CONFIGURERS), Probe(IPVI_CONFIGURERS_POST, "post")),
    "ipvi:letter_templates": (Probe(IPVI_VIEWERS),),
    "ipvi:letter_template": (Probe(IPVI_VIEWERS),),
    "ipvi:letter_template_new": (Probe(IPVI_NOTIFIER),),
    "ipvi:letter": (Probe(IPVI_VIEWERS),),
    "ipvi:letter_pdf": (Probe(IPVI_VIEWERS),),
    # Empty posts: the coordinator is sent back with the error; nothing is made.
    "ipvi:letter_new": (Probe(IPVI_DECIDER, "post"),),
    "ipvi:notification_new": (Probe(IPVI_NOTIFIER),),
    "ipvi:notification": (Probe(IPVI_VIEWERS),),
    "ipvi:call_ins": (Probe(IPVI_VIEWERS),),
    "ipvi:call_in_new": (Probe(IPVI_NOTIFIER),),
    "ipvi:call_in": (Probe(IPVI_VIEWERS),),
    "ipvi:service_new": (Probe(IPVI_NOTIFIER),),
    "ipvi:service_answer": (Probe(IPVI_DECIDER, "post"),),
    "ipvi:reoffences": (Probe(IPVI_LIAISONS),),
    "ipvi:reoffence": (Probe(IPVI_LIAISON_SAMPLE),),
    "ipvi:reoffence_share": (Probe(IPVI_DECIDER, "post"),),
    "ipvi:reoffence_charging": (Probe(IPVI_CHARGER, "post"),),
    "ipvi-letter-list": (Probe(IPVI_VIEWERS),),
    "ipvi-letter-detail": (Probe(IPVI_VIEWERS),),
    "ipvi-letter-delivery": (Probe(IPVI_API_POST_EMPTY, "post"),),
    "ipvi-notification-list": (Probe(IPVI_VIEWERS),),
    "ipvi-notification-detail": (Probe(IPVI_VIEWERS),),
    "ipvi-call-in-list": (Probe(IPVI_VIEWERS),),
    "ipvi-call-in-detail": (Probe(IPVI_VIEWERS),),
    "ipvi-service-list": (Probe(IPVI_VIEWERS),),
    "ipvi-service-detail": (Probe(IPVI_VIEWERS),),
    "ipvi-reoffence-list": (Probe(IPVI_LIAISONS),),
    "ipvi-charging-decision-list": (
        Probe(IPVI_LIAISONS),
        Probe(IPVI_LIAISONS, data={"reoffence": "1"}),
        Probe(IPVI_CHARGE_POST_EMPTY, "post"),
    ),
    "ipvi-charging-decision-detail": (Probe(IPVI_LIAISON_SAMPLE),),
    # After the candidate: a rebuild withdraws the sample candidate (no DV incident).
    "ipvi:rebuild": (Probe(IPVI_DECIDER, "post"),),
    "taskforce:categories": (Probe(TASKFORCE_MANAGERS),),
    "taskforce:category_edit": (Probe(TASKFORCE_MANAGERS),),
    "taskforce:rules": (Probe(TASKFORCE_RULES), Probe(TASKFORCE_RULES, "post")),
    "taskforce:rule_edit": (Probe(TASKFORCE_RULES), Probe(TASKFORCE_RULES, "post")),
    "taskforce:cases": (Probe(TASKFORCE_CASEWORK),),
    "taskforce:case_new": (Probe(TASKFORCE_COORDINATE),),
    "taskforce:case": (Probe(TASKFORCE_CASE),),
    "taskforce:note_attachment": (Probe(TASKFORCE_CASE),),
    "taskforce:my_items": (Probe(TASKFORCE_CASEWORK),),
    "taskforce:agencies": (Probe(TASKFORCE_MANAGERS),),
    "taskforce:meetings": (Probe(TASKFORCE_COORDINATE),),
    "taskforce:meeting": (Probe(TASKFORCE_COORDINATE),),
    "taskforce:minutes": (Probe(TASKFORCE_COORDINATE),),
    "taskforce:report": (Probe(TASKFORCE_STAFF), Probe(TASKFORCE_STAFF, data={"month": "2024-06"})),
    "taskforce:report_pdf": (Probe(TASKFORCE_STAFF, data={"month": "2024-06"}),),
    "taskforce:report_csv": (Probe(TASKFORCE_STAFF, data={"month": "2024-06"}),),
    "auditentry-list": (Probe(AUDITOR_ONLY),),
    "auditentry-detail": (Probe(AUDITOR_ONLY),),
    "insights:ipvi": (Probe(INSIGHTS_VIEWERS),),
    "insights:ipvi_report": (
        Probe(INSIGHTS_REPORTERS),
        Probe(row(302, 302, 403, 403, 302, *(403,) * 10), data={"quarter": "last"}),
    ),
    "insights:ipvi_cohorts_csv": (Probe(INSIGHTS_REPORTERS),),
    "funds:authorisations": (Probe(FUNDS_VIEWERS),),
    "funds:ledger": (Probe(FUNDS_VIEWERS),),
    "funds:export": (Probe(FUNDS_VIEWERS),),
    "funds:void": (Probe(FUNDS_MANAGERS, "post"),),
    "programs:instruments": (Probe(INSTRUMENT_VIEWERS),),
    "programs:instrument": (Probe(INSTRUMENT_VIEWERS),),
    "programs:history": (Probe(ASSESSMENT_LISTERS),),
    "programs:assess": (Probe(ASSESSORS),),
    "programs:assessment": (Probe(ASSESSMENT_VIEWERS),),
    "instrument-list": (Probe(INSTRUMENT_VIEWERS),),
    "instrument-detail": (Probe(INSTRUMENT_VIEWERS),),
    "assessment-list": (
        Probe(ASSESSMENT_LISTERS),
        Probe(ASSESSMENT_LISTERS, data={"person": "1"}),
        Probe(ASSESS_EMPTY, "post"),
    ),
    "assessment-detail": (Probe(ASSESSMENT_VIEWERS),),
    "ipvi_victims:list": (Probe(VICTIM_VIEWERS), Probe(VICTIM_VIEWERS, data={"show": "all"})),
    "ipvi_victims:case": (Probe(VICTIM_VIEWERS),),
    "ipvi_victims:act": (Probe(ADVOCATE_ONLY, "post"),),
    "ipvi_victims:screen": (Probe(ADVOCATE_ONLY),),
    "ipvi_victims:open": (Probe(ADVOCATE_REDIRECT, "post"),),
    "reentry:list": (
        Probe(REENTRY_STAFF),
        Probe(REENTRY_STAFF, data={"q": "Sample", "kind": "reentry", "need": "housing"}),
    ),
    "reentry:new": (Probe(REENTRY_STAFF),),
    "reentry:case": (Probe(REENTRY_CASE),),
    "reentry:needs": (Probe(REENTRY_CASE),),
    "reentry:report": (Probe(REENTRY_REPORTERS), Probe(REENTRY_REPORTERS, data={"kind": "x"})),
    "reentry:report_csv": (Probe(REENTRY_REPORTERS),),
    "reentry-case-list": (
        Probe(REENTRY_STAFF, data={"kind": "reentry"}),
        Probe(REENTRY_CREATE_EMPTY, "post"),
    ),
    "reentry-case-detail": (Probe(REENTRY_CASE),),
    "directory:propose_organization": (Probe(PROPOSERS),),
    "directory:propose_service": (Probe(PROPOSERS),),
    "directory:organization_settings": (Probe(DIRECTORY_MANAGERS),),
    "directory:changes": (Probe(CHANGE_LISTERS), Probe(CHANGE_LISTERS, data={"status": "all"})),
    "directory:change": (Probe(CHANGE_VIEWERS),),
}


@dataclass(frozen=True)
class Sample:
    """The records the matrix's URLs point at."""

    person_id: int
    consent_id: int
    flag_id: int
    staff_id: int
    entry_id: int
    run_id: int
    incident_id: int
    property_id: int
    raw_address_id: int
    match_id: int
    service_id: Any = None
    organization_id: Any = None
    term_id: Any = None
    referral_id: int = 0
    ipvi_candidate_id: int = 0
    assessment_id: int = 0
    victim_case_id: int = 0
    reentry_case_id: int = 0
    entry_change_id: int = 0
    follow_up_id: int = 0
    ipvi: dict[str, int] = field(default_factory=dict)  # notification records by URL name

    def kwargs(self, name: str) -> dict[str, Any]:
        if name in {"funds:ledger", "funds:export"}:
            return {"pk": _authorisation().pk}
        if name == "funds:void":
            spent = _authorisation().expenditures.create(
                spent_on=dt.date(2026, 8, 1), amount=10, payee="x", category="other"
            )
            return {"pk": spent.pk}
        if name.startswith("taskforce:"):
            return taskforce_url_kwargs(name, self.property_id)
        person = {"pk": self.person_id}
        return {
            "accounts:user_edit": {"pk": self.staff_id},
            "people:detail": person,
            "people:edit": person,
            "people:add_detail": {**person, "kind": "name"},
            "people:revoke_consent": {**person, "consent_id": self.consent_id},
            "people:clear_flag": {**person, "flag_id": self.flag_id},
            "people:seal": person,
            "people:break_glass": person,
            "person-detail": person,
            "person-timeline": person,
            "auditentry-detail": {"pk": self.entry_id},
            "incidents:run": {"pk": self.run_id},
            "incidents:rejected_csv": {"pk": self.run_id},
            "incidents:detail": {"pk": self.incident_id},
            "incident-detail": {"pk": self.incident_id},
            "places:detail": {"pk": self.property_id},
            "places:parcel": {"pk": self.property_id},
            "property-detail": {"pk": self.property_id},
            "places:correct": {"pk": self.raw_address_id},
            "people:match": {"pk": self.match_id},
            "directory:organization": {"pk": self.organization_id},
            "directory:service": {"pk": self.service_id},
            "hsds-service-detail": {"pk": self.service_id},
            "hsds-organization-detail": {"pk": self.organization_id},
            "hsds-taxonomy-term-detail": {"pk": self.term_id},
            "referrals:detail": {"pk": self.referral_id},
            "referrals:update": {"pk": self.referral_id},
            "referral-detail": {"pk": self.referral_id},
            "referral-move": {"pk": self.referral_id},
            "referral-follow-ups": {"pk": self.referral_id},
            "referral-complete-follow-up": {
                "pk": self.referral_id,
                "follow_up_id": self.follow_up_id,
            },
            "ipvi:candidate": {"pk": self.ipvi_candidate_id},
            "ipvi:tier_edit": {"pk": Tier.objects.get(code="D").pk},
            "programs:instrument": {"code": "test-participant-screen"},
            "instrument-detail": {"code": "test-participant-screen"},
            "programs:history": person,
            "programs:assess": {**person, "code": "test-participant-screen"},
            "programs:assessment": {"pk": self.assessment_id},
            "assessment-detail": {"pk": self.assessment_id},
            "ipvi_victims:case": {"pk": self.victim_case_id},
            "ipvi_victims:act": {"pk": self.victim_case_id, "action": "note"},
            "ipvi_victims:screen": {"pk": self.victim_case_id, "code": "lap-lethality-screen"},
            "reentry:case": {"pk": self.reentry_case_id},
            "reentry:needs": {"pk": self.reentry_case_id},
            "reentry-case-detail": {"pk": self.reentry_case_id},
            "directory:propose_organization": {"pk": self.organization_id},
            "directory:organization_settings": {"pk": self.organization_id},
            "directory:propose_service": {"pk": self.service_id},
            "directory:change": {"pk": self.entry_change_id},
            **{url: {"pk": pk} for url, pk in self.ipvi.items()},
        }.get(name, {})


def _authorisation() -> Authorisation:
    """The IPVI authorisation a migration writes (again, after a browser test's flush)."""
    fund, _ = Fund.objects.get_or_create(account="2000-501905", defaults={"name": "VPF"})
    found, _ = Authorisation.objects.get_or_create(
        fund=fund, ordinance="Ordinance 260299", defaults={"amount": 75_000, "programme": "ipvi"}
    )
    return found


@pytest.fixture
def sample(db: None) -> Sample:
    person = PersonFactory(given_name="Sam", family_name="Sample")
    flag = SafetyFlag.objects.create(person=person, kind=SafetyFlag.Kind.WEAPONS)
    shared = consent(person, TeamFactory(kind="partner_org"), ["general"])
    staff = user_with_role(R.CASE_MANAGER)
    entry = record(None, AuditAction.VIEW, summary="sample entry")
    run = ImportRun.objects.create(file_name="sample.csv")
    incident = Incident.objects.create(source_key="KC20009999", report_number="KC20009999")
    raw = RawAddress.objects.get(
        pk=PropertyResolver().resolve("kcpd", "3400  MAIN ST", "", "64111")
    )
    service = sample_service()
    match = match_candidate(person, PersonFactory(given_name="Samuel", family_name="Sample"))
    write_ladder(Tier)  # a migration writes it, but a browser test's flush removes it
    load(completed_lap())
    screen = load(participant_screen())
    answers = {"a": "no", "b": "yes", "c": "never"}
    assessment = record_assessment(None, person, screen, answers, dt.date(2026, 1, 5))
    # Referred before the victim case opened: an ordinary referral, which every staff role
    # that sees the person sees (`referrals.services.locates_a_victim`).
    referral = sample_referral(person, service, shared.recipient, staff)
    victim_case = VictimCase.objects.create(victim=person, incident=incident)
    return Sample(
        person.pk,
        shared.pk,
        flag.pk,
        staff.pk,
        entry.pk,
        run.pk,
        incident.pk,
        raw.property_id,
        raw.pk,
        match.pk,
        service.pk,
        service.organization_id,
        service.attributes.get().taxonomy_term_id,
        referral.pk,
        Candidate.objects.create(
            incident=incident,
            person=person,
            why_domestic="KCPD marked the incident as domestic violence",
            proposed_tier=Tier.objects.get(code="D"),
        ).pk,
        assessment.pk,
        victim_case.pk,
        reentry_case_id=open_reentry_case(person=person).pk,
        entry_change_id=_entry_change(service, shared.recipient).pk,
        follow_up_id=add_note(staff, referral, "Call back.", due_on=timezone.localdate()).pk,
        ipvi=ipvi_notifications(person),
    )


def _entry_change(service: Any, team: Any) -> Any:
    """A change its partner proposed to the sample service (the referral linked the team)."""
    from jcihub.referrals.entry_changes import propose_change

    partner = user_with_role(R.PARTNER_USER)
    partner.teams.add(team)
    service.refresh_from_db()
    return propose_change(partner, service, {"wait_time": "Two weeks"})


def ipvi_notifications(person: Any) -> dict[str, int]:
    """A decided candidate with a delivered letter, a custom notification, a call-in and a
    service offer; and a later incident of the same person: a re-offence."""
    from django.utils import timezone

    from jcihub.ipvi import models as ipvi
    from jcihub.ipvi.letters import write_default_letters

    write_default_letters(Tier, ipvi.LetterTemplate, ipvi.LetterTemplateVersion)
    now = timezone.now()
    tier = Tier.objects.get(code="D")
    candidates = [
        Candidate.objects.create(
            incident=Incident.objects.create(
                source_key=key, report_number=key, reported_date=day, is_domestic_violence=True
            ),
            person=person,
            incident_date=day,
            why_domestic="KCPD marked the incident as domestic violence",
            proposed_tier=tier,
            tier=tier if key == "KC20000001" else None,
            status="confirmed" if key == "KC20000001" else "pending",
        )
        for key, day in (("KC20000001", dt.date(2020, 6, 1)), ("KC21000001", dt.date(2021, 1, 1)))
    ]
    template = ipvi.LetterTemplate.objects.get(tier=tier, language="en")
    letter = ipvi.Letter.objects.create(
        candidate=candidates[0],
        person=person,
        template_version=template.current,
        language="en",
        subject="Notice",
        body="Dear Sam Sample",
        status="delivered",
        delivered_at=dt.datetime(2020, 7, 1, tzinfo=dt.UTC),
        generated_at=now,
    )
    call_in = ipvi.CallIn.objects.create(
        title="Call-in", held_at=now, venue="City Hall", created_at=now
    )
    visit = ipvi.CustomNotification.objects.create(
        candidate=candidates[0], person=person, scheduled_for=now, created_at=now
    )
    offer = ipvi.ServiceOffer.objects.create(
        candidate=candidates[0], person=person, need="employment", offered_at=now
    )
    decision = ipvi.ChargingDecision.objects.create(
        reoffence=candidates[1],
        person=person,
        version=1,
        outcome="charged",
        charges_filed="Domestic assault",
        decided_on=dt.date(2021, 2, 1),
        recorded_at=now,
    )
    return {
        "ipvi:letter_template": template.pk,
        "ipvi:letter": letter.pk,
        "ipvi:letter_pdf": letter.pk,
        "ipvi:letter_new": candidates[0].pk,
        "ipvi:notification_new": candidates[0].pk,
        "ipvi:notification": visit.pk,
        "ipvi:call_in": call_in.pk,
        "ipvi:service_new": candidates[0].pk,
        "ipvi:service_answer": offer.pk,
        "ipvi-letter-detail": letter.pk,
        "ipvi-letter-delivery": letter.pk,
        "ipvi-notification-detail": visit.pk,
        "ipvi-call-in-detail": call_in.pk,
        "ipvi-service-detail": offer.pk,
        "ipvi:reoffence": candidates[1].pk,
        "ipvi:reoffence_share": candidates[1].pk,
        "ipvi:reoffence_charging": candidates[1].pk,
        "ipvi-charging-decision-detail": decision.pk,
    }


def _send(client: Client, probe: Probe, url: str) -> Any:
    send = getattr(client, probe.method)
    if probe.method == "get":
        return send(url, probe.data)
    return send(url, probe.data, content_type="application/json")


def named_routes() -> dict[str, Route]:
    return {route.name: route for route in walk() if route.name}


def test_every_named_url_has_a_row_in_the_matrix() -> None:
    names = set(named_routes())
    missing = sorted(names - set(MATRIX))
    stale = sorted(set(MATRIX) - names)
    assert not missing, f"add these URLs to MATRIX (who may use them?): {missing}"
    assert not stale, f"MATRIX names URLs that no longer exist: {stale}"


def test_every_row_has_one_status_per_role() -> None:
    assert set(ROLES) == set(R.values) and len(ROLES) == len(R.values)
    bad = [name for name, probes in MATRIX.items() for p in probes if len(p.statuses) != 15]
    assert not bad


def _capability_for(url: str, method: str) -> str:
    callback: Any = resolve(url).func
    if hasattr(callback, "access_capability"):
        return str(callback.access_capability)
    table = _drf_capabilities(callback)
    assert table is not None, url
    return str(table[method])


def test_the_matrix_agrees_with_the_roles_capabilities(sample: Sample) -> None:
    """403 exactly where the role lacks the capability the view needs."""
    disagreements = []
    for name, probes in MATRIX.items():
        url = reverse(name, kwargs=sample.kwargs(name))
        for probe in probes:
            capability = _capability_for(url, probe.method)
            for role, status in zip(ROLES, probe.statuses, strict=True):
                has = (
                    capability in {PUBLIC, SIGNED_IN}
                    or capability in (policy.ROLE_CAPABILITIES[role])
                )
                if has == (status == 403):
                    disagreements.append(f"{probe.method.upper()} {name} {role}: {status}")
    assert not disagreements, "\n".join(disagreements)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_matrix_says(sample: Sample, role: str) -> None:
    user_id = user_with_role(role).pk
    client = Client()  # one client: each new one starts the middleware stack afresh (slow)
    wrong = []
    for name, probes in MATRIX.items():
        url = reverse(name, kwargs=sample.kwargs(name))
        for probe in probes:
            client.logout()
            # Fresh from the database: signing out everywhere rotates the session secret.
            client.force_login(User.objects.get(pk=user_id))
            response = _send(client, probe, url)
            expected = probe.statuses[ROLES.index(role)]
            if response.status_code != expected:
                wrong.append(
                    f"{probe.method.upper()} {url} ({name}) {probe.data or ''}: "
                    f"expected {expected}, got {response.status_code}"
                )
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


# Query parameters the views read without a form; NUL is refused by PostgreSQL.
JUNK = {"q": "Sam\x00ple 12\x0034", "page": "\x00", "status": "\x00", "format": "\x00"}


@pytest.mark.parametrize("role", [R.DIRECTOR, R.AUDITOR, R.SYSTEM_ADMIN, R.ANALYST])
def test_junk_in_query_strings_never_causes_a_server_error(sample: Sample, role: str) -> None:
    client = Client()
    client.force_login(user_with_role(role))
    failures = []
    for name, probes in MATRIX.items():
        url = reverse(name, kwargs=sample.kwargs(name))
        for probe in (p for p in probes if p.method == "get"):
            status = client.get(url, {**probe.data, **JUNK}).status_code
            if status >= 500:
                failures.append(f"GET {url} ({name}): {status}")
    assert not failures, "\n".join(failures)


# --- 3. Signed-out visitors -------------------------------------------------------------------


def test_signed_out_visitors_reach_only_public_pages(sample: Sample) -> None:
    login = reverse("accounts:login")
    client = Client()
    wrong = []
    for name, probes in MATRIX.items():
        url = reverse(name, kwargs=sample.kwargs(name))
        route_cb: Any = resolve(url).func
        is_api = hasattr(route_cb, "cls")
        for probe in probes:
            client.cookies.clear()
            response = _send(client, probe, url)
            status = response.status_code
            if getattr(route_cb, "access_capability", None) == PUBLIC:
                ok = status == 200
            elif is_api:
                ok = status in (401, 403)
            else:
                ok = status == 302 and response["Location"].startswith(login)
            if not ok:
                wrong.append(f"{probe.method.upper()} {url} ({name}): {status}")
    assert not wrong, "\n".join(wrong)
