"""A referral's closed loop in a real browser: a case manager refers someone from their
page, sees what will be shared and sends; the partner organisation's user finds it in
their portal, accepts it, and loses the person's details the moment consent is revoked."""

import datetime as dt
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from jcihub.accounts.models import User
from jcihub.core.tests.factories import PersonFactory, TeamFactory, consent, user_with_role
from jcihub.people.services import revoke_consent
from jcihub.referrals.models import Referral, ReferralStatus
from jcihub.referrals.tests.factories import sample_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Check = Callable[[Page], None]


def test_a_referral_goes_out_comes_back_accepted_and_consent_withdraws_it(
    site: str,
    staff: dict[str, User],
    signed_in: Callable[..., Page],
    assert_accessible: Check,
) -> None:
    person = PersonFactory(given_name="Devon", family_name="Price", birth_date=dt.date(1985, 2, 3))
    team = TeamFactory(name="Second Chance Works", kind="partner_org")
    agreed = consent(person, team, ["general"])
    service = sample_service()
    service.organization.team = team
    service.organization.save()

    page = signed_in(staff["case_manager"])
    page.goto(f"{site}/people/{person.pk}/")
    page.get_by_role("link", name="Refer", exact=True).click()
    page.get_by_label("Service").select_option(
        label=f"{service.organization.name} — {service.name}"
    )
    page.get_by_role("button", name="Continue").click()
    shared = page.get_by_role(
        "region", name=f"What will be shared with {service.organization.name}"
    )
    expect(shared).to_contain_text("Devon Price")
    assert_accessible(page)
    page.get_by_label("Why you are referring").fill("Ready for warehouse work.")
    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Referral R")
    referral = Referral.objects.get(person=person)
    assert referral.status == ReferralStatus.SENT

    partner = user_with_role("partner_user")
    partner.teams.add(team)
    portal = signed_in(partner)
    portal.goto(f"{site}/referrals/")
    expect(portal.get_by_role("heading", level=1)).to_have_text("Incoming referrals")
    portal.get_by_role("link", name=referral.number).click()
    expect(portal.get_by_text("Ready for warehouse work.")).to_be_visible()
    portal.locator("label.usa-radio__label", has_text="Accepted").click()  # USWDS hides the input
    portal.get_by_role("button", name="Save").click()
    expect(portal.get_by_text(f"Referral {referral.number} updated.")).to_be_visible()
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.ACCEPTED

    revoke_consent(staff["case_manager"], agreed, "withdrawn by phone")
    portal.reload()
    expect(portal.get_by_text("nothing about the person is shared")).to_be_visible()
    expect(portal.locator("main")).not_to_contain_text("Devon Price")
    assert_accessible(portal)
