"""Letters: versioned templates in English and Spanish, the PDF, what a letter may never
contain, who may not get one, and the delivery record."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from jcihub.audit.models import AuditEntry
from jcihub.core.tests.factories import (
    AddressFactory,
    ContactPointFactory,
    PersonFactory,
    match_candidate,
    user_with_role,
)
from jcihub.ipvi import letters
from jcihub.ipvi import notification_services as notify
from jcihub.ipvi.models import Candidate, Letter, LetterTemplate, LetterTemplateVersion, Tier
from jcihub.ipvi.services import rebuild_queue

from .notify_helpers import decided, dv_incident, seed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _seeded() -> None:
    seed()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def template(language: str = "en", code: str = "D") -> LetterTemplate:
    return LetterTemplate.objects.get(tier__code=code, language=language)


def current(language: str = "en", code: str = "D") -> LetterTemplateVersion:
    version = template(language, code).current
    assert version is not None
    return version


# --- Templates ---------------------------------------------------------------------------


def test_the_warning_letter_ships_in_english_and_spanish() -> None:
    assert {t.language for t in LetterTemplate.objects.filter(tier__code="D")} == {"en", "es"}
    assert "Estimado/a {name}" in current("es").body


def test_an_edit_is_a_new_version_and_a_letter_keeps_the_one_it_used() -> None:
    candidate = decided()
    first = notify.generate_letter(None, candidate, "en")
    notify.write_template_version(None, template(), "New subject", "Hello {name}.", "shorter")
    second = notify.generate_letter(None, candidate, "en")
    assert (first.template_version.number, second.template_version.number) == (1, 2)
    first.refresh_from_db()
    assert first.subject == "A message from the Kansas City IPVI partnership"
    assert second.body == "Hello Dale Crane."
    assert template().versions.count() == 2


@pytest.mark.parametrize("text", ["Hi {victim_name}", "Hi {name.__class__}", "Hi {name!r}", "{"])
def test_a_template_may_use_only_the_listed_placeholders(text: str) -> None:
    with pytest.raises(ValidationError):
        notify.write_template_version(None, template(), "Subject", text)
    assert template().versions.count() == 1


# --- The letter ----------------------------------------------------------------------------


def test_the_letter_pdf_carries_the_text_with_spanish_accents() -> None:
    letter = notify.generate_letter(None, decided(), "es")
    text = pdf_text(letters.letter_pdf(letter))
    assert "Estimado/a Dale Crane:" in text
    assert "Fiscalía del Condado de Jackson" in text
    assert "1 de marzo de 2025" in text
    assert letter.template_version == current("es")


def test_offender_letter_never_contains_victim_address() -> None:
    victim = PersonFactory(given_name="Ana", family_name="Reyes")
    AddressFactory(person=victim, line1="4821 Wornall Rd", zip_code="64112", is_confidential=True)
    AddressFactory(person=victim, line1="77 Shelter Way", zip_code="64105")
    ContactPointFactory(person=victim, value="(816) 555-0199")
    letter = notify.generate_letter(None, decided(victim=victim), "en")
    text = pdf_text(letters.letter_pdf(letter))
    assert "Dale Crane" in text
    for secret in ("4821", "Wornall", "Shelter Way", "64112", "64105", "555-0199", "Reyes"):
        assert secret not in text


def test_a_victim_address_typed_into_a_template_stops_the_letter() -> None:
    victim = PersonFactory(given_name="Ana", family_name="Reyes")
    AddressFactory(person=victim, line1="4821 Wornall Rd", is_confidential=True)
    candidate = decided(victim=victim)
    notify.write_template_version(
        None, template(), "Notice", "{name}, stay away from 4821 WORNALL RD."
    )
    with pytest.raises(ValidationError, match="never say where a victim is"):
        notify.generate_letter(None, candidate, "en")
    assert not Letter.objects.exists()


def test_no_letter_before_the_tier_is_decided() -> None:
    causer = PersonFactory()
    dv_incident(causer, None, dt.date(2025, 1, 5))
    rebuild_queue()
    with pytest.raises(ValidationError, match="Confirm or override"):
        notify.generate_letter(None, Candidate.objects.get(person=causer), "en")


def test_no_letter_while_the_identity_is_in_the_review_queue() -> None:
    candidate = decided()
    match_candidate(candidate.person, PersonFactory(given_name="Dail", family_name="Crane"))
    with pytest.raises(ValidationError, match="review queue"):
        notify.generate_letter(None, candidate, "en")


def test_a_person_under_18_gets_the_youth_path_not_a_letter() -> None:
    candidate = decided()
    # The record later shows a birth date that makes them 16 on the incident date.
    candidate.person.birth_date = dt.date(2008, 6, 1)
    candidate.person.save()
    with pytest.raises(ValidationError, match="youth path"):
        notify.generate_letter(None, candidate, "en")


def test_a_tier_without_a_template_says_so() -> None:
    with pytest.raises(ValidationError, match="no letter for tier C"):
        notify.generate_letter(None, decided(tier="C"), "en")


# --- Delivery ------------------------------------------------------------------------------


def test_a_delivery_says_how_and_by_whom_and_is_audited() -> None:
    letter = notify.generate_letter(None, decided(), "en")
    moment = timezone.now() - dt.timedelta(hours=1)
    with pytest.raises(ValidationError):
        notify.record_letter_delivery(None, letter, is_delivered=True, occurred_at=moment)
    notify.record_letter_delivery(
        None,
        letter,
        is_delivered=True,
        occurred_at=moment,
        method="officer",
        delivered_by="Ofc. Ruiz",
    )
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DELIVERED and letter.delivered_at == moment
    assert AuditEntry.objects.filter(person_id=letter.person_id, summary__contains="delivered")
    with pytest.raises(ValidationError, match="delivered already"):
        notify.record_letter_delivery(
            None, letter, is_delivered=False, occurred_at=moment, reason="moved"
        )


def test_an_undelivered_letter_needs_the_reason() -> None:
    letter = notify.generate_letter(None, decided(), "en")
    moment = timezone.now()
    with pytest.raises(ValidationError):
        notify.record_letter_delivery(None, letter, is_delivered=False, occurred_at=moment)
    notify.record_letter_delivery(
        None, letter, is_delivered=False, occurred_at=moment, reason="No longer at the address"
    )
    letter.refresh_from_db()
    assert letter.status == Letter.Status.NOT_DELIVERED
    assert letter.deliveries.get().reason_not_delivered == "No longer at the address"


# --- Pages ---------------------------------------------------------------------------------


def test_the_coordinator_makes_downloads_and_delivers_a_letter(client_for) -> None:
    candidate = decided()
    client = client_for(user_with_role("ipvi_coordinator"))
    page = client.get(reverse("ipvi:candidate", args=[candidate.pk])).content.decode()
    assert "Make a letter (tier D)" in page
    response = client.post(reverse("ipvi:letter_new", args=[candidate.pk]), {"language": "es"})
    letter = Letter.objects.get()
    assert response["Location"] == reverse("ipvi:letter", args=[letter.pk])
    pdf = client.get(reverse("ipvi:letter_pdf", args=[letter.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert "Dale Crane" in pdf_text(pdf.content)
    assert AuditEntry.objects.filter(action="export", person_id=candidate.person_id).exists()
    url = reverse("ipvi:letter", args=[letter.pk])
    refused = client.post(url, {"is_delivered": "yes", "occurred_at": "2025-03-02T10:00"})
    assert "Say how the letter was delivered" in refused.content.decode()
    done = client.post(
        url,
        {
            "is_delivered": "yes",
            "occurred_at": "2025-03-02T10:00",
            "method": "mail",
            "delivered_by": "IPVI office",
        },
    )
    assert done.status_code == 302
    assert Letter.objects.get().status == Letter.Status.DELIVERED


def test_the_page_explains_why_a_youth_gets_no_letter(client_for) -> None:
    causer = PersonFactory(given_name="Kid", family_name="Young", birth_date=dt.date(2009, 1, 1))
    dv_incident(causer, None, dt.date(2025, 1, 5), age=16)
    rebuild_queue()
    candidate = Candidate.objects.get(person=causer)
    client = client_for(user_with_role("ipvi_coordinator"))
    page = client.get(reverse("ipvi:candidate", args=[candidate.pk])).content.decode()
    assert "Adult deterrence does not apply" in page and "Make a letter" not in page
    client.post(reverse("ipvi:letter_new", args=[candidate.pk]), {"language": "en"})
    assert not Letter.objects.exists()


def test_the_coordinator_edits_a_template_the_director_only_reads(client_for) -> None:
    url = reverse("ipvi:letter_template", args=[template().pk])
    director = client_for(user_with_role("director"))
    assert "Save as a new version" not in director.get(url).content.decode()
    assert director.post(url, {"subject": "x", "body": "y"}).status_code == 403
    coordinator = client_for(user_with_role("ipvi_coordinator"))
    bad = coordinator.post(url, {"subject": "x", "body": "Hi {address}"})
    assert "is not a placeholder" in bad.content.decode()
    assert coordinator.post(url, {"subject": "x", "body": "Hi {name}"}).status_code == 302
    assert current().number == 2
    new = coordinator.post(
        reverse("ipvi:letter_template_new"),
        {"tier": Tier.objects.get(code="C").pk, "language": "en", "subject": "s", "body": "b"},
    )
    assert new.status_code == 302 and current(code="C").number == 1
