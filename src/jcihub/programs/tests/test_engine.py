"""Loading definitions (versions, idempotence, clear refusals) and recording assessments."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from jcihub.audit.models import AuditEntry
from jcihub.core.tests.factories import PersonFactory
from jcihub.programs.definitions import DefinitionError
from jcihub.programs.models import Assessment, Instrument, InstrumentVersion
from jcihub.programs.services import load_instrument, record_assessment, recordable_version

from .factories import completed_lap, load, scored_screen, shipped

pytestmark = pytest.mark.django_db


def test_loading_the_same_definition_twice_changes_nothing() -> None:
    first = load_instrument(None, scored_screen(), "a.json")
    entries = AuditEntry.objects.count()
    again = load_instrument(None, scored_screen(), "a.json")
    assert (first.outcome, again.outcome) == ("new instrument", "unchanged")
    assert again.version.pk == first.version.pk
    assert InstrumentVersion.objects.count() == 1
    assert AuditEntry.objects.count() == entries


def test_a_changed_definition_needs_a_higher_version() -> None:
    load(scored_screen())
    changed = scored_screen()
    changed["items"][0]["weight"] = 5
    with pytest.raises(DefinitionError, match="already loaded with different content"):
        load_instrument(None, changed)
    changed["version"] = 3
    assert load_instrument(None, changed).outcome == "new version"
    with pytest.raises(DefinitionError, match="at version 3; a new definition needs a higher"):
        load_instrument(None, {**scored_screen(), "version": 2})


def test_a_new_version_cannot_change_whom_the_instrument_is_about() -> None:
    load(scored_screen())
    other = {**scored_screen(2), "subject": "participant"}
    with pytest.raises(DefinitionError, match="cannot change that"):
        load_instrument(None, other)


def test_a_skeleton_loads_but_cannot_be_recorded_with() -> None:
    version = load(shipped("lap-lethality-screen"))
    with pytest.raises(ValidationError, match="loaded as a skeleton"):
        recordable_version(version.instrument)
    load(completed_lap(version=2))
    assert recordable_version(version.instrument).version == 2


def test_an_assessment_is_scored_and_kept_with_its_version() -> None:
    version = load(scored_screen())
    person = PersonFactory()
    answers = {"a": "yes", "b": "no", "c": "often"}
    assessment = record_assessment(None, person, version, answers, timezone.localdate())
    assert (assessment.score, assessment.band, assessment.screened_in) == (7, "High", True)
    assert assessment.reasons == ["In the high band"]
    newer = scored_screen(2)
    newer["bands"][2]["min"] = 8
    load(newer)
    assessment.refresh_from_db()
    assert assessment.version == version and assessment.band == "High"
    entry = AuditEntry.objects.filter(object_type="programs.assessment").get()
    assert entry.person_id == person.pk and entry.changes["screened_in"] is True


def test_future_dates_and_wrong_answers_are_refused_and_nothing_is_stored() -> None:
    version = load(scored_screen())
    person = PersonFactory()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        record_assessment(None, person, version, {"a": "yes", "b": "no", "c": "never"}, tomorrow)
    with pytest.raises(ValueError, match="c: answer this question"):
        record_assessment(None, person, version, {"a": "yes", "b": "no"}, timezone.localdate())
    assert not Assessment.objects.exists()


def test_the_command_loads_the_shipped_skeletons_and_is_idempotent() -> None:
    out = io.StringIO()
    call_command("load_instrument", "--shipped", stdout=out)
    assert set(Instrument.objects.values_list("code", flat=True)) == {
        "lap-lethality-screen",
        "danger-assessment",
        "odara",
    }
    assert out.getvalue().count("new instrument") == 3
    out = io.StringIO()
    call_command("load_instrument", "--shipped", stdout=out)
    assert out.getvalue().count("unchanged") == 3


def test_the_command_names_every_problem_of_a_bad_file(tmp_path: Path) -> None:
    bad = scored_screen()
    bad["items"][0]["type"] = "slider"
    bad["screen_in"]["rules"][0]["bands"] = ["Nope"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 of 2 definition"):
        call_command("load_instrument", str(path), str(broken), stderr=err)
    text = err.getvalue()
    assert "definition.items[0].type: 'slider' is not one of" in text
    assert "broken.json: not JSON (line 1" in text
    assert not Instrument.objects.exists()
