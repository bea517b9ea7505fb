"""IPVI victim outreach in a real browser: an advocate finds a victim of a queued
incident, starts outreach, records a lethality screen through the form the instrument's
definition generates, records a call, and then the victim's decision to decline contact,
after which the page offers no more attempts or offers (a forced one is refused: see
src/jcihub/ipvi/tests/test_victims.py). The director reading the
same case sees none of the victim's locating details. Every page is checked by axe."""

import datetime as dt
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from jcihub.accounts.models import User
from jcihub.core.tests.factories import AddressFactory, PersonFactory
from jcihub.incidents.models import Incident
from jcihub.ipvi.defaults import write_ladder
from jcihub.ipvi.models import Candidate, Tier
from jcihub.ipvi.victims import VictimCase
from jcihub.programs.models import Assessment
from jcihub.programs.tests.factories import completed_lap, load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Check = Callable[[Page], None]
SHELTER = "12 Safe Harbor Ln"


def _queued_incident() -> Incident:
    write_ladder(Tier)
    causer = PersonFactory(given_name="Dale", family_name="Crane")
    victim = PersonFactory(given_name="Ana", family_name="Reyes")
    AddressFactory(person=victim, kind="shelter", line1=SHELTER)
    incident = Incident.objects.create(
        source_key="KC26000100",
        report_number="KC26000100",
        reported_date=dt.date(2026, 11, 28),
        is_domestic_violence=True,
    )
    incident.parties.create(party_key="S", involvement="SUS", person=causer)
    incident.parties.create(party_key="V", involvement="VIC", person=victim)
    Candidate.objects.create(
        incident=incident,
        person=causer,
        why_domestic="KCPD marked the incident as domestic violence",
        proposed_tier=Tier.objects.get(code="D"),
    )
    return incident


def _choose(page: Page, n: int, answer: str) -> None:
    """USWDS hides the radio input itself: click its label inside the question's group."""
    group = page.get_by_role(
        "group", name=re.compile(rf"^{n}\. Placeholder wording for question {n}\b")
    )
    group.locator("label.usa-radio__label", has_text=answer).first.click()


def test_an_advocate_screens_calls_and_respects_a_declined_contact(
    site: str,
    staff: dict[str, User],
    signed_in: Callable[..., Page],
    assert_accessible: Check,
) -> None:
    _queued_incident()
    load(completed_lap())
    page = signed_in(staff["victim_advocate"])
    page.goto(f"{site}/ipvi/victims/")
    assert_accessible(page)
    page.get_by_role("button", name="Start outreach to Ana Reyes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ana Reyes")
    expect(page.locator("main")).to_contain_text(SHELTER)
    assert_accessible(page)

    page.get_by_role("link", name="Lethality Screen (Lethality Assessment Program").click()
    for n in range(1, 12):
        _choose(page, n, "No")
    _choose(page, 12, "Yes")  # the officer's belief
    assert_accessible(page)
    page.get_by_role("button", name="Record the screen").click()
    expect(page.get_by_text("recorded.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("screened in")
    assert Assessment.objects.get().screened_in

    page.get_by_label("Outcome").select_option(label="No answer")
    page.get_by_role("button", name="Record the attempt").click()
    expect(page.get_by_text("Contact attempt recorded.")).to_be_visible()

    page.get_by_label("What the victim said").fill("Asked us not to call again")
    page.get_by_role("button", name="The victim declines contact").click()
    expect(page.get_by_role("heading", name="The victim declined contact")).to_be_visible()
    expect(page.get_by_role("button", name="Record the attempt")).to_have_count(0)
    assert_accessible(page)
    case = VictimCase.objects.get()
    assert case.has_declined and case.attempts.count() == 1

    director = signed_in(staff["director"])
    director.goto(f"{site}/ipvi/victims/{case.pk}/")
    expect(director.locator("main")).not_to_contain_text(SHELTER)
    expect(director.locator("main")).to_contain_text("shown to the victim's advocates only")
    assert_accessible(director)
