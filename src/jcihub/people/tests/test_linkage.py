"""Batch identity resolution: `jcihub link people` and the model behind it.

Most tests score with one model, trained once per session on synthetic records with
known second records (`people.demo.people_with_duplicates`): training is the slow part
of a run. One test trains from the registry itself, as the command does by default.
"""

import datetime as dt
import io
import json
import random
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from rapidfuzz.distance import JaroWinkler

from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import user_with_role
from jcihub.people.demo import GeneratedPerson, people_with_duplicates, save_batch
from jcihub.people.linkage import model as linkage_model
from jcihub.people.linkage import postgres as postgres_engine
from jcihub.people.linkage.postgres import JARO_WINKLER_FUNCTION
from jcihub.people.linkage.records import PersonRecord, features, read_people, read_registry
from jcihub.people.linkage.review import decide_candidate
from jcihub.people.linkage.runs import link_people
from jcihub.people.matching import MatchQuery, name_keys
from jcihub.people.models import (
    Address,
    ContactPoint,
    Identifier,
    LinkageRun,
    MatchCandidate,
    Person,
    PersonName,
    PersonRelationship,
    RelationshipKind,
)
from jcihub.people.selectors import intake_matches

Status = MatchCandidate.Status
TRAINING_RECORDS = 800
BACKGROUND_RECORDS = 200


def _as_record(number: int, generated: GeneratedPerson) -> PersonRecord:
    person = generated.person
    home = generated.addresses[0] if generated.addresses else None
    return PersonRecord(
        record_id=number,
        given_name=person.given_name,
        family_name=person.family_name,
        birth_date=person.birth_date,
        sex=person.sex,
        middle_name=person.middle_name,
        other_names=tuple(
            (n.given_name, n.family_name)
            for n in generated.names
            if n.kind != PersonName.Kind.LEGAL
        ),
        address_line=home.line1 if home else "",
        zip_code=home.zip_code if home else "",
        identifiers=tuple((i.system, i.value) for i in generated.identifiers),
        contacts=tuple(c.value for c in generated.contacts),
    )


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained on synthetic records, saved as the command saves one."""
    records = [
        _as_record(number, generated)
        for number, (generated, _) in enumerate(
            people_with_duplicates(7, TRAINING_RECORDS, 0.25), start=1
        )
    ]
    connection = linkage_model.open_store()
    linkage_model.load_records(connection, [records])
    model = linkage_model.train(connection)
    connection.close()
    path = tmp_path_factory.mktemp("linkage") / "model.json"
    path.write_text(json.dumps(model))
    return path


@pytest.fixture(autouse=True)
def _linkage_settings(settings, tmp_path: Path) -> None:
    settings.LINK_AUTO_THRESHOLD = 0.99
    settings.LINK_REVIEW_THRESHOLD = 0.5
    settings.LINKAGE_MODEL_DIR = tmp_path / "models"  # never var/


@pytest.fixture
def registry(db: None) -> None:
    """Background people, so names have realistic frequencies."""
    save_batch([generated for generated, _ in people_with_duplicates(11, BACKGROUND_RECORDS, 0)])


def _person(
    given: str,
    family: str,
    born: dt.date | None,
    *,
    sex: str = "U",
    line: str = "",
    zip_code: str = "",
    phone: str = "",
    identifiers: tuple[tuple[str, str], ...] = (),
) -> Person:
    person = Person.objects.create(given_name=given, family_name=family, birth_date=born, sex=sex)
    keys = name_keys(given, family)
    PersonName.objects.create(
        person=person,
        kind=PersonName.Kind.LEGAL,
        given_name=given,
        family_name=family,
        family_key=keys.family_key,
        given_key=keys.given_key,
        given_initial=keys.given_initial,
    )
    if line:
        Address.objects.create(person=person, line1=line, zip_code=zip_code)
    if phone:
        ContactPoint.objects.create(person=person, kind=ContactPoint.Kind.PHONE, value=phone)
    for system, value in identifiers:
        Identifier.objects.create(person=person, system=system, value=value)
    return person


def _pair(one: Person, other: Person) -> MatchCandidate | None:
    a, b = sorted([one.pk, other.pk])
    return MatchCandidate.objects.filter(person_a_id=a, person_b_id=b).first()


@pytest.fixture
def known_duplicate(registry: None) -> tuple[Person, Person]:
    """The same man, once from a jail booking and once from a programme intake."""
    booked = _person(
        "Robert",
        "Whitacre",
        dt.date(1979, 3, 14),
        sex="M",
        line="4410 Troost Ave",
        zip_code="64110",
        phone="(816) 555-7301",
        identifiers=(("jail_booking", "B2024551001"),),
    )
    intake = _person(
        "Bob",
        "Whitacre",
        dt.date(1979, 3, 14),
        sex="M",
        line="4410 Troost Avenue",
        zip_code="64110",
        phone="816-555-7301",
        identifiers=(("program_intake", "JCI-990001"),),
    )
    return booked, intake


@pytest.fixture
def borderline(registry: None) -> tuple[Person, Person]:
    """The same name and sex, and nothing else known on either side: perhaps."""
    return (
        _person("Darnell", "Okonkwo", None, sex="M"),
        _person("Darnell", "Okonkwo", None, sex="M"),
    )


@pytest.fixture
def strangers(registry: None) -> tuple[Person, Person]:
    """Two people born the same day, with nothing else in common."""
    born = dt.date(1985, 11, 2)
    return (
        _person("Alicia", "Brandt", born, sex="F", line="901 Main St", zip_code="64105"),
        _person("Marcus", "Delgado", born, sex="M", line="7700 Wornall Rd", zip_code="64114"),
    )


def _link(model: Path, **options: object) -> str:
    out = io.StringIO()
    args = ["link", "people", "--model", str(model), "--no-progress"]
    for name, value in options.items():
        flag = f"--{name.replace('_', '-')}"
        args += [flag, value] if isinstance(value, str) else [flag] if value else []
    call_command(*args, stdout=out)
    return out.getvalue()


# --- What a run decides ----------------------------------------------------------------


def test_a_known_duplicate_is_linked_automatically(trained_model, known_duplicate) -> None:
    _link(trained_model)
    candidate = _pair(*known_duplicate)
    assert candidate is not None and candidate.status == Status.AUTO_LINKED
    assert candidate.match_probability >= 0.99
    levels = {part["comparison"]: part["level"] for part in candidate.explanation}
    assert levels["given_name"] == "Same name once nicknames are folded (Bill, William)"
    assert levels["address"] == "Same street address"
    assert levels["contacts"] == "A phone number or email in common"


def test_a_borderline_pair_waits_for_review(trained_model, borderline) -> None:
    _link(trained_model)
    candidate = _pair(*borderline)
    assert candidate is not None and candidate.status == Status.PENDING
    assert 0.5 <= candidate.match_probability < 0.99
    assert candidate.decided_by is None


def test_strangers_stay_apart(trained_model, strangers) -> None:
    _link(trained_model)
    assert _pair(*strangers) is None


def test_a_rejected_pair_is_never_proposed_again(trained_model, known_duplicate, make_user) -> None:
    _link(trained_model)
    reviewer = make_user("program_manager")
    decide_candidate(reviewer, _pair(*known_duplicate), Status.REJECTED, "Brothers")
    out = _link(trained_model)
    candidate = _pair(*known_duplicate)
    assert candidate is not None
    assert candidate.status == Status.REJECTED and candidate.decided_by == reviewer
    assert LinkageRun.objects.latest("id").skipped_rejected == 1
    assert "pairs rejected before, not proposed again" in out


def test_running_again_changes_nothing(trained_model, known_duplicate, borderline) -> None:
    _link(trained_model)
    before = list(MatchCandidate.objects.order_by("id").values())
    _link(trained_model)
    assert list(MatchCandidate.objects.order_by("id").values()) == before
    second = LinkageRun.objects.latest("id")
    assert (second.auto_linked, second.queued, second.refreshed, second.withdrawn) == (0, 0, 0, 0)
    assert second.unchanged + second.skipped_rejected >= 1


def test_people_recorded_as_related_are_never_linked(trained_model, known_duplicate) -> None:
    father, son = known_duplicate
    PersonRelationship.objects.create(
        person=father, related_person=son, kind=RelationshipKind.PARENT_OF
    )
    _link(trained_model)
    assert _pair(father, son) is None
    assert LinkageRun.objects.latest("id").skipped_related == 1


def test_a_dry_run_reports_but_stores_nothing_and_is_audited(
    trained_model, known_duplicate
) -> None:
    out = _link(trained_model, dry_run=True)
    assert "dry run: nothing stored" in out
    assert not MatchCandidate.objects.exists() and not LinkageRun.objects.exists()
    entry = AuditEntry.objects.filter(object_type="people.linkagerun").latest("id")
    assert entry.action == AuditAction.VIEW and entry.changes["auto_linked"] >= 1


def test_a_run_is_stored_and_audited_with_its_model(trained_model, known_duplicate) -> None:
    out = _link(trained_model)
    run = LinkageRun.objects.get()
    assert run.records == BACKGROUND_RECORDS + 2 and run.pairs_scored > 0
    assert run.model["probability_two_random_records_match"] > 0
    assert run.model_source == str(trained_model)
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_type="people.linkagerun")
    assert entry.object_id == str(run.pk) and entry.changes["auto_linked"] == run.auto_linked
    assert f"Stored as linkage run {run.pk}" in out


# --- Training from the registry, and bad input ---------------------------------------------


def test_trains_on_the_registry_and_saves_the_model_json(db, settings) -> None:
    generated = people_with_duplicates(5, 400, 0.25)
    save_batch([person for person, _ in generated])
    out = io.StringIO()
    call_command("link", "people", "--no-progress", "--export", "spark", stdout=out)
    saved = sorted(Path(settings.LINKAGE_MODEL_DIR).glob("model-*.json"))
    assert [p.name.count(".") for p in saved] == [1, 2]  # the model and its Spark export
    model = json.loads(saved[0].read_text())
    assert model == LinkageRun.objects.get().model
    # The console may wrap a long path; the words are what matter.
    assert f"Modelsavedto{saved[0]}" in "".join(out.getvalue().split())
    assert MatchCandidate.objects.filter(status=Status.AUTO_LINKED).count() > 10


def test_an_empty_registry_says_there_is_nothing_to_link(db) -> None:
    with pytest.raises(CommandError, match="the registry holds 0"):
        call_command("link", "people", "--no-progress", stdout=io.StringIO())


def test_one_person_says_there_is_nothing_to_link(db) -> None:
    _person("Ana", "Ruiz", dt.date(1990, 1, 1))
    with pytest.raises(CommandError, match="the registry holds 1"):
        call_command("link", "people", "--no-progress", stdout=io.StringIO())


def test_records_without_duplicates_cannot_train_a_model(registry) -> None:
    with pytest.raises(CommandError, match="show no duplicates to learn from"):
        call_command("link", "people", "--no-progress", stdout=io.StringIO())


def test_a_model_file_that_is_not_a_linkage_model_is_refused(registry, tmp_path) -> None:
    missing, other = tmp_path / "missing.json", tmp_path / "other.json"
    other.write_text(json.dumps({"comparisons": [], "link_type": "dedupe_only"}))
    with pytest.raises(CommandError, match="No such model file"):
        call_command("link", "people", "--model", str(missing), stdout=io.StringIO())
    with pytest.raises(CommandError, match="not made by this version of the model"):
        call_command("link", "people", "--model", str(other), stdout=io.StringIO())


# --- A rejection holds for the whole identity ---------------------------------------------


def _stored(one: Person, other: Person) -> MatchCandidate:
    candidate = _pair(one, other)
    assert candidate is not None, "the run scored no such pair"
    return candidate


def _third_record(booked: Person) -> Person:
    """The man of `known_duplicate` once more, from a hospital referral."""
    return _person(
        "Robert",
        "Whitacre",
        booked.birth_date,
        sex="M",
        line="4410 Troost Ave",
        zip_code="64110",
        phone="816.555.7301",
        identifiers=(("hospital_mrn", "TRM-55120"),),
    )


def test_a_run_does_not_join_through_a_third_record_what_a_reviewer_kept_apart(
    trained_model, known_duplicate, make_user
) -> None:
    booked, intake = known_duplicate
    link_people(model_path=trained_model)
    decide_candidate(make_user("program_manager"), _stored(booked, intake), Status.REJECTED)
    third = _third_record(booked)
    outcome = link_people(model_path=trained_model)
    statuses = sorted([_stored(booked, third).status, _stored(intake, third).status])
    assert statuses == sorted([Status.AUTO_LINKED, Status.PENDING])
    assert outcome.held_apart == 1
    assert LinkageRun.objects.latest("id").held_apart == 1
    again = link_people(model_path=trained_model)  # and it stays so
    assert (again.auto_linked, again.held_apart) == (0, 1)


def test_rejecting_a_pair_joined_through_a_third_record_sends_those_links_back_to_review(
    trained_model, known_duplicate, make_user
) -> None:
    booked, intake = known_duplicate
    third = _third_record(booked)
    link_people(model_path=trained_model)
    assert all(_stored(one, other).is_link for one, other in [(booked, intake), (booked, third)])
    outcome = decide_candidate(
        make_user("program_manager"), _stored(booked, intake), Status.REJECTED, "Brothers"
    )
    returned = {link.pk for link in outcome.separation.returned_to_review}
    assert returned == {_stored(booked, third).pk, _stored(intake, third).pk}
    assert _stored(booked, third).status == _stored(intake, third).status == Status.PENDING
    assert outcome.separation.still_joined_by == []
    entry = AuditEntry.objects.filter(summary__contains="back to review").first()
    assert entry is not None and entry.person_id in {booked.pk, third.pk, intake.pk}


def test_a_pair_that_would_join_a_rejected_pair_cannot_be_accepted(
    trained_model, known_duplicate, make_user
) -> None:
    booked, intake = known_duplicate
    third = _third_record(booked)
    link_people(model_path=trained_model)
    reviewer = make_user("program_manager")
    decide_candidate(reviewer, _stored(booked, intake), Status.REJECTED)
    decide_candidate(reviewer, _stored(booked, third), Status.ACCEPTED)
    with pytest.raises(ValidationError, match="judged to be different people"):
        decide_candidate(reviewer, _stored(intake, third), Status.ACCEPTED)
    assert _stored(intake, third).status == Status.PENDING


def test_links_a_reviewer_accepted_are_named_when_they_still_join_a_rejected_stored(
    trained_model, known_duplicate, make_user
) -> None:
    booked, intake = known_duplicate
    third = _third_record(booked)
    link_people(model_path=trained_model)
    reviewer = make_user("program_manager")
    for one, other in [(booked, third), (intake, third)]:
        decide_candidate(reviewer, _stored(one, other), Status.ACCEPTED)
    outcome = decide_candidate(reviewer, _stored(booked, intake), Status.REJECTED)
    assert outcome.separation.returned_to_review == []
    assert {link.pk for link in outcome.separation.still_joined_by} == {
        _stored(booked, third).pk,
        _stored(intake, third).pk,
    }


# --- Decisions, features and exports ------------------------------------------------------


def test_a_rejection_is_final(trained_model, known_duplicate, make_user) -> None:
    link_people(model_path=trained_model)
    reviewer = make_user("program_manager")
    candidate = decide_candidate(reviewer, _pair(*known_duplicate), Status.REJECTED).candidate
    with pytest.raises(ValidationError, match="cannot become accepted"):
        decide_candidate(reviewer, candidate, Status.ACCEPTED)
    entries = AuditEntry.objects.filter(object_type="people.matchcandidate")
    assert set(entries.values_list("person_id", flat=True)) == {
        candidate.person_a_id,
        candidate.person_b_id,
    }


def test_names_are_prepared_as_intake_prepares_them() -> None:
    row = features(PersonRecord(1, "  Bill ", "O'Brien-Núñez", dt.date(1970, 2, 3), "M"))
    assert (row["given_name"], row["given_canonical"]) == ("BILL", "WILLIAM")
    assert row["family_name"] == "OBRIEN NUNEZ" and row["birth_year"] == "1970"
    assert features(PersonRecord(2, "", "", None))["given_names"] is None


def test_confidential_addresses_and_contacts_are_not_compared(db) -> None:
    person = _person("Ana", "Ruiz", dt.date(1990, 1, 1))
    Address.objects.create(person=person, line1="1 Safe St", zip_code="64106", is_confidential=True)
    ContactPoint.objects.create(
        person=person, kind=ContactPoint.Kind.PHONE, value="8165550100", is_confidential=True
    )
    (record,) = next(read_registry())
    assert (record.address_line, record.zip_code, record.contacts) == ("", "", ())


def test_the_exported_model_keeps_its_parameters_in_each_dialect(trained_model) -> None:
    model = json.loads(trained_model.read_text())
    for dialect, function in (("spark", "jaro_winkler("), ("postgres", "jaro_winkler_similarity(")):
        exported = linkage_model.export_model(model, dialect)
        assert exported["sql_dialect"] == dialect
        assert exported["probability_two_random_records_match"] == pytest.approx(
            model["probability_two_random_records_match"]
        )
        assert list(linkage_model.level_weights(exported)) == list(
            linkage_model.level_weights(model)
        )
        conditions = json.dumps(exported["comparisons"])
        assert function in conditions


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the function is for PostgreSQL")
def test_postgresql_jaro_winkler_agrees_with_duckdb_and_intake() -> None:
    rng = random.Random(3)
    words = ["MARTHA", "MARHTA", "DWAYNE", "DUANE", "DIXON", "DICKSONX", "A", "4410 TROOST AVE"]
    words += ["".join(rng.choices("ABCDE ", k=rng.randrange(1, 9))) for _ in range(40)]
    pairs = [(a, b) for a in words for b in words[::3]]
    with connection.cursor() as cursor:
        cursor.execute(JARO_WINKLER_FUNCTION)
        for a, b in pairs:
            cursor.execute("SELECT jaro_winkler_similarity(%s, %s)", [a, b])
            assert cursor.fetchone()[0] == pytest.approx(JaroWinkler.similarity(a, b)), (a, b)


# --- Intake asks the same model ------------------------------------------------------------


def test_intake_scores_a_person_exactly_as_the_run_scored_the_same_record(
    trained_model, known_duplicate
) -> None:
    booked, intake = known_duplicate
    _link(trained_model)
    stored = _pair(booked, intake)
    assert stored is not None and stored.status == Status.AUTO_LINKED
    # The second record, typed in at intake instead of stored: the same features.
    typed = replace(read_people([intake.pk])[0], record_id=0)
    query = MatchQuery(typed.given_name, typed.family_name, typed.birth_date)

    found = intake_matches(user_with_role("director"), query, typed)

    opinion = next(row.opinion for row in found if row.person == booked)
    assert opinion is not None
    assert opinion.probability == pytest.approx(stored.match_probability, abs=1e-9)
    assert opinion.verdict == "auto"
    assert opinion.explanation == stored.explanation


def test_the_intake_page_shows_the_models_verdict(trained_model, known_duplicate, client_for):
    booked, _ = known_duplicate
    _link(trained_model)
    page = client_for(user_with_role("director")).get(
        reverse("people:intake_matches"),
        {
            "given_name": "Rob",
            "family_name": "Whitacre",
            "birth_date": "1979-03-14",
            "sex": "M",
            "identifier": "b2024551001",  # no system given: any system that holds it
        },
    )
    text = page.content.decode()
    assert f"/people/{booked.pk}/" in text
    assert "Identity model: would be linked automatically" in text


def test_intake_leaves_out_a_candidate_the_model_would_keep_apart(trained_model, strangers) -> None:
    alicia, _ = strangers
    _link(trained_model)
    typed = PersonRecord(0, "Alicia", "Brandt", alicia.birth_date, sex="F")
    query = MatchQuery("Alicia", "Brandt", alicia.birth_date)

    found = intake_matches(user_with_role("director"), query, typed)

    assert [row.person for row in found] == [alicia]
    assert found[0].opinion is not None and found[0].opinion.verdict != "apart"


def test_without_a_stored_run_intake_relies_on_its_own_score(known_duplicate) -> None:
    booked, intake = known_duplicate
    typed = replace(read_people([intake.pk])[0], record_id=0)
    query = MatchQuery("Bob", "Whitacre", typed.birth_date)

    found = intake_matches(user_with_role("director"), query, typed)

    assert {row.person for row in found} >= {booked, intake}
    assert all(row.opinion is None for row in found)


# --- The same model on PostgreSQL ------------------------------------------------------------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="runs the model on the PostgreSQL server"
)


def _scores() -> dict[tuple[int, int], tuple[str, float]]:
    return {
        (c.person_a_id, c.person_b_id): (c.status, c.match_probability)
        for c in MatchCandidate.objects.all()
    }


def _linkage_schema_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name = %s",
            [postgres_engine.SCHEMA],
        )
        return bool(cursor.fetchone()[0])


@on_postgresql
def test_postgresql_scores_every_pair_as_duckdb_does(trained_model, known_duplicate, borderline):
    _link(trained_model)
    on_duckdb = _scores()
    out = _link(trained_model, engine="postgres")
    run = LinkageRun.objects.latest("id")
    assert (run.auto_linked, run.queued, run.refreshed, run.withdrawn) == (0, 0, 0, 0), out
    assert _scores() == on_duckdb
    linked, queued = _pair(*known_duplicate), _pair(*borderline)
    assert linked is not None and linked.status == Status.AUTO_LINKED
    assert queued is not None and queued.status == Status.PENDING
    assert not _linkage_schema_exists()


@on_postgresql
def test_postgresql_trains_its_own_model_repeatably(db, settings) -> None:
    save_batch([person for person, _ in people_with_duplicates(5, 400, 0.25)])
    call_command("link", "people", "--engine", "postgres", "--no-progress", stdout=io.StringIO())
    first = LinkageRun.objects.get()
    assert first.model["sql_dialect"] == "duckdb"  # intake and later runs score with it
    assert MatchCandidate.objects.filter(status=Status.AUTO_LINKED).count() > 10
    before = list(MatchCandidate.objects.order_by("id").values())
    call_command("link", "people", "--engine", "postgres", "--no-progress", stdout=io.StringIO())
    second = LinkageRun.objects.latest("id")
    assert second.model == first.model
    assert list(MatchCandidate.objects.order_by("id").values()) == before
    assert not _linkage_schema_exists()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal is for other databases")
def test_the_postgresql_engine_on_another_database_says_so(trained_model, known_duplicate):
    with pytest.raises(CommandError, match="runs the model on the PostgreSQL server"):
        _link(trained_model, engine="postgres")
    assert not LinkageRun.objects.exists()
