"""IPVI victim outreach: what advocates record, the victim's choice to decline, and the
victim-locating rule: only victim advocates see where a victim is, never anyone working
with the person who caused the harm, never an offender-facing page or API, every read
audited."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jcihub.accounts.models import User
from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import (
    AddressFactory,
    ContactPointFactory,
    PersonFactory,
    assign,
    client_for,
    user_with_role,
)
from jcihub.incidents.models import Incident
from jcihub.ipvi import victim_services as outreach
from jcihub.ipvi.defaults import write_ladder
from jcihub.ipvi.models import Candidate, Tier
from jcihub.ipvi.victims import ContactOutcome, VictimCase
from jcihub.people.models import SafetyFlag
from jcihub.programs.tests.factories import completed_lap, load

pytestmark = pytest.mark.django_db

SHELTER = "4410 Hidden Shelter Rd"
WORKPLACE = "77 Quiet Workplace Blvd"
PHONE = "(816) 555-0199"


class World:
    def __init__(self) -> None:
        write_ladder(Tier)
        self.causer = PersonFactory(given_name="Carl", family_name="Causer")
        self.victim = PersonFactory(given_name="Vera", family_name="Victim")
        self.incident = Incident.objects.create(
            source_key="KC26000001",
            report_number="KC26000001",
            reported_date=dt.date(2026, 11, 20),
            is_domestic_violence=True,
        )
        self.incident.parties.create(party_key="S", involvement="SUS", person=self.causer)
        self.incident.parties.create(party_key="V", involvement="VIC", person=self.victim)
        self.candidate = Candidate.objects.create(
            incident=self.incident,
            person=self.causer,
            why_domestic="KCPD marked the incident as domestic violence",
            proposed_tier=Tier.objects.get(code="D"),
        )
        AddressFactory(person=self.victim, kind="shelter", line1=SHELTER)
        AddressFactory(person=self.victim, kind="work", line1=WORKPLACE)
        ContactPointFactory(person=self.victim, value=PHONE)
        self.advocate = user_with_role(R.VICTIM_ADVOCATE)
        self.case = outreach.open_case(self.advocate, self.incident, self.victim)


@pytest.fixture
def world() -> World:
    return World()


def _post(user: User, case: VictimCase, action: str, **data: Any) -> Any:
    fields = {f"{action}-{name}": value for name, value in data.items()}
    return client_for(user).post(reverse("ipvi_victims:act", args=[case.pk, action]), fields)


def _entries_since(since: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(id__gt=since).order_by("id"))


def _last() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


LOCATING = (SHELTER, WORKPLACE, PHONE)


def _shows_locating(html: str) -> bool:
    found = [text in html for text in LOCATING]
    assert all(found) or not any(found), found  # all or nothing
    return all(found)


# --- Opening a case ------------------------------------------------------------------------


def test_opening_assigns_the_advocate_and_makes_locating_details_confidential(
    world: World,
) -> None:
    assert world.victim.assignments.filter(user=world.advocate).exists()
    assert not world.victim.addresses.filter(is_confidential=False).exists()
    assert not world.victim.contact_points.filter(is_confidential=False).exists()
    again = outreach.open_case(world.advocate, world.incident, world.victim)
    assert again.pk == world.case.pk


def test_only_a_victim_of_an_ipvi_incident_gets_an_outreach_case(world: World) -> None:
    with pytest.raises(ValidationError, match="not recorded as a victim"):
        outreach.open_case(world.advocate, world.incident, world.causer)
    other = Incident.objects.create(source_key="KC26000002", report_number="KC26000002")
    other.parties.create(party_key="V", involvement="VIC", person=world.victim)
    with pytest.raises(ValidationError, match="not in the IPVI candidate queue"):
        outreach.open_case(world.advocate, other, world.victim)


def test_the_list_offers_outreach_to_victims_not_yet_reached(world: World) -> None:
    second = PersonFactory(given_name="Wanda", family_name="Waiting")
    world.incident.parties.create(party_key="V2", involvement="VIC", person=second)
    page = client_for(world.advocate).get(reverse("ipvi_victims:list")).content.decode()
    assert "Wanda Waiting" in page and "Start outreach" in page
    response = client_for(world.advocate).post(
        reverse("ipvi_victims:open"), {"incident": world.incident.pk, "victim": second.pk}
    )
    case = VictimCase.objects.get(victim=second)
    assert response["Location"] == reverse("ipvi_victims:case", args=[case.pk])


# --- Who sees where the victim is ----------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status", "locating"),
    [
        (R.VICTIM_ADVOCATE, 200, True),
        (R.DIRECTOR, 200, False),
        (R.PROGRAM_MANAGER, 200, False),
        (R.IPVI_COORDINATOR, 403, False),
        (R.CASE_MANAGER, 403, False),
        (R.AGENCY_LIAISON, 403, False),
        (R.PARTNER_USER, 403, False),
        (R.ANALYST, 403, False),
    ],
)
def test_each_role_sees_the_case_page_as_the_policy_says(
    world: World, role: str, status: int, locating: bool
) -> None:
    user = world.advocate if role == R.VICTIM_ADVOCATE else user_with_role(role)
    world.case.safety_notes.create(note="Staying with her sister on Elm Street")
    response = client_for(user).get(reverse("ipvi_victims:case", args=[world.case.pk]))
    assert response.status_code == status
    html = response.content.decode()
    assert _shows_locating(html) is locating
    assert ("sister on Elm Street" in html) is locating
    if status == 200 and not locating:
        assert "3 locating details" in html and "1 safety-planning note," in html


def test_every_read_of_the_case_is_audited_naming_locating_when_shown(world: World) -> None:
    director = user_with_role(R.DIRECTOR)
    url = reverse("ipvi_victims:case", args=[world.case.pk])
    since = _last()
    client_for(world.advocate).get(url)
    client_for(director).get(url)
    views = [e for e in _entries_since(since) if e.action.startswith("view")]
    assert [(e.actor_id, e.action, e.person_id) for e in views] == [
        (world.advocate.pk, AuditAction.VIEW_SENSITIVE, world.victim.pk),
        (director.pk, AuditAction.VIEW, world.victim.pk),
    ]
    assert views[0].changes == {"sensitive": ["victim_locating"]}


def test_an_advocate_working_with_the_person_who_caused_harm_sees_nothing_locating(
    world: World,
) -> None:
    """No harm relationship is recorded in the registry: the incident alone links them."""
    other = user_with_role(R.VICTIM_ADVOCATE)
    assign(world.causer, user=other)
    url = reverse("ipvi_victims:case", args=[world.case.pk])
    html = client_for(other).get(url).content.decode()
    assert not _shows_locating(html)
    assert "Record an attempt" not in html
    refused = _post(other, world.case, "note", note="Trying to write a note")
    assert refused.status_code == 403
    assert not world.case.safety_notes.exists()


def test_offender_facing_pages_and_api_never_show_the_victims_locating_details(
    world: World,
) -> None:
    coordinator = user_with_role(R.IPVI_COORDINATOR)
    case_manager = user_with_role(R.CASE_MANAGER)
    assign(world.causer, user=case_manager)
    pages = [
        (coordinator, reverse("ipvi:candidate", args=[world.candidate.pk])),
        (coordinator, reverse("people:detail", args=[world.causer.pk])),
        (coordinator, reverse("people:detail", args=[world.victim.pk])),
        (coordinator, reverse("incidents:detail", args=[world.incident.pk])),
        (case_manager, reverse("people:detail", args=[world.victim.pk])),
        (coordinator, reverse("person-detail", args=[world.victim.pk])),
        (coordinator, reverse("person-timeline", args=[world.victim.pk])),
        (case_manager, reverse("person-detail", args=[world.victim.pk])),
    ]
    from jcihub.ipvi.victim_selectors import victim_locating_texts

    never = victim_locating_texts(world.causer.pk)
    assert never >= set(LOCATING)
    for user, url in pages:
        response = client_for(user).get(url)
        assert response.status_code == 200, url
        assert not any(text in response.content.decode() for text in never), url


def test_the_victims_locating_texts_are_known_for_checking_offender_facing_output(
    world: World,
) -> None:
    from jcihub.ipvi.victim_selectors import victim_locating_texts

    assert victim_locating_texts(world.causer.pk) >= set(LOCATING)
    assert victim_locating_texts(world.victim.pk) == set()


def test_exports_never_carry_the_victims_locating_details(world: World) -> None:
    director = user_with_role(R.DIRECTOR)
    response = client_for(director).get(reverse("people:export"))
    body = b"".join(response.streaming_content).decode()
    assert "Victim" in body
    assert not any(text in body for text in LOCATING)


# --- Outreach and the victim's choice -------------------------------------------------------


def _attempt(user: User, case: VictimCase, outcome: str = "no_answer") -> Any:
    when = timezone.localtime() - dt.timedelta(hours=1)
    return _post(
        user,
        case,
        "attempt",
        attempted_at=when.strftime("%Y-%m-%dT%H:%M"),
        method="phone",
        outcome=outcome,
        note="Called the safe number",
    )


def test_an_advocate_records_attempts_notes_services_and_the_order(world: World) -> None:
    assert _attempt(world.advocate, world.case).status_code == 302
    assert (
        _post(world.advocate, world.case, "note", note="Plan: keep bag packed").status_code == 302
    )
    today = timezone.localdate().isoformat()
    assert _post(world.advocate, world.case, "service", kind="shelter", offered_on=today)
    service = world.case.services.get()
    client_for(world.advocate).post(
        reverse("ipvi_victims:act", args=[world.case.pk, "answer"]),
        {"answer-service": service.pk, "answer-response": "accepted"},
    )
    _post(world.advocate, world.case, "order", status="ex_parte", on=today)
    world.case.refresh_from_db()
    service.refresh_from_db()
    assert world.case.attempts.get().get_outcome_display() == "No answer"
    assert service.response == "accepted"
    assert world.case.protective_order == "ex_parte"
    html = client_for(world.advocate).get(reverse("ipvi_victims:case", args=[world.case.pk]))
    text = html.content.decode()
    assert "Emergency shelter" in text and "Accepted" in text
    assert "Ex parte (temporary) order in force" in text
    summaries = list(
        AuditEntry.objects.filter(person_id=world.victim.pk).values_list("summary", flat=True)
    )
    assert "Contact attempt: Phone call, No answer" in summaries
    assert "Safety-planning note" in summaries  # that one was written, not what it says
    assert not any("keep bag packed" in s for s in summaries)


def test_a_victim_who_declines_stops_outreach_with_a_clear_refusal(world: World) -> None:
    _post(world.advocate, world.case, "decline", note="Does not want calls")
    world.case.refresh_from_db()
    assert world.case.has_declined
    assert world.victim.safety_flags.filter(
        kind=SafetyFlag.Kind.DO_NOT_CONTACT, cleared_at__isnull=True
    ).exists()
    since = _last()
    response = _attempt(world.advocate, world.case)
    assert response.status_code == 200
    html = response.content.decode()
    assert "declined contact on" in html and "outreach has stopped" in html
    assert not world.case.attempts.exists()
    denied = [e for e in _entries_since(since) if e.action == AuditAction.DENIED]
    assert denied[0].summary == "Refused: contact attempt after the victim declined contact"
    today = timezone.localdate().isoformat()
    _post(world.advocate, world.case, "service", kind="counselling", offered_on=today)
    assert not world.case.services.exists()
    listed = client_for(world.advocate).get(reverse("ipvi_victims:list"), {"show": "declined"})
    assert "Vera Victim" in listed.content.decode()


def test_declining_when_reached_stops_outreach_too(world: World) -> None:
    _attempt(world.advocate, world.case, outcome=ContactOutcome.DECLINED)
    world.case.refresh_from_db()
    assert world.case.has_declined and world.case.attempts.count() == 1
    with pytest.raises(ValidationError, match="declined contact"):
        outreach.record_attempt(
            world.advocate,
            world.case,
            attempted_at=timezone.now(),
            method="text",
            outcome="no_answer",
        )


def test_only_the_victims_own_request_resumes_contact(world: World) -> None:
    outreach.decline_contact(world.advocate, world.case)
    with pytest.raises(ValidationError):
        outreach.resume_contact(world.advocate, world.case, "ok")
    outreach.resume_contact(world.advocate, world.case, "She called the advocate line today")
    assert not world.case.has_declined
    assert not world.victim.safety_flags.filter(cleared_at__isnull=True).exists()
    assert _attempt(world.advocate, world.case).status_code == 302


# --- Screens through the programs engine ---------------------------------------------------


def test_a_lethality_screen_is_recorded_in_the_case(world: World) -> None:
    load(completed_lap())
    url = reverse("ipvi_victims:screen", args=[world.case.pk, "lap-lethality-screen"])
    page = client_for(world.advocate).get(url)
    assert "Placeholder wording for question 1" in page.content.decode()
    answers = {f"item_q{n}": "no" for n in range(1, 12)} | {"item_q2": "yes"}
    response = client_for(world.advocate).post(
        url,
        {
            "administered_on": timezone.localdate().isoformat(),
            "item_officer_belief": "no",
            **answers,
        },
    )
    assert response.status_code == 302
    screen = world.case.screens.get()
    assert screen.assessment.screened_in and screen.assessment.person == world.victim
    case_page = client_for(world.advocate).get(reverse("ipvi_victims:case", args=[world.case.pk]))
    assert "screened in" in case_page.content.decode()
    director_page = client_for(user_with_role(R.DIRECTOR)).get(
        reverse("ipvi_victims:case", args=[world.case.pk])
    )
    assert "screened in" in director_page.content.decode()  # supervisors read screens


def test_a_skeleton_instrument_explains_why_it_cannot_be_used(world: World) -> None:
    from jcihub.programs.tests.factories import shipped

    load(shipped("lap-lethality-screen"))
    url = reverse("ipvi_victims:screen", args=[world.case.pk, "lap-lethality-screen"])
    html = client_for(world.advocate).get(url).content.decode()
    assert "loaded as a skeleton" in html and "jcihub load-instrument" in html


def test_the_outreach_summary_counts_without_saying_where_anyone_is(world: World) -> None:
    from jcihub.ipvi.victim_selectors import OutreachSummary, outreach_summaries

    second = PersonFactory()
    world.incident.parties.create(party_key="V2", involvement="VIC", person=second)
    assert outreach_summaries([world.incident.pk]) == {
        world.incident.pk: OutreachSummary(victims=2, cases=1, reached=0, declined=0)
    }
    _attempt(world.advocate, world.case, outcome=ContactOutcome.DECLINED)
    summary = outreach_summaries([world.incident.pk])[world.incident.pk]
    assert (summary.reached, summary.declined) == (1, 1)
