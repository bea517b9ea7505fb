"""What staff do every day, in a real browser: sign in, find someone, take in someone new,
and the auditor's view of it afterwards. Each journey also checks the pages it passes
through with axe-core."""

import datetime as dt
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from jcihub.accounts.models import User
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import AddressFactory, PersonFactory, assign, harm
from jcihub.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Check = Callable[[Page], None]


def test_a_case_manager_signs_in_searches_and_opens_a_record(
    page: Page, site: str, staff: dict[str, User], assert_accessible: Check, sign_in: Callable
) -> None:
    maria = PersonFactory(given_name="Maria", family_name="Lopez", birth_date=dt.date(1988, 4, 2))
    PersonFactory(given_name="Marcus", family_name="Hill", birth_date=dt.date(1990, 1, 1))

    page.goto(f"{site}/accounts/login/")
    assert_accessible(page)
    sign_in(page, "keisha")
    expect(page.get_by_text("Signed in as")).to_contain_text("Keisha Brown")
    assert_accessible(page)

    # The header search box, with a misspelling a tired intake worker might make.
    header_search = page.get_by_role("banner").get_by_role("search")
    header_search.get_by_label("Search people by name").fill("Mariah Lopes 1988-04-02")
    header_search.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("People matching")
    results = page.get_by_role("table")
    expect(results.get_by_role("link", name="Maria Lopez")).to_be_visible()
    expect(results).not_to_contain_text("Marcus Hill")
    assert_accessible(page)

    results.get_by_role("link", name="Maria Lopez").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maria Lopez")
    expect(page.get_by_text(f"Record {maria.record_number}")).to_be_visible()
    assert_accessible(page)

    keisha = staff["case_manager"]
    assert AuditEntry.objects.filter(actor=keisha, action=AuditAction.SEARCH).exists()
    assert AuditEntry.objects.filter(
        actor=keisha, person_id=maria.pk, action=AuditAction.VIEW
    ).exists()


def test_intake_shows_the_likely_match_then_creates_a_new_record_when_told_to(
    page: Page, site: str, staff: dict[str, User], assert_accessible: Check, sign_in: Callable
) -> None:
    existing = PersonFactory(
        given_name="Jasmine", family_name="Carter", birth_date=dt.date(1994, 7, 19)
    )
    sign_in(page, "keisha")
    page.goto(f"{site}/people/intake/")
    assert_accessible(page)

    # Submitting nothing explains every problem and saves nothing.
    page.get_by_role("button", name="Check for matches and create").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was saved")
    expect(alert.get_by_role("link", name="Family (last) name")).to_be_visible()
    assert_accessible(page)
    assert Person.objects.count() == 1

    page.get_by_label("Given (first) name").fill("Jasmin")
    page.get_by_label("Family (last) name").fill("Carter")
    page.get_by_label("Date of birth", exact=True).fill("1994-07-19")
    page.get_by_label("Date of birth", exact=True).blur()
    # The live panel (htmx) names the existing record before anything is submitted.
    live = page.locator("#live-matches")
    expect(live.get_by_role("link", name="Jasmine Carter")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Check for matches and create").click()
    expect(page.get_by_text("1 existing record may be this person")).to_be_visible()
    assert Person.objects.count() == 1, "a likely duplicate must not be created unasked"
    assert_accessible(page)

    page.get_by_role("button", name="None of these — create a new record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jasmin Carter")
    expect(page.get_by_text("Created Jasmin Carter")).to_be_visible()
    assert_accessible(page)
    created = Person.objects.exclude(pk=existing.pk).get()
    assert created.birth_date == dt.date(1994, 7, 19)


def test_the_auditor_sees_who_created_and_viewed_a_record(
    new_context: Callable,
    site: str,
    staff: dict[str, User],
    assert_accessible: Check,
    sign_in: Callable,
) -> None:
    worker = new_context().new_page()
    sign_in(worker, "keisha")
    worker.goto(f"{site}/people/intake/")
    worker.get_by_label("Given (first) name").fill("Ramon")
    worker.get_by_label("Family (last) name").fill("Ibarra")
    worker.get_by_role("button", name="Check for matches and create").click()
    expect(worker.get_by_role("heading", level=1)).to_have_text("Ramon Ibarra")
    record_number = Person.objects.get(family_name="Ibarra").record_number

    auditor = new_context().new_page()
    sign_in(auditor, "ruth")
    auditor.get_by_role("link", name="Audit trail").first.click()
    expect(auditor.get_by_role("heading", level=1)).to_have_text("Audit trail")
    rows = auditor.get_by_role("row").filter(has_text=record_number)
    expect(rows.filter(has_text="keisha").filter(has_text="Created")).to_have_count(1)
    expect(rows.filter(has_text=f"Viewed {record_number}")).to_have_count(1)
    assert_accessible(auditor)

    # Filtering by user narrows the list to that user's entries.
    auditor.get_by_label("Username").fill("keisha")
    auditor.get_by_role("button", name="Filter").click()
    expect(auditor.get_by_role("row").filter(has_text="ruth")).to_have_count(0)
    assert_accessible(auditor)


def test_only_the_victim_advocate_sees_a_confidential_address(
    signed_in: Callable[..., Page], staff: dict[str, User], site: str, assert_accessible: Check
) -> None:
    victim = PersonFactory(given_name="Ana", family_name="Reyes")
    causer = PersonFactory(given_name="Dale", family_name="Crane")
    harm(causer, victim)
    AddressFactory(person=victim, line1="1400 Shelter Way", is_confidential=True)
    AddressFactory(person=victim, line1="55 Public Ave", is_confidential=False)
    assign(causer, user=staff["case_manager"])

    advocate = signed_in(staff["victim_advocate"])
    advocate.goto(f"{site}/people/{victim.pk}/")
    contact = advocate.get_by_role("region", name="Addresses and contact")
    expect(contact.get_by_text("1400 Shelter Way")).to_be_visible()
    expect(advocate.get_by_text("this person caused harm to Ana Reyes")).to_be_visible()
    assert_accessible(advocate)

    case_manager = signed_in(staff["case_manager"])
    case_manager.goto(f"{site}/people/{victim.pk}/")
    contact = case_manager.get_by_role("region", name="Addresses and contact")
    expect(contact.get_by_text("55 Public Ave")).to_be_visible()
    expect(case_manager.get_by_text("1 confidential locating detail withheld")).to_be_visible()
    assert "1400 Shelter Way" not in case_manager.content()
    assert_accessible(case_manager)


def test_sign_out_ends_the_session(
    page: Page, site: str, staff: dict[str, User], sign_in: Callable
) -> None:
    sign_in(page, "keisha")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto(f"{site}/people/")
    assert re.search(r"/accounts/login/\?next=", page.url)
