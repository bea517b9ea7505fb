"""A reentry navigator opens a case before release, assesses the needs, plans a goal with
a task and records a milestone; the case page passes axe at each step."""

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from jcihub.core.tests.factories import PersonFactory, user_with_role
from jcihub.reentry.models import Case, NeedStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_navigator_opens_a_case_and_plans_it(
    site: str,
    signed_in: Callable[..., Page],
    assert_accessible: Callable[[Page], None],
) -> None:
    person = PersonFactory(given_name="Terrell", family_name="Hayes")
    navigator = user_with_role("reentry_navigator", first_name="Jo", last_name="Nash")
    page = signed_in(navigator)
    page.goto(f"{site}/reentry/new/")
    page.get_by_label("Person's record number").fill(person.record_number)
    too_late = timezone.localdate() + dt.timedelta(days=95)
    page.get_by_label("Planned release date").fill(too_late.isoformat())
    page.get_by_role("button", name="Open the case").click()
    expect(page.locator(".usa-alert--error")).to_contain_text("at most 90 days before release")
    assert_accessible(page)

    release = timezone.localdate() + dt.timedelta(days=45)
    page.get_by_label("Planned release date").fill(release.isoformat())
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Terrell Hayes")
    case = Case.objects.get(person=person)
    assert_accessible(page)

    page.get_by_role("link", name="Update the needs assessment").click()
    page.locator("#id_housing-status").select_option("needed")
    page.get_by_role("button", name="Save the assessment").click()
    expect(page.get_by_text("Needs assessment saved.")).to_be_visible()
    assert case.needs.get(area="housing").status == NeedStatus.NEEDED

    page.locator("#id_goal-description").fill("A place to live by release")
    page.locator("#id_goal-need").select_option(label="Housing")
    page.get_by_role("button", name="Add the goal").click()
    expect(page.get_by_role("heading", name="A place to live by release")).to_be_visible()
    page.locator("#id_task-description").fill("Call the housing authority")
    page.locator("#id_task-owner").select_option(str(navigator.pk))
    page.locator("#id_task-due_on").fill(release.isoformat())
    page.get_by_role("button", name="Add the task").click()
    expect(page.get_by_role("rowheader", name="Call the housing authority")).to_be_visible()
    # The visually hidden part of a button's name follows after a space ("Mark done : …").
    page.get_by_role("button", name=re.compile(r"Mark done\s*: Call the housing")).click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    assert case.goals.get().tasks.get().status == "done"
    assert_accessible(page)
