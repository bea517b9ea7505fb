"""The IPVI candidate queue: who becomes a candidate, which tier is proposed and why, the
coordinator's decisions, and who may see and do what."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from jcihub.audit.models import AuditEntry
from jcihub.core.tests.factories import PersonFactory, harm, match_candidate, user_with_role
from jcihub.incidents.models import Incident
from jcihub.ipvi import rules
from jcihub.ipvi.defaults import write_ladder
from jcihub.ipvi.models import Candidate, Tier
from jcihub.ipvi.services import decide, rebuild_queue
from jcihub.people.models import Person

pytestmark = pytest.mark.django_db
Status = Candidate.Status


@pytest.fixture(autouse=True)
def ladder() -> None:
    write_ladder(Tier)


def tier(code: str) -> Tier:
    return Tier.objects.get(code=code)


_numbers = iter(range(1, 10_000))


def incident(
    causer: Person,
    victim: Person | None = None,
    *,
    on: dt.date,
    dv: bool | None = True,
    firearm: bool = False,
    offense: tuple[str, str] = ("", ""),
    age: int | None = 35,
) -> Incident:
    number = f"KC{next(_numbers):08d}"
    found = Incident.objects.create(
        source_key=number,
        report_number=number,
        reported_date=on,
        is_domestic_violence=dv,
        firearm_used=firearm,
    )
    found.parties.create(party_key="S", involvement="SUS", person=causer, age=age)
    if victim is not None:
        found.parties.create(party_key="V", involvement="VIC", person=victim)
    if any(offense):
        found.offenses.create(ibrs=offense[0], description=offense[1])
    return found


def candidate_for(found: Incident) -> Candidate:
    return Candidate.objects.get(incident=found)


@pytest.fixture
def causer() -> Person:
    return PersonFactory(given_name="Dale", family_name="Crane", birth_date=dt.date(1987, 1, 2))


# --- Who is a candidate --------------------------------------------------------------------


def test_a_first_dv_incident_proposes_the_warning_letter(causer) -> None:
    found = incident(causer, on=dt.date(2024, 3, 1))
    rebuild_queue()
    candidate = candidate_for(found)
    assert candidate.person == causer and candidate.status == Status.PENDING
    assert candidate.proposed_tier == tier("D")
    assert candidate.reasons == ["no earlier domestic-violence incident on record"]
    assert candidate.why_domestic == "KCPD marked the incident as domestic violence"


def test_a_prior_incident_proposes_a_face_to_face_notification(causer) -> None:
    first = incident(causer, on=dt.date(2023, 5, 1))
    second = incident(causer, on=dt.date(2024, 3, 1))
    rebuild_queue()
    candidate = candidate_for(second)
    assert candidate.prior_incident_ids == [first.pk]
    assert candidate.proposed_tier == tier("C")
    assert candidate.reasons == [
        "1 earlier domestic-violence incident on record (this level: 1 or more)"
    ]


def test_serious_violence_proposes_the_call_in_with_the_signs_named(causer) -> None:
    found = incident(
        causer,
        on=dt.date(2024, 3, 1),
        firearm=True,
        offense=("13B", "ASSAULT - STRANGULATION"),
    )
    rebuild_queue()
    candidate = candidate_for(found)
    assert candidate.flags == ["a firearm", "strangulation"]
    assert candidate.proposed_tier == tier("B")
    assert candidate.reasons == ["serious violence in this incident: a firearm, strangulation"]


def test_an_intimate_partner_victim_makes_an_unflagged_incident_domestic(causer) -> None:
    partner = PersonFactory(given_name="Ana", family_name="Reyes")
    harm(causer, partner)  # recorded as intimate partners, Dale causing harm
    found = incident(causer, partner, on=dt.date(2024, 3, 1), dv=None)
    stranger_case = incident(causer, PersonFactory(), on=dt.date(2024, 4, 1), dv=False)
    rebuild_queue()
    assert candidate_for(found).why_domestic == (
        "a victim of the incident is a recorded intimate partner"
    )
    assert not Candidate.objects.filter(incident=stranger_case).exists()


def test_a_person_under_18_goes_to_the_youth_path_and_gets_no_tier() -> None:
    teen = PersonFactory(birth_date=dt.date(2008, 6, 1))
    found = incident(teen, on=dt.date(2024, 3, 1), age=None)
    rebuild_queue()
    candidate = candidate_for(found)
    assert candidate.status == Status.YOUTH and candidate.proposed_tier is None
    assert "under 18 on the incident date (age 15)" in candidate.reasons[0]
    with pytest.raises(ValidationError, match="youth path"):
        decide(user_with_role("ipvi_coordinator"), candidate, tier("D"))


def test_the_reported_age_counts_when_the_birth_date_is_unknown() -> None:
    assert rules.age_on(dt.date(2024, 3, 1), 17, None) == 17
    assert rules.age_on(dt.date(2024, 3, 1), 40, dt.date(2006, 3, 2)) == 17


# --- The ladder moves ----------------------------------------------------------------------


def test_a_reoffence_after_a_tier_moves_up_the_ladder(causer) -> None:
    coordinator = user_with_role("ipvi_coordinator")
    first = incident(causer, on=dt.date(2023, 1, 10))
    rebuild_queue()
    decide(coordinator, candidate_for(first), tier("D"))

    second = incident(causer, on=dt.date(2023, 6, 1))
    rebuild_queue()
    assert candidate_for(second).proposed_tier == tier("B")
    assert "re-offended after being placed on tier D" in candidate_for(second).reasons
    decide(coordinator, candidate_for(second), tier("B"))

    third = incident(causer, on=dt.date(2024, 2, 1))
    rebuild_queue()
    assert candidate_for(third).proposed_tier == tier("A")
    assert candidate_for(third).reasons == [
        "the ladder: a re-offence after tier B moves up one level"
    ]


def test_history_under_another_record_of_the_same_person_counts(causer) -> None:
    other_record = PersonFactory(given_name="Dale", family_name="Crane")
    match_candidate(causer, other_record, status="accepted")
    earlier = incident(other_record, on=dt.date(2022, 8, 1))
    later = incident(causer, on=dt.date(2024, 3, 1))
    rebuild_queue()
    assert candidate_for(later).prior_incident_ids == [earlier.pk]
    assert candidate_for(later).proposed_tier == tier("C")


def test_rules_are_data_a_changed_ladder_changes_the_proposal(causer) -> None:
    found = incident(causer, on=dt.date(2024, 3, 1))
    Tier.objects.filter(code="C").update(min_prior_incidents=0)
    rebuild_queue()
    assert candidate_for(found).proposed_tier == tier("C")


# --- Rebuilding is idempotent and keeps decisions ------------------------------------------


def test_rebuilding_changes_nothing_keeps_decisions_and_withdraws_what_no_longer_qualifies(
    causer,
) -> None:
    decided = incident(causer, on=dt.date(2023, 1, 10))
    waiting = incident(PersonFactory(), on=dt.date(2024, 1, 10))
    rebuild_queue()
    decide(user_with_role("ipvi_coordinator"), candidate_for(decided), tier("D"))

    again = rebuild_queue()
    assert (again.created, again.updated, again.withdrawn) == (0, 0, 0)
    assert again.decided_kept == 1

    Incident.objects.filter(pk__in=[decided.pk, waiting.pk]).update(is_domestic_violence=False)
    after = rebuild_queue()
    assert after.withdrawn == 1
    assert not Candidate.objects.filter(incident=waiting).exists()
    assert candidate_for(decided).status == Status.CONFIRMED  # a decision is never undone
    assert AuditEntry.objects.filter(object_type="ipvi.queue").count() == 3


# --- Decisions ---------------------------------------------------------------------------


def test_confirming_needs_no_reason_and_is_audited_on_the_person(causer) -> None:
    found = incident(causer, on=dt.date(2024, 3, 1))
    rebuild_queue()
    coordinator = user_with_role("ipvi_coordinator")
    decided = decide(coordinator, candidate_for(found), tier("D"))
    assert decided.status == Status.CONFIRMED and decided.decided_by == coordinator
    entry = AuditEntry.objects.get(person_id=causer.pk, summary__startswith="IPVI tier")
    assert entry.summary == "IPVI tier D confirmed"


def test_an_override_needs_a_reason_and_records_it(causer) -> None:
    found = incident(causer, on=dt.date(2024, 3, 1))
    rebuild_queue()
    coordinator = user_with_role("ipvi_coordinator")
    with pytest.raises(ValidationError, match="Say why"):
        decide(coordinator, candidate_for(found), tier("B"), "  ")
    decided = decide(coordinator, candidate_for(found), tier("B"), "Victim is pregnant")
    assert decided.status == Status.OVERRIDDEN and decided.decision_reason == "Victim is pregnant"
    assert AuditEntry.objects.filter(
        person_id=causer.pk, summary="IPVI tier B chosen over the proposed D"
    ).exists()
    with pytest.raises(ValidationError, match="decided already"):
        decide(coordinator, decided, tier("A"), "again")


# --- Pages and who may use them ------------------------------------------------------------


def test_the_coordinator_decides_from_the_page_and_the_view_is_audited(client_for, causer):
    found = incident(causer, on=dt.date(2024, 3, 1))
    rebuild_queue()
    coordinator = user_with_role("ipvi_coordinator")
    client = client_for(coordinator)
    url = reverse("ipvi:candidate", args=[candidate_for(found).pk])

    page = client.get(url).content.decode()
    assert "D: Warning letter" in page and "Record the tier" in page
    assert AuditEntry.objects.filter(
        actor=coordinator, person_id=causer.pk, summary__contains="IPVI candidate"
    ).exists()

    refused = client.post(url, {"tier": tier("A").pk, "reason": ""})
    assert "Say why you choose a tier other than the one proposed." in refused.content.decode()
    assert client.post(url, {"tier": tier("D").pk}).status_code == 302
    assert candidate_for(found).status == Status.CONFIRMED


def test_the_director_reads_but_cannot_decide(client_for, causer) -> None:
    found = incident(causer, on=dt.date(2024, 3, 1))
    rebuild_queue()
    client = client_for(user_with_role("director"))
    url = reverse("ipvi:candidate", args=[candidate_for(found).pk])
    assert "Record the tier" not in client.get(url).content.decode()
    assert client.post(url, {"tier": tier("D").pk}).status_code == 403
    assert client.post(reverse("ipvi:rebuild")).status_code == 403
    assert candidate_for(found).status == Status.PENDING


def test_a_restricted_record_stays_out_of_the_coordinators_queue(client_for) -> None:
    hidden = PersonFactory(family_name="Hidden", is_restricted=True)
    shown = PersonFactory(family_name="Shown")
    incident(hidden, on=dt.date(2024, 3, 1))
    incident(shown, on=dt.date(2024, 3, 2))
    rebuild_queue()
    client = client_for(user_with_role("ipvi_coordinator"))
    page = client.get(reverse("ipvi:queue")).content.decode()
    assert "Shown" in page and "Hidden" not in page
    hidden_candidate = Candidate.objects.get(person=hidden)
    assert client.get(reverse("ipvi:candidate", args=[hidden_candidate.pk])).status_code == 404


def test_a_person_whose_identity_is_under_review_is_flagged(client_for, causer) -> None:
    found = incident(causer, on=dt.date(2024, 3, 1))
    match_candidate(causer, PersonFactory(), status="pending")
    rebuild_queue()
    page = (
        client_for(user_with_role("ipvi_coordinator"))
        .get(reverse("ipvi:candidate", args=[candidate_for(found).pk]))
        .content.decode()
    )
    assert "identity is still in the review queue" in page


def test_the_coordinator_rebuilds_from_the_queue_page(client_for, causer) -> None:
    incident(causer, on=dt.date(2024, 3, 1))
    response = client_for(user_with_role("ipvi_coordinator")).post(
        reverse("ipvi:rebuild"), follow=True
    )
    assert "Queue rebuilt: 1 new" in response.content.decode()
    assert "Dale Crane" in response.content.decode()


def test_the_command_rebuilds_and_reports(causer) -> None:
    incident(causer, on=dt.date(2024, 3, 1))
    out = io.StringIO()
    call_command("ipvi", "rebuild", "--no-progress", stdout=out)
    assert "1 candidate (1 new" in out.getvalue()
    call_command("ipvi", "rebuild", "--no-progress", stdout=out)
    assert "1 unchanged" in out.getvalue()


# --- Editing the ladder ---------------------------------------------------------------------


def test_the_coordinator_changes_a_rule_with_a_reason_and_the_next_rebuild_follows(
    causer, client
) -> None:
    first = incident(causer, on=dt.date(2023, 5, 1))
    second = incident(causer, on=dt.date(2024, 3, 1))
    rebuild_queue()
    assert candidate_for(second).proposed_tier == tier("C")
    url = reverse("ipvi:tier_edit", args=[tier("C").pk])
    client.force_login(user_with_role("ipvi_coordinator"))
    form = {
        "name": "Face-to-face notification",
        "response": "An officer and a community member visit.",
        "min_prior_incidents": "2",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200 and tier("C").min_prior_incidents == 1  # no reason
    assert client.post(url, form | {"reason": "Agreed at the March meeting"}).status_code == 302
    assert tier("C").min_prior_incidents == 2 and tier("C").code == "C"
    entry = AuditEntry.objects.get(summary="IPVI tier C changed")
    assert entry.reason == "Agreed at the March meeting"
    assert entry.changes["min_prior_incidents"] == {"old": 1, "new": 2}
    rebuild_queue()
    assert candidate_for(second).proposed_tier == tier("D")  # one prior is no longer enough
    assert candidate_for(first).proposed_tier == tier("D")


def test_only_the_coordinator_and_director_edit_the_ladder(client) -> None:
    for role, status in (("case_manager", 403), ("program_manager", 403), ("director", 200)):
        client.force_login(user_with_role(role))
        assert client.get(reverse("ipvi:tier_new")).status_code == status
