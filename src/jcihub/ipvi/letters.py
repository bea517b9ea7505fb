"""Letter text: the placeholders a template may use, the default templates, rendering,
the check that no victim-locating text slipped in, and the PDF.

A template may name only the person notified, the date, the tier and the programme's
coordinator: there is no placeholder for any other person or any address, so a template
cannot pull a victim's details in. A coordinator could still type an address into the
text by hand, so every rendered letter is also compared with the addresses and contact
points of the people the person harmed, and of the incident, and refused if one appears.
The letter prints no address at all, not even the person's own: a person who lives with
the victim would carry the victim's address on it.
"""

import datetime as dt
import re
import string
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from jcihub.core.pdf import Document

PLACEHOLDERS = {
    "name": "the person's full name",
    "date": "today's date",
    "tier": "the tier's code (for example D)",
    "tier_name": "the tier's name (for example Warning letter)",
    "incident_date": "the date of the incident",
    "coordinator": "the name of the coordinator who makes the letter",
}
MONTHS_ES = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]

DEFAULT_LETTERS: dict[str, dict[str, str]] = {
    "en": {
        "subject": "A message from the Kansas City IPVI partnership",
        "body": (
            "Dear {name},\n\n"
            "On {incident_date} the police responded to a domestic-violence incident in "
            "which you were named. The Kansas City Police Department, the Jackson County "
            "Prosecutor's Office, the Department of Justice and Community Intervention and "
            "community partners are writing to you together.\n\n"
            "We know who you are, and we are paying attention. Any further violence against "
            "a partner or former partner will bring swift and certain consequences: your "
            "case will be given priority by the police and the prosecutor.\n\n"
            "We also want you to succeed. Help is available now: a batterer-intervention "
            "programme, treatment for substance use, mental-health care and help finding "
            "work. To ask for it, call the IPVI programme at the Department of Justice and "
            "Community Intervention.\n\n"
            "The choice is yours.\n\n"
            "{coordinator}\nIPVI coordinator, on behalf of the partnership\n{date}"
        ),
    },
    "es": {
        "subject": "Un mensaje de la alianza IPVI de Kansas City",
        "body": (
            "Estimado/a {name}:\n\n"
            "El {incident_date} la policía respondió a un incidente de violencia doméstica "
            "en el que usted fue nombrado/a. El Departamento de Policía de Kansas City, la "
            "Fiscalía del Condado de Jackson, el Departamento de Justicia e Intervención "
            "Comunitaria y organizaciones de la comunidad le escriben juntos.\n\n"
            "Sabemos quién es usted y estamos atentos. Cualquier nueva violencia contra una "
            "pareja o expareja tendrá consecuencias rápidas y seguras: la policía y la "
            "fiscalía darán prioridad a su caso.\n\n"
            "También queremos que le vaya bien. Hay ayuda disponible ahora: un programa de "
            "intervención para agresores, tratamiento por uso de sustancias, atención de "
            "salud mental y ayuda para encontrar empleo. Para pedirla, llame al programa "
            "IPVI del Departamento de Justicia e Intervención Comunitaria.\n\n"
            "La decisión es suya.\n\n"
            "{coordinator}\nCoordinador/a de IPVI, en nombre de la alianza\n{date}"
        ),
    },
}
DEFAULT_TIER = "D"


def write_default_letters(tier_model: Any, template_model: Any, version_model: Any) -> None:
    """The default tier-D letter in English and Spanish, where there is none yet. The data
    migration passes its historical models; tests that flush the database the real ones."""
    from django.utils import timezone

    tier = tier_model.objects.filter(code=DEFAULT_TIER).first()
    if tier is None:
        return
    for language, text in DEFAULT_LETTERS.items():
        template, made = template_model.objects.get_or_create(tier=tier, language=language)
        if made or not version_model.objects.filter(template=template).exists():
            version_model.objects.create(
                template=template,
                number=1,
                subject=text["subject"],
                body=text["body"],
                change_note="the programme's default letter",
                created_at=timezone.now(),
            )


def check_template(body: str) -> None:
    """Refuse placeholders that do not exist, and any attribute, index or format."""
    try:
        parsed = list(string.Formatter().parse(body))
    except ValueError as error:
        raise ValidationError(
            {"body": f"The text has an unmatched brace ({error}); write {{{{ for a brace."}
        ) from None
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in PLACEHOLDERS or spec or conversion:
            known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
            raise ValidationError(
                {"body": f"{{{field}}} is not a placeholder letters may use. Use: {known}."}
            )


def long_date(day: dt.date | None, language: str) -> str:
    if day is None:
        return "—"
    if language == "es":
        return f"{day.day} de {MONTHS_ES[day.month - 1]} de {day.year}"
    return f"{day.day} {day:%B %Y}"


def render(text: str, values: dict[str, str]) -> str:
    check_template(text)
    return text.format_map(values)


def values_for(candidate: Any, language: str, coordinator: str, today: dt.date) -> dict[str, str]:
    tier = candidate.tier
    return {
        "name": candidate.person.full_name,
        "date": long_date(today, language),
        "tier": tier.code,
        "tier_name": tier.name,
        "incident_date": long_date(candidate.incident_date, language),
        "coordinator": coordinator,
    }


# --- The victim-locating guard --------------------------------------------------------------


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z@]+", " ", text.lower()).strip()


def locating_strings(candidate: Any) -> set[str]:
    """Text that would say where a victim is: the addresses and contact points of the
    incident's victims and of everyone the person is recorded as having harmed or as an
    intimate partner, and the incident's own address."""
    from jcihub.incidents.models import Involvement
    from jcihub.people.models import INTIMATE_PARTNER_KINDS, Address, ContactPoint

    person_id = candidate.person_id
    victims = set(
        candidate.incident.parties.filter(
            involvement=Involvement.VICTIM, person__isnull=False
        ).values_list("person_id", flat=True)
    )
    victims |= _harmed_or_partners(person_id, INTIMATE_PARTNER_KINDS)
    victims.discard(person_id)
    found = {
        text
        for line1, line2 in Address.objects.filter(person__in=victims).values_list("line1", "line2")
        for text in (line1, line2)
    }
    found |= set(ContactPoint.objects.filter(person__in=victims).values_list("value", flat=True))
    found.add(candidate.incident.address)
    raw = candidate.incident.raw_address
    if raw is not None:
        found.add(raw.raw_line)
    return {squashed for text in found if len(squashed := _squash(text or "")) >= 5}


def _harmed_or_partners(person_id: int, partner_kinds: Iterable[str]) -> set[int]:
    from jcihub.people.models import PersonRelationship

    rows = PersonRelationship.objects.filter(
        Q(person_id=person_id) & (Q(person_caused_harm=True) | Q(kind__in=partner_kinds))
        | Q(related_person_id=person_id)
        & (Q(related_person_caused_harm=True) | Q(kind__in=partner_kinds))
    ).values_list("person_id", "related_person_id")
    return {other for pair in rows for other in pair if other != person_id}


def contains_locating_text(candidate: Any, *texts: str) -> bool:
    """Whether any of the texts carries an address or contact detail of a victim of the
    candidate's person, or the incident's address (see `locating_strings`)."""
    written = f" {_squash(' '.join(texts))} "
    return any(f" {needle} " in written for needle in locating_strings(candidate))


def check_no_locating_text(candidate: Any, *texts: str) -> None:
    if contains_locating_text(candidate, *texts):
        raise ValidationError(
            "The letter's text contains an address or contact detail of a victim or of the "
            "incident. A letter to a person who caused harm must never say where a victim "
            "is: take it out of the template and make the letter again."
        )


# --- The PDF --------------------------------------------------------------------------------


FOOTERS = {
    "en": "IPVI focused deterrence - a letter for the person named only",
    "es": "IPVI disuasión focalizada - carta solo para la persona nombrada",
}


def letter_pdf(letter: Any) -> bytes:
    document = Document(letter.subject, footer_note=FOOTERS.get(letter.language, ""))
    for paragraph in letter.body.split("\n\n"):
        document.paragraph(paragraph.strip())
    number = f"L{letter.pk:06d}"
    document.paragraph(f"Letter {number}" if letter.language == "en" else f"Carta {number}", size=8)
    return document.bytes()
