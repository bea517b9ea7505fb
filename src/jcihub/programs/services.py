"""Loading instrument definitions and recording assessments: each one transaction, audited."""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jcihub.audit.models import AuditAction
from jcihub.audit.services import record

from . import definitions, scoring
from .models import Assessment, Instrument, InstrumentVersion


def _digest(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class LoadResult:
    version: InstrumentVersion
    outcome: str  # "new instrument", "new version" or "unchanged"


def load_instrument(actor: Any, data: Any, source_name: str = "") -> LoadResult:
    """Check a definition and store it as a new version of its instrument.

    Loading the same definition again changes nothing. A version already loaded is never
    changed (assessments were scored with it): a changed definition needs a higher
    version number."""
    definition = definitions.check(data)
    digest = _digest(data)
    with transaction.atomic():
        instrument = Instrument.objects.select_for_update().filter(code=definition.code).first()
        if instrument is not None:
            unchanged = _existing(instrument, definition, digest)
            if unchanged is not None:
                return LoadResult(unchanged, "unchanged")
        outcome = "new version" if instrument else "new instrument"
        instrument, _ = Instrument.objects.update_or_create(
            code=definition.code, defaults={"name": definition.name, "subject": definition.subject}
        )
        version = InstrumentVersion.objects.create(
            instrument=instrument,
            version=definition.version,
            status=definition.status,
            definition=data,
            digest=digest,
            source_name=source_name[:300],
            loaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        record(
            actor,
            AuditAction.CREATE,
            version,
            summary=f"Instrument {definition.code} version {definition.version} loaded "
            f"({definition.status})",
            changes={"digest": digest, "source": source_name, "outcome": outcome},
        )
    return LoadResult(version, outcome)


def _existing(
    instrument: Instrument, definition: definitions.Definition, digest: str
) -> InstrumentVersion | None:
    """The stored version when this is the same definition again; raises when the file
    would change a stored version or go back to an older number."""
    stored = instrument.versions.filter(version=definition.version).first()
    if stored is not None:
        if stored.digest == digest:
            return stored
        raise definitions.DefinitionError(
            [
                f"definition.version: version {definition.version} of {definition.code} is "
                "already loaded with different content; assessments were scored with it, so "
                "give the changed definition a higher version number"
            ]
        )
    latest = instrument.versions.order_by("-version").first()
    if latest is not None and definition.version < latest.version:
        raise definitions.DefinitionError(
            [
                f"definition.version: {definition.code} is at version {latest.version}; "
                f"a new definition needs a higher number than that, not {definition.version}"
            ]
        )
    if definition.subject != instrument.subject:
        raise definitions.DefinitionError(
            [
                f"definition.subject: {definition.code} is an instrument for "
                f"{instrument.get_subject_display().lower()}s; a new version cannot change that"
            ]
        )
    return None


def current_version(instrument: Instrument) -> InstrumentVersion | None:
    return instrument.versions.order_by("-version").first()


def recordable_version(instrument: Instrument, on: dt.date | None = None) -> InstrumentVersion:
    """The version new assessments use, or why none can be recorded with this instrument."""
    on = on or timezone.localdate()
    if instrument.disabled_on is not None and instrument.disabled_on <= on:
        raise ValidationError(
            f"{instrument.name} is no longer in use (since {instrument.disabled_on})."
        )
    version = current_version(instrument)
    if version is None or not version.is_complete:
        raise ValidationError(
            f"{instrument.name} is loaded as a skeleton: its licensed wording, weights or "
            "cut-offs are not filled in. Load your jurisdiction's licensed definition "
            "(jcihub load-instrument FILE.json) before recording with it."
        )
    return version


@transaction.atomic
def record_assessment(
    actor: Any,
    person: Any,
    version: InstrumentVersion,
    answers: dict[str, str],
    administered_on: dt.date,
) -> Assessment:
    """Score the answers with this version and keep the result with it. Raises
    `scoring.AnswerError` for answers that do not fit, `ValidationError` otherwise."""
    if not version.is_complete:
        raise ValidationError("A skeleton definition cannot be recorded with.")
    if administered_on > timezone.localdate():
        raise ValidationError({"administered_on": "The date cannot be in the future."})
    definition = version.read()
    cleaned = scoring.check_answers(definition, answers)
    result = scoring.score(definition, cleaned)
    assessment = Assessment.objects.create(
        person=person,
        version=version,
        administered_on=administered_on,
        answers=cleaned,
        score=result.score,
        band=result.band,
        screened_in=result.screened_in,
        reasons=list(result.reasons),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(
        actor,
        AuditAction.CREATE,
        assessment,
        person_id=person.pk,
        summary=f"{definition.name} (v{version.version}) recorded: "
        + ("screened in" if result.screened_in else "not screened in"),
        changes={
            "instrument": definition.code,
            "version": version.version,
            "score": str(result.score) if result.score is not None else None,
            "band": result.band,
            "screened_in": result.screened_in,
        },
    )
    return assessment
