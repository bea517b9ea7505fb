"""axe-core on every page a user can reach, as the role that reaches it, at desktop and
phone widths: WCAG 2.1 AA is the legal bar for the city's web content.

A test elsewhere (`test_every_page_is_in_the_sweep`) walks the URL configuration so a new
page cannot be added without being checked here."""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from playwright.sync_api import Page, expect

from jcihub.accounts.models import User
from jcihub.core.tests.factories import (
    AddressFactory,
    ContactPointFactory,
    PersonFactory,
    TeamFactory,
    consent,
    harm,
    match_candidate,
    user_with_role,
)
from jcihub.funds import services as funds
from jcihub.funds.models import Authorisation, Fund
from jcihub.incidents import importer
from jcihub.incidents.models import Incident
from jcihub.ipvi import victim_services
from jcihub.ipvi.defaults import write_ladder
from jcihub.ipvi.models import Candidate, Tier
from jcihub.ipvi.services import rebuild_queue
from jcihub.people.models import Identifier, Person, SafetyFlag
from jcihub.people.views import DETAIL_KINDS
from jcihub.places import changes
from jcihub.places.models import RawAddress
from jcihub.places.services import record_parcel
from jcihub.programs.services import record_assessment
from jcihub.programs.tests.factories import completed_lap, load
from jcihub.referrals.tests.factories import ServiceFactory, sample_referral, sample_service
from jcihub.taskforce import selectors as taskforce_selectors
from jcihub.taskforce import services as taskforce
from jcihub.taskforce.defaults import write_defaults
from jcihub.taskforce.models import FlagRule, Meeting, OffenseCode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Visit:
    """A page, who opens it and how: `path` may name people of the scene by key."""

    name: str
    role: str
    path: str
    action: Callable[[Page], None] | None = None


def _submit_empty(page: Page) -> None:
    page.locator("main form.usa-form button[type=submit]").first.click()
    expect(page.locator(".usa-alert--error").first).to_be_visible()


@pytest.fixture
def scene(site: str, tmp_path: Path) -> dict[str, Person | int]:
    """A small world with every kind of detail on one person, so every part of the
    person page is drawn."""
    partner = TeamFactory(name="Hope House", kind="partner_org")
    victim = PersonFactory(given_name="Ana", family_name="Reyes", birth_date=dt.date(1991, 3, 9))
    causer = PersonFactory(given_name="Dale", family_name="Crane", birth_date=dt.date(1987, 1, 2))
    harm(causer, victim)
    AddressFactory(person=victim, is_confidential=True)
    AddressFactory(person=victim)
    ContactPointFactory(person=victim, is_confidential=True)
    Identifier.objects.create(person=victim, system="kcpd", value="700123")
    SafetyFlag.objects.create(person=victim, kind="officer_safety", note="Dog on premises")
    consent(victim, partner, ["general"])
    restricted = PersonFactory(given_name="Lee", family_name="Hidden", is_restricted=True)
    for n in range(30):  # enough people for the list to paginate
        PersonFactory(family_name=f"Adams{n:02d}")
    feed = tmp_path / "kcpd.csv"
    feed.write_text(
        "Report_No,Reported_Date,Offense,Address,City,Zip Code,Race,Sex,Age\r\n"
        "KC20000001,01/01/2020,Assault,3400  NORTON AV,KANSAS CITY,64130,B,F,30\r\n"
        "KC20000002,01/01/2020,Assault,3400  NORTON AV,KANSAS CITY,64130,B,F,x\r\n"
    )
    run = importer.import_file(feed)
    # The place page shows the incident at it (the importer mapped its address).
    raw_address = RawAddress.objects.get(incidents__report_number="KC20000001")
    # Three violent incidents there: the place is on the taskforce's list (the flush after
    # each test removed the categories and rules the migration wrote).
    write_defaults(OffenseCode, FlagRule)
    for n in range(3):
        Incident.objects.create(
            source_key=f"TF{n}",
            report_number=f"TF{n}",
            raw_address=raw_address,
            reported_date=dt.date(2020, 1, 2 + n),
        ).offenses.create(ibrs="13A", description="Aggravated assault")
    changes.notify({raw_address.property_id})  # as an import does: the counts follow
    service = sample_service()
    for n in range(30):  # enough services for the directory to paginate
        ServiceFactory(name=f"Food pantry {n:02d}", organization=service.organization)
    return {
        "victim": victim,
        "causer": causer,
        "restricted": restricted,
        "partner": partner.pk,
        "match": match_candidate(victim, PersonFactory(given_name="Anna", family_name="Reyes")).pk,
        "run": run.pk,
        "incident": Incident.objects.order_by("id").values_list("pk", flat=True)[0],
        "raw": raw_address.pk,
        "place": raw_address.property_id,
        "service": service.pk,
        "organization": service.organization_id,
        "referral": _referral_with_follow_up(victim, service, partner),
        "ended_referral": _referral_to_ended_service(victim, service, partner),
        "offense_code": OffenseCode.objects.get(code="13A").pk,
        "flag_rule": FlagRule.objects.get(name="Repeated violence").pk,
        "case": _taskforce_case(raw_address.property),
        "meeting": Meeting.objects.get().pk,
        "ipvi": _ipvi_candidate(causer, victim),
        "authorisation": _spending(),
        "tier": Tier.objects.get(code="C").pk,
        **_victim_outreach(victim),
        "reentry": _reentry_case(victim),
        "victim_services_case": _victim_case_with_referral(victim),
        "change": _entry_change(service, partner),
        **_ipvi_notifications(causer),
    }


def _visits() -> list[Visit]:
    visits = [
        Visit("sign-in", "", "/accounts/login/"),
        Visit("sign-in error", "", "/accounts/login/", _submit_empty),
        Visit("not found", "case_manager", "/no-such-page/"),
        Visit("home", "case_manager", "/"),
        Visit("home, auditor", "auditor", "/"),
        Visit("my account", "case_manager", "/accounts/me/"),
        Visit("MFA setup", "case_manager", "/accounts/mfa/setup/"),
        Visit("MFA code", "case_manager", "/accounts/mfa/verify/"),
        Visit("people list", "case_manager", "/people/"),
        Visit("people list page 2", "program_manager", "/people/?page=2"),
        Visit("search", "case_manager", "/people/?q=Ana+Reyes+1991-03-09"),
        Visit("search, nothing found", "case_manager", "/people/?q=Zzyzx"),
        Visit("intake", "case_manager", "/people/intake/"),
        Visit("intake errors", "case_manager", "/people/intake/", _submit_empty),
        Visit("person, advocate", "victim_advocate", "/people/{victim}/"),
        Visit("person, case manager", "case_manager", "/people/{victim}/"),
        Visit("person, print", "case_manager", "/people/{victim}/?print=1"),
        Visit("person, partner", "partner_user", "/people/{victim}/"),
        Visit("person edit", "case_manager", "/people/{victim}/edit/"),
        Visit("person edit errors", "case_manager", "/people/{victim}/edit/", _clear_and_save),
        Visit("restricted: break glass", "case_manager", "/people/{restricted}/"),
        Visit("seal", "director", "/people/{causer}/seal/"),
        Visit("audit trail", "auditor", "/audit/"),
        Visit("incidents", "case_manager", "/incidents/"),
        Visit(
            "incident search errors",
            "analyst",
            "/incidents/?zip_code=x&since=2020-02-01&until=2020-01-01",
        ),
        Visit("incident", "case_manager", "/incidents/{incident}/"),
        Visit("incidents at a place", "analyst", "/incidents/?property={place}"),
        Visit("incidents at an unknown place", "analyst", "/incidents/?property=999999"),
        Visit("possible duplicates", "director", "/people/duplicates/"),
        Visit("a possible duplicate", "director", "/people/duplicates/{match}/"),
        Visit(
            "a possible duplicate, no decision",
            "director",
            "/people/duplicates/{match}/",
            _submit_empty,
        ),
        Visit("places", "taskforce_coordinator", "/places/"),
        Visit("place", "taskforce_coordinator", "/places/{place}/"),
        Visit("raw addresses", "system_admin", "/places/addresses/"),
        Visit("correct an address", "system_admin", "/places/addresses/{raw}/correct/"),
        Visit("imports", "program_manager", "/incidents/imports/"),
        Visit("import run", "program_manager", "/incidents/imports/{run}/"),
        Visit("import run, administrator", "system_admin", "/incidents/imports/{run}/"),
        Visit("users", "system_admin", "/accounts/users/"),
        Visit("new user", "system_admin", "/accounts/users/new/"),
        Visit("new user errors", "system_admin", "/accounts/users/new/", _submit_empty),
        Visit("edit user", "system_admin", "/accounts/users/{admin}/"),
        Visit("forbidden", "analyst", "/audit/"),
        Visit("directory", "reentry_navigator", "/directory/"),
        Visit("directory page 2", "partner_user", "/directory/?page=2"),
        Visit("directory search", "case_manager", "/directory/?zip_code=64108&language=es"),
        Visit("directory search errors", "case_manager", "/directory/?zip_code=x&age=-1"),
        Visit("directory organisation", "partner_user", "/directory/organizations/{organization}/"),
        Visit("directory service", "victim_advocate", "/directory/services/{service}/"),
        Visit("referrals", "case_manager", "/referrals/"),
        Visit("referrals, partner", "partner_user", "/referrals/"),
        Visit("referrals filter errors", "case_manager", "/referrals/?status=x"),
        Visit("new referral", "case_manager", "/referrals/new/"),
        Visit("new referral errors", "case_manager", "/referrals/new/", _submit_empty),
        Visit(
            "new referral, shared",
            "case_manager",
            "/referrals/new/?person={victim}&service={service}",
        ),
        Visit("referral", "case_manager", "/referrals/{referral}/"),
        Visit("referral, partner", "partner_user", "/referrals/{referral}/"),
        Visit("referral, service ended", "case_manager", "/referrals/{ended_referral}/"),
        Visit(
            "referral update errors", "partner_user", "/referrals/{referral}/update/", _submit_empty
        ),
        Visit("referral report", "analyst", "/referrals/report/"),
        Visit("problem properties", "taskforce_coordinator", "/taskforce/"),
        Visit("problem properties errors", "analyst", "/taskforce/?zip_code=x&beat=y"),
        Visit("offense categories", "taskforce_coordinator", "/taskforce/categories/"),
        Visit(
            "offense categories errors",
            "taskforce_coordinator",
            "/taskforce/categories/",
            _submit_empty,
        ),
        Visit("offense code", "system_admin", "/taskforce/categories/{offense_code}/"),
        Visit("flag rules", "taskforce_coordinator", "/taskforce/rules/"),
        Visit("flag rules errors", "taskforce_coordinator", "/taskforce/rules/", _submit_empty),
        Visit("flag rule", "taskforce_coordinator", "/taskforce/rules/{flag_rule}/"),
        Visit("taskforce cases", "taskforce_coordinator", "/taskforce/cases/"),
        Visit("open a taskforce case", "program_manager", "/taskforce/cases/new/?property={place}"),
        Visit("open a taskforce case errors", "director", "/taskforce/cases/new/", _submit_empty),
        Visit("taskforce case", "taskforce_coordinator", "/taskforce/cases/{case}/"),
        Visit(
            "taskforce case, closing refused",
            "taskforce_coordinator",
            "/taskforce/cases/{case}/",
            _close_case_empty,
        ),
        Visit("my action items", "agency_liaison", "/taskforce/mine/"),
        Visit("taskforce cases, liaison", "agency_liaison", "/taskforce/cases/"),
        Visit("taskforce agencies", "taskforce_coordinator", "/taskforce/agencies/"),
        Visit("taskforce meetings", "taskforce_coordinator", "/taskforce/meetings/"),
        Visit("taskforce meeting", "taskforce_coordinator", "/taskforce/meetings/{meeting}/"),
        Visit(
            "taskforce meeting errors",
            "taskforce_coordinator",
            "/taskforce/meetings/{meeting}/",
            _submit_empty,
        ),
        Visit("taskforce report", "analyst", "/taskforce/report/?month=2020-01"),
        Visit("taskforce report errors", "analyst", "/taskforce/report/?month=2020-13"),
        Visit("map of flagged properties", "analyst", "/taskforce/map/?end=2020-01-31"),
        Visit("parcel", "system_admin", "/places/{place}/parcel/"),
        Visit("parcel import", "taskforce_coordinator", "/places/parcels/import/"),
        Visit(
            "parcel import errors",
            "taskforce_coordinator",
            "/places/parcels/import/",
            _submit_empty,
        ),
        Visit("IPVI candidates", "ipvi_coordinator", "/ipvi/"),
        Visit("IPVI candidate", "ipvi_coordinator", "/ipvi/candidates/{ipvi}/"),
        Visit("IPVI candidate errors", "ipvi_coordinator", "/ipvi/candidates/{ipvi}/", _override),
        Visit("IPVI candidate, director", "director", "/ipvi/candidates/{ipvi}/"),
        Visit("IPVI tier ladder", "ipvi_coordinator", "/ipvi/tiers/"),
        Visit("IPVI new tier", "director", "/ipvi/tiers/new/"),
        Visit("IPVI new tier errors", "ipvi_coordinator", "/ipvi/tiers/new/", _submit_empty),
        Visit("IPVI tier", "ipvi_coordinator", "/ipvi/tiers/{tier}/"),
        Visit("IPVI outcomes", "director", "/insights/ipvi/"),
        Visit("IPVI outcomes, analyst", "analyst", "/insights/ipvi/"),
        Visit("funds", "auditor", "/funds/"),
        Visit("spending ledger", "director", "/funds/{authorisation}/"),
        Visit("spending ledger errors", "director", "/funds/{authorisation}/", _submit_empty),
        Visit("instruments", "victim_advocate", "/programs/instruments/"),
        Visit("instrument", "analyst", "/programs/instruments/{code}/"),
        Visit(
            "assessments of a person", "victim_advocate", "/programs/people/{victim}/assessments/"
        ),
        Visit("assess", "victim_advocate", "/programs/people/{victim}/assess/{code}/"),
        Visit(
            "assess errors",
            "victim_advocate",
            "/programs/people/{victim}/assess/{code}/",
            _submit_empty,
        ),
        Visit("assessment", "victim_advocate", "/programs/assessments/{assessment}/"),
        Visit("victim outreach", "victim_advocate", "/ipvi/victims/"),
        Visit("victim outreach case", "victim_advocate", "/ipvi/victims/{victim_case}/"),
        Visit("victim outreach case, director", "director", "/ipvi/victims/{victim_case}/"),
        Visit(
            "victim outreach case errors",
            "victim_advocate",
            "/ipvi/victims/{victim_case}/",
            _empty_safety_note,
        ),
        Visit("victim screen", "victim_advocate", "/ipvi/victims/{victim_case}/screen/{code}/"),
        Visit("victim outreach, closed", "victim_advocate", "/ipvi/victims/?show=closed"),
        Visit(
            "victim outreach case, closed", "victim_advocate", "/ipvi/victims/{victim_case_closed}/"
        ),
        Visit(
            "victim outreach close errors",
            "victim_advocate",
            "/ipvi/victims/{victim_case}/",
            _close_case_empty,
        ),
        Visit("reentry cases", "reentry_navigator", "/reentry/"),
        Visit("reentry cases, director", "director", "/reentry/?kind=reentry&need=housing"),
        Visit("open a reentry case", "reentry_navigator", "/reentry/new/"),
        Visit("open a reentry case errors", "victim_advocate", "/reentry/new/", _submit_empty),
        Visit("reentry case", "director", "/reentry/{reentry}/"),
        Visit("reentry case errors", "director", "/reentry/{reentry}/", _submit_empty),
        Visit("reentry needs", "program_manager", "/reentry/{reentry}/needs/"),
        # The director sees the victim case, but its referral only as "shown to advocates".
        Visit("victim-services case, director", "director", "/reentry/{victim_services_case}/"),
        Visit("reentry report", "analyst", "/reentry/report/"),
        Visit(
            "propose an organisation change",
            "partner_user",
            "/directory/organizations/{organization}/propose/",
        ),
        Visit(
            "propose a service change errors",
            "partner_user",
            "/directory/services/{service}/propose/",
            _submit_empty,
        ),
        Visit(
            "organisation settings, nothing changed",
            "director",
            "/directory/organizations/{organization}/settings/",
            _submit_empty,
        ),
        Visit("directory changes", "program_manager", "/directory/changes/"),
        Visit("directory change", "system_admin", "/directory/changes/{change}/"),
        Visit("directory change, partner", "partner_user", "/directory/changes/{change}/"),
        *_ipvi_notification_visits(),
    ]
    for kind in DETAIL_KINDS:
        visits.append(Visit(f"add {kind}", "program_manager", f"/people/{{victim}}/add/{kind}/"))
        visits.append(
            Visit(
                f"add {kind} errors",
                "program_manager",
                f"/people/{{victim}}/add/{kind}/",
                _submit_empty,
            )
        )
    return visits


def _ipvi_candidate(causer: Person, victim: Person) -> int:
    """Dale caused harm to Ana in a DV incident with a firearm, after an earlier one."""
    write_ladder(Tier)  # the flush after each test removed the migration's ladder
    for number, day in (("DV1", 3), ("DV2", 20)):
        incident = Incident.objects.create(
            source_key=number,
            report_number=number,
            reported_date=dt.date(2020, 2, day),
            is_domestic_violence=True,
            firearm_used=number == "DV2",
        )
        incident.parties.create(party_key="S", involvement="SUS", person=causer, age=33)
        incident.parties.create(party_key="V", involvement="VIC", person=victim, age=29)
    # A baseline for the outcomes page: someone who caused harm in 2024 and again in 2025.
    other = PersonFactory(given_name="Cole", family_name="Baird", birth_date=dt.date(1980, 5, 5))
    for number, day in (("BASE1", dt.date(2024, 1, 10)), ("BASE2", dt.date(2025, 3, 1))):
        incident = Incident.objects.create(
            source_key=number, report_number=number, reported_date=day, is_domestic_violence=True
        )
        incident.parties.create(party_key="S", involvement="SUS", person=other, age=44)
    rebuild_queue()
    return Candidate.objects.get(incident__report_number="DV2").pk


def _spending() -> int:
    """The IPVI authorisation (written by a migration, again after a flush) with one
    expenditure and one voided."""
    fund, _ = Fund.objects.get_or_create(account="2000-501905")
    authorisation, _ = Authorisation.objects.get_or_create(
        fund=fund, ordinance="Ordinance 260299", defaults={"programme": "ipvi", "amount": 75_000}
    )
    for payee in ("Print shop", "Caterer"):
        spent = funds.record_expenditure(
            None,
            authorisation,
            spent_on=dt.date(2026, 8, 1),
            amount=Decimal("120.50"),
            payee=payee,
            category="materials",
            description="Letters",
            reference="PO-1",
        )
    funds.void_expenditure(None, spent, "Entered twice")
    return authorisation.pk


def _victim_outreach(victim: Person) -> dict[str, int | str]:
    """Ana's outreach case for the DV2 incident, with a LAP screen (placeholder wording)."""
    version = load(completed_lap())
    answers = {"q1": "yes", "officer_belief": "no"}
    assessment = record_assessment(None, victim, version, answers, dt.date(2020, 2, 21))
    incident = Incident.objects.get(report_number="DV2")
    case = victim_services.open_case(None, incident, victim)
    victim_services.attach_screen(None, case, assessment)
    # Her case for DV1: closed, reopened, and closed again (its history has three rows).
    earlier = victim_services.open_case(None, Incident.objects.get(report_number="DV1"), victim)
    victim_services.close_case(None, earlier, "safety_goals_met")
    victim_services.reopen_case(None, earlier, "A new incident was reported")
    victim_services.close_case(None, earlier, "moved_away")
    return {
        "code": "lap-lethality-screen",
        "assessment": assessment.pk,
        "victim_case": case.pk,
        "victim_case_closed": earlier.pk,
    }


def _empty_safety_note(page: Page) -> None:
    page.get_by_role("button", name="Save the note").click()
    expect(page.locator(".usa-alert--error").first).to_be_visible()


def _reentry_case(person: Person) -> int:
    """A reentry case with a goal, a task, a milestone, a contact and a plan referral (the
    person consents to the partner that the sample referral's organisation became)."""
    from jcihub.reentry.models import Contact
    from jcihub.reentry.services import (
        add_goal,
        add_task,
        record_contact,
        record_milestone,
        refer_from_plan,
    )
    from jcihub.reentry.tests.factories import open_reentry_case
    from jcihub.referrals.models import Service

    case = open_reentry_case(person=person)
    goal = add_goal(case.navigator, case, "Stable housing", case.needs.get(area="housing"))
    add_task(case.navigator, goal, "Apply for housing", case.navigator, dt.date(2020, 1, 1))
    record_milestone(case.navigator, case, "id_obtained", dt.date.today())
    record_contact(
        case.navigator,
        case,
        occurred_at=case.opened_at,
        method=Contact.Method.PHONE,
        outcome=Contact.Outcome.MET,
        note="Talked about housing",
    )
    service = Service.objects.filter(organization__team__isnull=False).first()
    refer_from_plan(case.navigator, case, service, goal=goal)  # type: ignore[arg-type]
    return case.pk


def _victim_case_with_referral(person: Person) -> int:
    """A victim-services case with a plan referral (a victim-services referral)."""
    from jcihub.reentry.services import refer_from_plan
    from jcihub.reentry.tests.factories import open_victim_case
    from jcihub.referrals.models import Service

    case = open_victim_case(person=person)
    service = Service.objects.filter(organization__team__isnull=False).first()
    refer_from_plan(case.navigator, case, service)  # type: ignore[arg-type]
    return case.pk


def _entry_change(service: object, team: object) -> int:
    from jcihub.referrals.entry_changes import propose_change

    partner = user_with_role("partner_user")
    partner.teams.add(team)  # type: ignore[arg-type]
    service.refresh_from_db()  # type: ignore[attr-defined]
    return propose_change(partner, service, {"wait_time": "Two weeks"}).pk  # type: ignore[arg-type]


def _ipvi_notifications(causer: Person) -> dict[str, int]:
    """Dale's tier C is decided (a letter made, a custom notification delivered, a call-in
    invitation); a later incident is a re-offence after the notification."""
    from django.utils import timezone

    from jcihub.ipvi import notification_services as notify
    from jcihub.ipvi.letters import write_default_letters
    from jcihub.ipvi.models import CallIn, LetterTemplate, LetterTemplateVersion
    from jcihub.ipvi.services import decide

    write_default_letters(Tier, LetterTemplate, LetterTemplateVersion)
    tier_c = Tier.objects.get(code="C")
    LetterTemplate.objects.create(tier=tier_c, language="en")
    candidate = decide(None, Candidate.objects.get(incident__report_number="DV2"), tier_c, "test")
    notify.write_template_version(None, LetterTemplate.objects.get(tier=tier_c), "Notice", "{name}")
    letter = notify.generate_letter(None, candidate, "en")
    visit = notify.schedule_notification(None, candidate, dt.datetime(2020, 3, 1, tzinfo=dt.UTC))
    notify.add_team_member(None, visit, "police_officer", "Ofc. Ruiz", "KCPD")
    notify.add_team_member(None, visit, "community_member", "Rev. Hall")
    notify.update_conversation(None, visit, said="We are watching.", offered="Work")
    notify.record_attempt(None, visit, dt.datetime(2020, 3, 1, 18, tzinfo=dt.UTC), "delivered")
    notify.offer_service(None, candidate, "batterer_intervention", where=visit)
    call_in = notify.create_call_in(None, "Spring call-in", timezone.now(), "City Hall")
    notify.add_speaker(None, call_in, "prosecutor", "ADA Cole")
    notify.invite(None, call_in, candidate)
    later = Incident.objects.create(
        source_key="DV3",
        report_number="DV3",
        reported_date=dt.date(2020, 5, 1),
        is_domestic_violence=True,
    )
    later.parties.create(party_key="S", involvement="SUS", person=causer, age=33)
    rebuild_queue()
    reoffence = Candidate.objects.get(incident=later)
    return {
        "ipvi": reoffence.pk,
        "prosecutor": _charging_decisions(causer, reoffence),
        "ipvi_decided": candidate.pk,
        "ipvi_template": LetterTemplate.objects.get(tier__code="D", language="es").pk,
        "ipvi_letter": letter.pk,
        "ipvi_notification": visit.pk,
        "ipvi_call_in": CallIn.objects.get().pk,
    }


def _charging_decisions(causer: Person, reoffence: Candidate) -> int:
    """The prosecutor's office (its liaisons open the re-offence: Dale is assigned to it)
    charged the re-offence, then corrected the charges: two versions."""
    from jcihub.core.tests.factories import assign
    from jcihub.ipvi.charging_services import record_charging_decision

    office = TeamFactory(name="Jackson County Prosecutor", kind="agency", agency_type="prosecutor")
    assign(causer, team=office)
    for charges, why in (("Domestic assault 3rd", ""), ("Domestic assault 2nd", "Upgraded")):
        record_charging_decision(
            None,
            reoffence,
            outcome="charged",
            decided_on=dt.date(2020, 5, 20),
            charges_filed=charges,
            correction_reason=why,
        )
    return int(office.pk)


def _ipvi_notification_visits() -> list[Visit]:
    coordinator = "ipvi_coordinator"
    return [
        Visit("IPVI candidate, notifications", coordinator, "/ipvi/candidates/{ipvi_decided}/"),
        Visit("IPVI letter templates", coordinator, "/ipvi/letter-templates/"),
        Visit("IPVI letter template", coordinator, "/ipvi/letter-templates/{ipvi_template}/"),
        Visit(
            "IPVI letter template, director", "director", "/ipvi/letter-templates/{ipvi_template}/"
        ),
        Visit("IPVI new letter template", coordinator, "/ipvi/letter-templates/new/"),
        Visit(
            "IPVI new letter template errors",
            coordinator,
            "/ipvi/letter-templates/new/",
            _submit_empty,
        ),
        Visit("IPVI letter", coordinator, "/ipvi/letters/{ipvi_letter}/"),
        Visit("IPVI letter errors", coordinator, "/ipvi/letters/{ipvi_letter}/", _submit_empty),
        Visit(
            "IPVI schedule notification",
            coordinator,
            "/ipvi/candidates/{ipvi_decided}/notification/",
        ),
        Visit(
            "IPVI schedule notification errors",
            coordinator,
            "/ipvi/candidates/{ipvi_decided}/notification/",
            _submit_empty,
        ),
        Visit("IPVI custom notification", coordinator, "/ipvi/notifications/{ipvi_notification}/"),
        Visit(
            "IPVI custom notification, director",
            "director",
            "/ipvi/notifications/{ipvi_notification}/",
        ),
        Visit("IPVI call-ins", coordinator, "/ipvi/call-ins/"),
        Visit("IPVI new call-in", coordinator, "/ipvi/call-ins/new/"),
        Visit("IPVI new call-in errors", coordinator, "/ipvi/call-ins/new/", _submit_empty),
        Visit("IPVI call-in", coordinator, "/ipvi/call-ins/{ipvi_call_in}/"),
        Visit("IPVI service offer", coordinator, "/ipvi/candidates/{ipvi_decided}/services/"),
        Visit("IPVI re-offences", coordinator, "/ipvi/reoffences/"),
        Visit("IPVI re-offences, liaison", "agency_liaison", "/ipvi/reoffences/"),
        Visit("IPVI re-offence", coordinator, "/ipvi/reoffences/{ipvi}/"),
        Visit("IPVI re-offence, prosecutor liaison", "agency_liaison", "/ipvi/reoffences/{ipvi}/"),
        Visit(
            "IPVI charging decision errors",
            "agency_liaison",
            "/ipvi/reoffences/{ipvi}/",
            _submit_empty,
        ),
    ]


def _override(page: Page) -> None:
    """Choose another tier than the one proposed, without a reason."""
    page.locator("#id_tier").select_option(label="A: Prosecution with every lever")
    page.get_by_role("button", name="Record the tier").click()


def _taskforce_case(place: object) -> int:
    """An open case with one overdue and one open action item, a note with an attachment,
    a meeting that decided something on it, and the property's owner and parcel."""
    owner = user_with_role("taskforce_coordinator", username="tf-owner")
    case = taskforce.open_case(
        owner, place, "police", "Repeated violence on the block", members=["health"]
    )
    taskforce.add_action_item(
        owner, case, "Abatement letter", "neighborhood_services", dt.date(2020, 1, 10), owner
    )
    taskforce.add_action_item(
        owner, case, "Lighting survey", "community", dt.date(2099, 1, 1), owner
    )
    report = SimpleUploadedFile("inspection.pdf", b"%PDF-1.4\n%%EOF\n")
    taskforce.add_note(owner, case, "Inspection done; report attached.", report)
    meeting = taskforce.schedule_meeting(
        owner, dt.date(2020, 2, 1), "", taskforce_selectors.meeting_agenda(dt.date(2020, 2, 1))
    )
    taskforce.record_attendance(owner, meeting, "Sgt. Ríos", "police")
    taskforce.record_decision(owner, meeting, case, "Send the abatement letter again.")
    record_parcel(owner, place, {"parcel_number": "JA29620", "owner_name": "Acme Holdings"})
    return case.pk


def _close_case_empty(page: Page) -> None:
    page.get_by_role("button", name="Close the case").click()
    expect(page.locator(".usa-alert--error").first).to_be_visible()


def _clear_and_save(page: Page) -> None:
    page.get_by_label("Family (last) name").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".usa-alert--error").first).to_be_visible()


VISITS = _visits()


@pytest.mark.parametrize("visit", VISITS, ids=[v.name for v in VISITS])
def test_the_page_has_no_accessibility_violations(
    visit: Visit,
    scene: dict[str, Person | int],
    site: str,
    signed_in: Callable[..., Page],
    new_context: Callable,
    assert_accessible: Callable[[Page], None],
) -> None:
    admin = user_with_role("system_admin", username="admin2")
    if visit.role == "partner_user":
        user: User | None = user_with_role("partner_user")
        user.teams.add(scene["partner"])  # type: ignore[union-attr]
    elif visit.role == "agency_liaison":  # of the prosecutor's office Dale is assigned to
        user = user_with_role("agency_liaison")
        user.teams.add(scene["prosecutor"])  # type: ignore[union-attr]
    elif visit.role:
        user = user_with_role(visit.role)
    else:
        user = None
    ids = {key: getattr(value, "pk", value) for key, value in scene.items()} | {"admin": admin.pk}
    path = visit.path.format(**ids)

    for viewport in (None, PHONE):
        kwargs = {"viewport": viewport} if viewport else {}
        page = signed_in(user, **kwargs) if user else new_context(**kwargs).new_page()
        response = page.goto(f"{site}{path}")
        assert response is not None and response.status < 500, f"{path}: {response}"
        if visit.action:
            visit.action(page)
        assert_accessible(page)


def _named_paths(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            found += _named_paths(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append(prefix + str(pattern.pattern))
    return found


# Pages that are not HTML for people: data, files, or a redirect after a POST.
NOT_PAGES = (
    "api/",
    "healthz",
    "export.csv",
    "logout",
    "intake/matches",
    "break-glass",
    "revoke",
    "clear",
    "api-token",
    "rejected.csv",
    "ipvi/rebuild",
    "report.pdf",
    "cohorts.csv",
    "spending.csv",
    "/void/",
    "ipvi/victims/open",
    "<slug:action>",  # the outreach forms' POST targets; their page is the case's
    "/file",  # a taskforce case attachment
    "minutes.pdf",
    "report.csv",
    "<int:pk>/letter/",
    "letter.pdf",
    "/answer/",
    "/share/",
    "/charging/",
)


def test_every_page_is_in_the_sweep() -> None:
    """A new page must be added to VISITS (or, if it is not a page, to NOT_PAGES)."""
    visited = {v.path.split("?")[0] for v in VISITS}
    normalised = {
        re.sub(r"\{\w+\}", "<int:pk>", p.replace("{code}", "<slug:code>")) for p in visited
    }
    add_kinds = any("/add/" in p for p in visited)
    missing = []
    for route in _named_paths():
        if any(marker in route for marker in NOT_PAGES):
            continue
        path = "/" + route.replace("<uuid:pk>", "<int:pk>")  # directory records have UUIDs
        if "<slug:kind>" in path and add_kinds:
            continue
        if path not in normalised:
            missing.append(path)
    assert not missing, f"pages with no accessibility check: {missing}"


def _referral_to_ended_service(victim: object, service: Any, partner: object) -> int:
    """A sent referral to another service of the sample organisation, since made inactive
    (its page warns that the service is no longer offered)."""
    from jcihub.referrals.models import Service

    other = ServiceFactory(name="Winter shelter beds", organization=service.organization)
    referral = sample_referral(victim, other, partner)
    Service.objects.filter(pk=other.pk).update(status=Service.Status.INACTIVE)
    return referral.pk


def _referral_with_follow_up(victim: object, service: object, partner: object) -> int:
    """The sample referral, with a follow-up due today (its page shows it as due)."""
    from django.utils import timezone

    from jcihub.referrals.services import add_note

    referral = sample_referral(victim, service, partner)
    add_note(
        referral.created_by, referral, "Call about the start date.", due_on=timezone.localdate()
    )
    return referral.pk
