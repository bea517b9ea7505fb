"""IPVI outcomes from the records: re-offence windows, censoring, the same partner,
escalation, one identity across records, the baseline, and the report that leaves."""

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import PersonFactory, match_candidate, user_with_role
from jcihub.funds import services as funds
from jcihub.funds.models import Authorisation
from jcihub.incidents.models import Incident
from jcihub.insights import figures, ipvi_outcomes
from jcihub.insights.ipvi_outcomes import Entry, Harm, compute
from jcihub.insights.report import Quarter, quarterly_pdf
from jcihub.ipvi import notification_services as notify
from jcihub.ipvi.defaults import write_ladder
from jcihub.ipvi.letters import write_default_letters
from jcihub.ipvi.models import Candidate, LetterTemplate, LetterTemplateVersion, Tier
from jcihub.ipvi.services import decide, rebuild_queue
from jcihub.ipvi.victims import VictimCase
from jcihub.people.models import Person

START = dt.date(2026, 1, 1)
BASELINE_FROM = dt.date(2023, 1, 1)


def harm(who: int, incident: int, on: dt.date, victims: set[int], serious: bool = False) -> Harm:
    return Harm(who, incident, on, frozenset(victims), serious)


def outcome(entries: list[Entry], harms: list[Harm], data_end: dt.date):  # type: ignore[no-untyped-def]
    return compute(entries, harms, {}, data_end, start=START, baseline_from=BASELINE_FROM)


# --- The computation ------------------------------------------------------------------------


def test_a_re_offence_counts_in_its_window_and_only_with_full_follow_up() -> None:
    day = dt.date(2026, 1, 10)
    entries = [
        Entry(1, "D", day, 100),  # re-offends on day 100
        Entry(2, "D", day, 200),  # never re-offends, followed 400 days
        Entry(3, "D", dt.date(2026, 1, 20), 300),  # entered later; same month cohort
    ]
    harms = [
        harm(1, 100, day, {11}),
        harm(1, 101, day + dt.timedelta(days=100), {12}),
        harm(2, 200, day, {21}),
        harm(3, 300, dt.date(2026, 1, 20), {31}),
    ]
    result = outcome(entries, harms, day + dt.timedelta(days=400))
    (cohort,) = result.cohorts
    assert (cohort.tier, cohort.month, cohort.people) == ("D", "2026-01", 3)
    assert (cohort.reoffended_6, cohort.followed_6) == (1, 3)
    assert (cohort.reoffended_12, cohort.followed_12) == (1, 3)
    assert cohort.same_partner_12 == 0  # the re-offence was against another partner
    assert cohort.days_to_reoffence == [100]


def test_people_followed_too_short_are_left_out_of_the_rate_but_not_the_curve() -> None:
    day = dt.date(2026, 3, 1)
    entries = [Entry(1, "C", day, 1), Entry(2, "C", day, 2)]
    harms = [harm(1, 1, day, {9}), harm(2, 2, day, {8}), harm(1, 3, day + dt.timedelta(30), {9})]
    result = outcome(entries, harms, day + dt.timedelta(days=90))
    (cohort,) = result.cohorts
    # The data ends on day 90: nobody's 6-month window is whole, so no one is in the rate,
    # not even person 1 who re-offended on day 30 (counting early re-offenders only would
    # inflate it). The curve counts both while they are followed.
    assert (cohort.reoffended_6, cohort.followed_6) == (0, 0)
    assert (cohort.same_partner_12, cohort.followed_12) == (0, 0)
    curve = result.curves[(False, "C")]
    assert curve.people == 2 and curve.events == 1 and (30, 0.5) in curve.steps


def test_the_same_partner_and_escalation_are_seen() -> None:
    day = dt.date(2026, 2, 1)
    entries = [Entry(1, "B", day, 1)]
    harms = [harm(1, 1, day, {7}), harm(1, 2, day + dt.timedelta(50), {7}, serious=True)]
    (cohort,) = outcome(entries, harms, day + dt.timedelta(400)).cohorts
    assert cohort.same_partner_12 == 1 and cohort.escalated == 1


def test_incidents_after_the_end_of_follow_up_are_not_counted() -> None:
    day = dt.date(2026, 2, 1)
    entries = [Entry(1, "D", day, 1)]
    harms = [harm(1, 1, day, {7}), harm(1, 2, day + dt.timedelta(300), {7})]
    (cohort,) = outcome(entries, harms, day + dt.timedelta(200)).cohorts
    assert cohort.reoffended_ever == 0 and cohort.reoffended_6 == 0


def test_the_time_to_a_charging_decision_counts_first_reoffences_and_the_30_day_window() -> None:
    day = dt.date(2026, 1, 10)
    after = [day + dt.timedelta(days=d) for d in (0, 40, 60, 80, 100)]
    entries = [Entry(n, "C", day, 10 * n) for n in range(1, 6)]
    entries.append(Entry(9, "C", dt.date(2024, 1, 5), 90, baseline=True))
    harms = [harm(n, 10 * n, day, {100 + n}) for n in range(1, 6)]
    harms += [harm(9, 90, dt.date(2024, 1, 5), {109}), harm(9, 91, dt.date(2024, 2, 5), {109})]
    # Person 1 re-offends on day 40 and is decided 12 days later; person 2 on day 60,
    # decided 45 days later; person 3 on day 80, no decision yet; person 4 on day 100, so
    # recently that the 30-day window has not passed; person 5 does not re-offend.
    for n, on in zip((1, 2, 3, 4), after[1:], strict=True):
        harms.append(harm(n, 10 * n + 1, on, {100 + n}))
    decisions = {
        (1, 11): after[1] + dt.timedelta(days=12),
        (2, 21): after[2] + dt.timedelta(days=45),
        (9, 91): dt.date(2024, 2, 6),  # a baseline record would not count
    }
    as_of = after[4] + dt.timedelta(days=10)
    result = compute(
        entries,
        harms,
        {},
        as_of,
        start=START,
        baseline_from=BASELINE_FROM,
        decisions=decisions,
        decisions_as_of=as_of,
    )
    programme = next(c for c in result.cohorts if not c.baseline)
    assert programme.reoffended_ever == 4
    assert sorted(programme.days_to_decision) == [12, 45]
    # Due: persons 1, 2 and 3 (at least 30 days since the re-offence); decided in time: 1.
    assert (programme.decided_in_window, programme.decision_due) == (1, 3)
    row = figures.charging_row(programme, published=False).cells
    assert row[3:] == ("4", "50% (2 of 4)", "28.5", "33% (1 of 3)")
    published = figures.charging_row(programme, published=True).cells
    assert published[3:] == (
        "<11",
        "suppressed (<11 of <11)",
        "suppressed",
        "suppressed (<11 of <11)",
    )
    baseline = next(c for c in result.cohorts if c.baseline)
    assert baseline.days_to_decision == [] and baseline.decision_due == 0
    assert figures.charging_row(baseline, published=False).cells[4:] == ("not applicable",) * 3


# --- From the records -----------------------------------------------------------------------

_numbers = iter(range(1, 10_000))


def incident(causer: Person, victim: Person, on: dt.date) -> Incident:
    number = f"KC{next(_numbers):08d}"
    found = Incident.objects.create(
        source_key=number, report_number=number, reported_date=on, is_domestic_violence=True
    )
    found.parties.create(party_key="S", involvement="SUS", person=causer, age=35)
    found.parties.create(party_key="V", involvement="VIC", person=victim)
    return found


@pytest.fixture
def programme(db: None, settings) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A person notified (a letter delivered) who re-offends under another record of theirs,
    and a baseline person from before the start who does not."""
    settings.IPVI_PROGRAMME_START = "2026-01-01"
    write_ladder(Tier)
    causer = PersonFactory(birth_date=dt.date(1980, 1, 1))
    second_record = PersonFactory(birth_date=dt.date(1980, 1, 1))
    match_candidate(causer, second_record, status="accepted")
    victim = PersonFactory()
    earlier = PersonFactory(birth_date=dt.date(1975, 1, 1))
    incident(earlier, PersonFactory(), dt.date(2024, 6, 1))
    first = incident(causer, victim, dt.date(2026, 1, 5))
    incident(second_record, victim, dt.date(2026, 4, 15))
    Incident.objects.create(
        source_key="END", report_number="END", reported_date=dt.date(2027, 3, 1)
    )
    rebuild_queue()
    write_default_letters(Tier, LetterTemplate, LetterTemplateVersion)
    coordinator = user_with_role(R.IPVI_COORDINATOR)
    candidate = Candidate.objects.get(incident=first, person=causer)
    candidate = decide(coordinator, candidate, candidate.proposed_tier)
    # Notified (the letter delivered) on 10 January: the programme entry.
    notify.record_letter_delivery(
        coordinator,
        notify.generate_letter(coordinator, candidate, "en"),
        is_delivered=True,
        occurred_at=timezone.make_aware(dt.datetime(2026, 1, 10, 12)),
        method="officer",
        delivered_by="Officer Demo",
    )
    # An advocate reached the victim of the notified incident.
    case = VictimCase.objects.create(victim=victim, incident=first)
    case.attempts.create(
        attempted_at=timezone.make_aware(dt.datetime(2026, 1, 7, 9)),
        method="phone",
        outcome="reached",
    )
    return {"causer": causer, "victim": victim}


@pytest.mark.django_db
def test_outcomes_follow_the_person_across_records(programme) -> None:  # type: ignore[no-untyped-def]
    result = ipvi_outcomes.outcomes()
    programme_cohorts = [c for c in result.cohorts if not c.baseline]
    baseline_cohorts = [c for c in result.cohorts if c.baseline]
    (notified,) = programme_cohorts
    assert (notified.tier, notified.month, notified.people) == ("D", "2026-01", 1)
    # Notified on 10 January; re-offended under the other record on 15 April: day 95.
    assert notified.days_to_reoffence == [95]
    assert notified.reoffended_6 == 1 and notified.same_partner_12 == 1
    # One victim on record, reached by an advocate, no service accepted.
    assert (notified.victims, notified.victims_reached, notified.victims_served) == (1, 1, 0)
    (baseline,) = baseline_cohorts
    assert baseline.month == "2024-06" and baseline.people == 1 and baseline.reoffended_ever == 0
    assert result.data_end == dt.date(2027, 3, 1)


@pytest.mark.django_db
def test_the_council_report_suppresses_small_cells_and_names_no_one(programme) -> None:  # type: ignore[no-untyped-def]
    authorisation = Authorisation.objects.get(ordinance="Ordinance 260299")
    funds.record_expenditure(
        None,
        authorisation,
        spent_on=dt.date(2026, 2, 3),
        amount=Decimal("1250.00"),
        payee="Print shop",
        category="materials",
        description="Letters",
        reference="",
    )
    quarter = Quarter.parse("2026-Q4")
    text = "".join(
        page.extract_text()
        for page in PdfReader(
            io.BytesIO(quarterly_pdf(ipvi_outcomes.outcomes(quarter.end), quarter).bytes())
        ).pages
    )
    assert "<11" in text and "suppressed" in text
    assert "$75,000.00" in text and "$1,250.00" in text and "$73,750.00" in text
    for person in (programme["causer"], programme["victim"]):
        assert person.family_name not in text


@pytest.mark.django_db
def test_the_dashboard_and_report_go_through_the_policy_and_the_audit(programme, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(user_with_role(R.CASE_MANAGER))
    assert client.get(reverse("insights:ipvi")).status_code == 403
    client.force_login(user_with_role(R.ANALYST))
    page = client.get(reverse("insights:ipvi"))
    assert page.status_code == 200 and b"few people" in page.content
    assert client.get(reverse("insights:ipvi_report")).status_code == 403
    client.force_login(user_with_role(R.DIRECTOR))
    response = client.get(reverse("insights:ipvi_report"), {"quarter": "2026-Q2"})
    assert response["Content-Type"] == "application/pdf"
    assert AuditEntry.objects.filter(
        action=AuditAction.EXPORT, object_type="insights.ipvi_report", object_id="2026-Q2"
    ).exists()
    refused = client.get(reverse("insights:ipvi_report"), {"quarter": "Q5"}, follow=True)
    assert b"is not a quarter" in refused.content
    rows = b"".join(client.get(reverse("insights:ipvi_cohorts_csv")).streaming_content)
    assert b"<11" in rows


def test_quarters() -> None:
    quarter = Quarter.parse(" 2026-q3 ")
    assert (quarter.start, quarter.end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert Quarter.containing(dt.date(2026, 12, 2)).end == dt.date(2026, 12, 31)
    with pytest.raises(ValueError):
        Quarter.parse("2026-Q5")


@pytest.mark.django_db
def test_the_charging_decision_reaches_the_dashboard_report_and_csv(programme, client) -> None:  # type: ignore[no-untyped-def]
    from jcihub.ipvi.charging_services import record_charging_decision

    reoffence = Candidate.objects.get(incident_date=dt.date(2026, 4, 15))
    record_charging_decision(
        None, reoffence, outcome="pending_review", decided_on=dt.date(2026, 4, 16)
    )
    (notified,) = [c for c in ipvi_outcomes.outcomes().cohorts if not c.baseline]
    assert notified.days_to_decision == []  # pending review is not a decision
    record_charging_decision(
        None,
        reoffence,
        outcome="charged",
        decided_on=dt.date(2026, 4, 25),
        charges_filed="Domestic assault 3rd",
        correction_reason="Charged after review",
    )
    (notified,) = [c for c in ipvi_outcomes.outcomes().cohorts if not c.baseline]
    assert notified.days_to_decision == [10]
    assert (notified.decided_in_window, notified.decision_due) == (1, 1)
    client.force_login(user_with_role(R.DIRECTOR))
    page = client.get(reverse("insights:ipvi")).content.decode()
    assert "Time from re-offence to charging decision" in page
    assert "100% (1 of 1)" in page and "not applicable" in page
    quarter = Quarter.parse("2026-Q4")
    text = "".join(
        p.extract_text()
        for p in PdfReader(
            io.BytesIO(quarterly_pdf(ipvi_outcomes.outcomes(quarter.end), quarter).bytes())
        ).pages
    )
    assert "certainty of the consequence" in text and "not applicable" in text
    assert "does not hold yet" not in text
    # A quarter that ended before the decision was recorded does not know of it.
    (before,) = [c for c in ipvi_outcomes.outcomes(dt.date(2026, 6, 30)).cohorts if not c.baseline]
    assert before.days_to_decision == []
    rows = b"".join(client.get(reverse("insights:ipvi_cohorts_csv")).streaming_content).decode()
    header = rows.splitlines()[0]
    assert "Median days to charging decision" in header
    programme_row = next(line for line in rows.splitlines() if line.startswith("Programme"))
    assert programme_row.endswith("suppressed,suppressed (<11 of <11)")
