"""Charging decisions on re-offences: recorded by the prosecutor liaison assigned to the
person, versioned (a correction keeps what came before), audited, and free of anything
that locates a victim."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from jcihub.access import policy
from jcihub.accounts.models import Team
from jcihub.audit.models import AuditEntry
from jcihub.core.tests.factories import AddressFactory, PersonFactory, assign, user_with_role
from jcihub.ipvi import charging_selectors
from jcihub.ipvi import notification_services as notify
from jcihub.ipvi.charging import ChargingDecision, ChargingOutcome
from jcihub.ipvi.charging_services import record_charging_decision
from jcihub.ipvi.models import Candidate
from jcihub.ipvi.services import rebuild_queue

from .notify_helpers import decided, dv_incident, seed

pytestmark = pytest.mark.django_db
REOFFENDED_ON = dt.date(2025, 6, 1)


@pytest.fixture(autouse=True)
def _seeded() -> None:
    seed()


@pytest.fixture
def reoffence() -> Candidate:
    """Dale Crane: letter delivered 2025-02-01, a new DV incident on 2025-06-01."""
    victim = PersonFactory(given_name="Ana", family_name="Reyes")
    AddressFactory(person=victim, line1="4821 Wornall Rd", is_confidential=True)
    first = decided(victim=victim, on=dt.date(2025, 1, 10))
    letter = notify.generate_letter(None, first, "en")
    notify.record_letter_delivery(
        None,
        letter,
        is_delivered=True,
        occurred_at=dt.datetime(2025, 2, 1, 12, tzinfo=dt.UTC),
        method="officer",
        delivered_by="Ofc. Ruiz",
    )
    later = dv_incident(first.person, victim, REOFFENDED_ON, address="4800 WORNALL RD")
    rebuild_queue()
    return Candidate.objects.get(incident=later)


def _agency(name: str, kind: str) -> Team:
    return Team.objects.create(name=name, kind=Team.Kind.AGENCY, agency_type=kind)


@pytest.fixture
def prosecutor(reoffence: Candidate) -> object:
    office = _agency("Jackson County Prosecutor", Team.AgencyType.PROSECUTOR)
    liaison = user_with_role("agency_liaison", username="ada-cole")
    liaison.teams.add(office)
    assign(reoffence.person, team=office)
    return liaison


def _charge(actor: object, reoffence: Candidate, **given: object) -> ChargingDecision:
    fields: dict[str, object] = {
        "outcome": ChargingOutcome.CHARGED,
        "decided_on": dt.date(2025, 6, 20),
        "charges_filed": "Domestic assault 2nd degree (RSMo 565.073)",
    }
    fields.update(given)
    return record_charging_decision(actor, reoffence, **fields)  # type: ignore[arg-type]


# --- The rules of a decision ------------------------------------------------------------


def test_a_decision_cannot_be_dated_in_the_future_or_before_the_reoffence(reoffence) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        _charge(None, reoffence, decided_on=tomorrow)
    with pytest.raises(ValidationError, match=r"before the re-offence \(2025-06-01\)"):
        _charge(None, reoffence, decided_on=dt.date(2025, 5, 31))
    assert _charge(None, reoffence, decided_on=REOFFENDED_ON).version == 1


def test_charged_needs_the_charges_and_declining_needs_reasons(reoffence) -> None:
    with pytest.raises(ValidationError, match="Name the charges filed"):
        _charge(None, reoffence, charges_filed="  ")
    with pytest.raises(ValidationError, match="only when the outcome is charged"):
        _charge(None, reoffence, outcome=ChargingOutcome.DECLINED, reasons="No witness")
    with pytest.raises(ValidationError, match="reasons for declining or referring back"):
        _charge(None, reoffence, outcome=ChargingOutcome.REFERRED_BACK, charges_filed="")
    pending = _charge(None, reoffence, outcome=ChargingOutcome.PENDING, charges_filed="")
    assert pending.get_outcome_display() == "Pending review"


def test_a_correction_adds_a_version_with_its_reason_and_keeps_the_first(reoffence) -> None:
    first = _charge(None, reoffence, outcome=ChargingOutcome.PENDING, charges_filed="")
    with pytest.raises(ValidationError, match="Say why the decision recorded before"):
        _charge(None, reoffence)
    with pytest.raises(ValidationError, match="Nothing differs"):
        _charge(
            None,
            reoffence,
            outcome=ChargingOutcome.PENDING,
            charges_filed="",
            correction_reason="again",
        )
    second = _charge(None, reoffence, correction_reason="Charges filed after review")
    assert (second.version, second.correction_reason) == (2, "Charges filed after review")
    versions = charging_selectors.history(reoffence.pk)
    assert [d.version for d in versions] == [2, 1]
    first.refresh_from_db()
    assert first.outcome == ChargingOutcome.PENDING  # the earlier version is untouched


def test_the_database_refuses_a_correction_without_a_reason_or_a_repeated_version(
    reoffence,
) -> None:
    first = _charge(None, reoffence)
    common = {
        "reoffence": reoffence,
        "person": reoffence.person,
        "outcome": "declined",
        "decided_on": dt.date(2025, 7, 1),
        "recorded_at": timezone.now(),
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        ChargingDecision.objects.create(version=2, **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChargingDecision.objects.create(version=first.version, correction_reason="x", **common)


def test_a_decision_text_that_locates_the_victim_is_refused(reoffence) -> None:
    with pytest.raises(ValidationError, match="never write where a victim is"):
        _charge(
            None,
            reoffence,
            outcome=ChargingOutcome.DECLINED,
            charges_filed="",
            reasons="Victim moved to 4821 Wornall Rd and would not testify",
        )
    assert not ChargingDecision.objects.exists()


def test_every_version_is_audited_with_what_changed(reoffence, prosecutor) -> None:
    _charge(prosecutor, reoffence, outcome=ChargingOutcome.PENDING, charges_filed="")
    _charge(prosecutor, reoffence, correction_reason="Filed")
    entries = AuditEntry.objects.filter(
        actor=prosecutor, action="create", object_type="ipvi.chargingdecision"
    ).order_by("id")
    assert [e.summary.split(":")[-1].strip() for e in entries] == ["Pending review", "Charged"]
    assert entries[1].reason == "Filed"
    assert entries[1].changes["outcome"] == {"old": "pending_review", "new": "charged"}


# --- Who may record it ------------------------------------------------------------------


def test_only_a_prosecutor_liaison_assigned_to_the_person_may_record(reoffence, prosecutor) -> None:
    person = reoffence.person
    assert policy.may_record_charging_decision(prosecutor, person)
    police = _agency("KCPD liaison", Team.AgencyType.POLICE)
    officer = user_with_role("agency_liaison")
    officer.teams.add(police)
    assign(person, team=police)
    assert policy.can_view_person(officer, person)
    assert not policy.may_record_charging_decision(officer, person)
    elsewhere = user_with_role("agency_liaison")
    elsewhere.teams.add(_agency("Clay County Prosecutor", Team.AgencyType.PROSECUTOR))
    assert not policy.may_record_charging_decision(elsewhere, person)
    # In both teams, a person assigned only to the police team is not theirs to charge.
    officer.teams.add(Team.objects.get(name="Jackson County Prosecutor"))
    assert policy.prosecutor_teams(officer).exists()
    other = PersonFactory()
    assign(other, team=police)
    assert not policy.may_record_charging_decision(officer, other)
    for role in ("director", "ipvi_coordinator", "victim_advocate"):
        assert not policy.may_record_charging_decision(user_with_role(role), person)


def test_a_disabled_prosecutor_team_no_longer_records(reoffence, prosecutor) -> None:
    Team.objects.filter(name="Jackson County Prosecutor").update(disabled_on=dt.date(2025, 1, 1))
    assert not policy.may_record_charging_decision(prosecutor, reoffence.person)


# --- The page --------------------------------------------------------------------------


def test_the_prosecutor_records_and_corrects_on_the_reoffence_page(
    client_for, reoffence, prosecutor
) -> None:
    client = client_for(prosecutor)
    page_url = reverse("ipvi:reoffence", args=[reoffence.pk])
    page = client.get(page_url).content.decode()
    assert "No charging decision is recorded yet" in page and "Record the decision" in page
    assert "We know who you are" in page  # the prior notification is still attached
    url = reverse("ipvi:reoffence_charging", args=[reoffence.pk])
    refused = client.post(url, {"outcome": "charged", "decided_on": "2025-06-20"})
    assert refused.status_code == 200 and "Name the charges filed" in refused.content.decode()
    done = client.post(
        url, {"outcome": "charged", "decided_on": "2025-06-20", "charges_filed": "Assault 2nd"}
    )
    assert done.status_code == 302
    page = client.get(page_url).content.decode()
    assert "Assault 2nd" in page and "19 days after the re-offence" in page
    assert "Why this corrects the decision recorded before" in page
    no_reason = client.post(
        url, {"outcome": "declined", "decided_on": "2025-06-21", "reasons": "Insufficient"}
    )
    assert no_reason.status_code == 200 and ChargingDecision.objects.count() == 1
    client.post(
        url,
        {
            "outcome": "declined",
            "decided_on": "2025-06-21",
            "reasons": "Insufficient evidence",
            "correction_reason": "Charge withdrawn on review",
        },
    )
    page = client.get(page_url).content.decode()
    assert "Every version of the decision" in page
    assert "Charge withdrawn on review" in page and "Assault 2nd" in page
    for secret in ("Wornall", "WORNALL", "4821", "4800", "Reyes"):
        assert secret not in page
    assert AuditEntry.objects.filter(
        actor=prosecutor, action="view", object_type="ipvi.chargingdecision"
    ).exists()


def test_a_police_liaison_sees_the_decision_but_cannot_record(
    client_for, reoffence, prosecutor
) -> None:
    _charge(prosecutor, reoffence)
    police = _agency("KCPD liaison", Team.AgencyType.POLICE)
    officer = user_with_role("agency_liaison")
    officer.teams.add(police)
    assign(reoffence.person, team=police)
    client = client_for(officer)
    page = client.get(reverse("ipvi:reoffence", args=[reoffence.pk])).content.decode()
    assert "Domestic assault 2nd degree" in page and "Record the decision" not in page
    url = reverse("ipvi:reoffence_charging", args=[reoffence.pk])
    posted = {"outcome": "declined", "decided_on": "2025-06-21", "reasons": "x"}
    assert client.post(url, {**posted, "correction_reason": "y"}).status_code == 403
    assert ChargingDecision.objects.count() == 1
    coordinator = client_for(user_with_role("ipvi_coordinator"))
    assert coordinator.post(url, posted).status_code == 403


def test_a_liaison_not_assigned_gets_404_for_the_reoffence(client_for, reoffence) -> None:
    liaison = user_with_role("agency_liaison")
    liaison.teams.add(_agency("Another prosecutor", Team.AgencyType.PROSECUTOR))
    url = reverse("ipvi:reoffence_charging", args=[reoffence.pk])
    answer = client_for(liaison).post(url, {"outcome": "pending_review", "decided_on": "2025-06-2"})
    assert answer.status_code == 404


def test_a_candidate_that_is_no_reoffence_takes_no_decision(client_for, prosecutor) -> None:
    first = Candidate.objects.order_by("incident_date").first()
    assert first is not None
    url = reverse("ipvi:reoffence_charging", args=[first.pk])
    answer = client_for(prosecutor).post(url, {"outcome": "pending_review"})
    assert answer.status_code == 404


# --- The API ---------------------------------------------------------------------------


def test_the_api_records_lists_and_retrieves_decisions(client_for, reoffence, prosecutor) -> None:
    client = client_for(prosecutor)
    url = reverse("ipvi-charging-decision-list")
    body = {"reoffence": reoffence.pk, "outcome": "charged", "decided_on": "2025-06-20"}
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 400 and "charges_filed" in refused.json()
    made = client.post(
        url, {**body, "charges_filed": "Assault 2nd"}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["version"] == 1
    second = client.post(
        url,
        {**body, "charges_filed": "Assault 1st", "correction_reason": "Upgraded"},
        content_type="application/json",
    )
    assert second.status_code == 201 and second.json()["version"] == 2
    listed = client.get(url, {"reoffence": reoffence.pk}).json()
    assert [row["version"] for row in listed["results"]] == [2, 1]
    assert "Wornall" not in str(listed) and "Reyes" not in str(listed)
    one = client.get(reverse("ipvi-charging-decision-detail", args=[made.json()["id"]]))
    assert one.json()["charges_filed"] == "Assault 2nd"
    assert client.get(url, {"reoffence": "abc"}).status_code == 400
    assert client.get(url, {"reoffence": ""}).json()["count"] == 2  # empty: no filter
    assert (
        AuditEntry.objects.filter(
            actor=prosecutor, action="view", summary__contains="charging decision"
        ).count()
        >= 2
    )


def test_the_api_scopes_decisions_to_the_people_the_caller_may_see(
    client_for, reoffence, prosecutor
) -> None:
    decision = _charge(prosecutor, reoffence)
    stranger = client_for(user_with_role("agency_liaison"))
    url = reverse("ipvi-charging-decision-list")
    assert stranger.get(url).json()["count"] == 0
    detail = reverse("ipvi-charging-decision-detail", args=[decision.pk])
    assert stranger.get(detail).status_code == 404
    body = {"reoffence": reoffence.pk, "outcome": "pending_review", "decided_on": "2025-06-20"}
    assert stranger.post(url, body, content_type="application/json").status_code == 404
    director = client_for(user_with_role("director"))
    assert director.get(url).json()["count"] == 1
    assert director.post(url, body, content_type="application/json").status_code == 403


def test_a_rebuild_keeps_a_reoffence_that_has_a_charging_decision(reoffence) -> None:
    decision = _charge(None, reoffence)
    # Corrected at the source: the person is no longer named in the incident.
    reoffence.incident.parties.filter(person=reoffence.person).update(person=None)
    summary = rebuild_queue()
    assert summary.withdrawn == 0
    assert ChargingDecision.objects.filter(pk=decision.pk, reoffence=reoffence).exists()
