"""The KCPD importer on the real published files and on every kind of bad input: each row
lands or is kept with its reason, importing again changes nothing, a failure loads
nothing."""

import datetime as dt
import gzip
import importlib
import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rich.console import Console

from jcihub.core.tests.factories import PersonFactory, user_with_role
from jcihub.incidents import importer, staging
from jcihub.incidents.models import ImportRun, Incident, Offense, Party, RejectedRow
from jcihub.people.models import Identifier, Person

pytestmark = pytest.mark.django_db

KCPD = Path(__file__).resolve().parents[5] / "shared" / "data" / "kcpd"
SAMPLE_2018 = KCPD / "kcpd_2018_sample1000_allcols.csv.gz"
HEADER = (
    "Report_No,Reported_Date,Reported Time,From_Date,From Time,To_Date,To Time,Offense,"
    "IBRS,Description,Beat,Address,City,Zip Code,Rep_Dist,Area,DVFlag,Invl_No,Involvement,"
    "Race,Sex,Age,Firearm Used Flag,Latitude,Longitude"
)
ROW = (
    "{report},01/02/2015,10:15,01/01/2015,22:00,{to_date},,1301,13B,Simple Assault,"
    "332,3400  NORTON AV,KANSAS CITY,64130,PJ2783,EPD,Y,{invl},{inv},B,F,{age},N,39.05,-94.55"
)


def row(
    report: str = "150000001", invl: int = 1, inv: str = "VIC", age: str = "34", to_date: str = ""
) -> str:
    return ROW.format(report=report, invl=invl, inv=inv, age=age, to_date=to_date)


@pytest.fixture
def csv_file(tmp_path: Path) -> Callable[..., Path]:
    def write(
        *lines: str,
        name: str = "extract.csv",
        header: str = HEADER,
        raw: bytes | None = None,
        gz: bool = False,
    ) -> Path:
        path = tmp_path / name
        data = raw if raw is not None else "\r\n".join([header, *lines]).encode() + b"\r\n"
        path.write_bytes(gzip.compress(data) if gz else data)
        return path

    return write


def test_the_real_2018_sample_loads_every_row_once() -> None:
    if not SAMPLE_2018.exists():
        pytest.skip("../shared/data/kcpd is not present")
    run = importer.import_file(SAMPLE_2018)

    assert run.status == ImportRun.Status.COMPLETED, run.message
    assert run.rows_read == 1000
    assert run.rows_rejected == 0
    # The README's figures: 926 distinct report numbers; VIC 524 / SUS 402 / ARR 74 rows.
    assert Incident.objects.count() == run.incidents_created == 926
    assert Party.objects.filter(involvement="VIC").count() > 0
    assert Incident.objects.filter(is_domestic_violence=True).exists()
    first = Incident.objects.get(report_number="180067842")
    assert (first.reported_date, first.reported_time) == (dt.date(2018, 9, 2), dt.time(18, 15))
    assert first.address == "3400 NORTON AV" and first.beat == "332"
    located = Incident.objects.exclude(latitude=None).exclude(longitude=None).first()
    assert located is not None
    assert 38 < float(located.latitude or 0) < 40 and -95 < float(located.longitude or 0) < -94

    again = importer.import_file(SAMPLE_2018)
    assert (again.incidents_created, again.incidents_updated) == (0, 0)
    assert again.incidents_unchanged == 926
    assert (again.parties_created, again.parties_updated) == (0, 0)
    assert Incident.objects.count() == 926


@pytest.mark.parametrize(
    ("name", "incidents"),
    [
        ("kcpd_2017_10cols_geocoded.csv.gz", 400),
        ("kcpd_2020_janjul_9cols.csv.gz", None),
        ("kcpd_2021_6cols.csv.gz", 400),
        ("kcpd_2020_dv_only_zipcentroids.csv.gz", 400),
    ],
)
def test_every_published_layout_loads(tmp_path: Path, name: str, incidents: int | None) -> None:
    """The first 400 rows of each real file (the whole files run in the benchmarks)."""
    if not (KCPD / name).exists():
        pytest.skip("../shared/data/kcpd is not present")
    with gzip.open(KCPD / name, "rt", newline="") as source:
        head = "".join(source.readline() for _ in range(401))
    path = tmp_path / name
    path.write_bytes(gzip.compress(head.encode()))

    run = importer.import_file(path)

    assert run.status == ImportRun.Status.COMPLETED, run.message
    assert run.rows_read == 400 and run.rows_rejected == 0
    if incidents is not None:  # files without report numbers: one incident per row
        assert Incident.objects.count() == incidents
    else:  # report numbers group rows into incidents
        reports = {line.split(",", 1)[0] for line in head.splitlines()[1:]}
        assert Incident.objects.count() == len(reports)
    assert importer.import_file(path).incidents_unchanged == Incident.objects.count()


def test_a_newer_overlapping_extract_updates_what_changed(csv_file) -> None:
    importer.import_file(csv_file(row(), row("150000002"), name="january.csv"))
    newer = csv_file(
        row(to_date="01/02/2015"),  # the end date is now known
        row(invl=2, inv="SUS", age="41"),  # a suspect is added
        row("150000002"),  # unchanged
        row("150000003"),  # new
        name="january-revised.csv",
    )

    run = importer.import_file(newer)

    assert (run.incidents_created, run.incidents_updated, run.incidents_unchanged) == (1, 1, 1)
    assert (run.parties_created, run.parties_updated, run.parties_unchanged) == (2, 0, 2)
    incident = Incident.objects.get(report_number="150000001")
    assert incident.to_date == dt.date(2015, 1, 2)
    assert sorted(incident.parties.values_list("involvement", flat=True)) == ["SUS", "VIC"]


def test_a_report_split_across_chunks_is_one_incident(csv_file, monkeypatch) -> None:
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    path = csv_file(row(invl=1), row("150000009"), row("150000008"), row(invl=2, inv="SUS"))
    run = importer.import_file(path)
    assert run.incidents_created == 3 and run.incidents_updated == 0
    assert Party.objects.filter(incident__report_number="150000001").count() == 2


def test_parties_without_numbers_are_told_apart_by_order_within_an_offense(csv_file) -> None:
    header = "Report_No,Reported_Date,zip,Offense,Description,IBRS,Race,Sex,Age"
    lines = [
        "KC20000001,01/01/2020,64130.0,Assault,Aggravated Assault,13A,B,M,31.0",
        "KC20000001,01/01/2020,64130.0,Assault,Aggravated Assault,13A,B,M,31.0",
        "KC20000001,01/01/2020,64130.0,Weapons,Weapon Law Violations,520,B,M,31.0",
    ]
    run = importer.import_file(csv_file(*lines, header=header))
    assert run.incidents_created == 1
    assert Party.objects.count() == 2  # two alike men in the assault, one of them armed
    assert Offense.objects.count() == 2


BAD_ROWS = [
    (row().replace("01/02/2015", "02/30/2015", 1), "reported date '02/30/2015' is not a date"),
    (row(inv="WIT"), "involvement 'WIT' is not one of ARR, SUS, VIC"),
    (row(age="forty"), "age 'forty' is not a number"),
    (row(age="-3"), "age '-3' is not a whole number from 0 to 120"),
    (row().rsplit(",", 3)[0], "expected 25 fields, found 22"),
    (row().replace(",Y,", ",Maybe,"), "DV flag 'Maybe' is not Y, N, U, true or false"),
    (row("15 0000 1"), "report number '15 0000 1' is not letters and digits"),
    (row().replace("Simple Assault", "X" * 5000), "field 'Description' is 5,000 characters"),
    (HEADER, "a repeated header row"),
]


@pytest.mark.parametrize(("line", "reason"), BAD_ROWS, ids=[r for _, r in BAD_ROWS])
def test_a_bad_row_is_kept_with_its_reason_and_the_rest_loads(csv_file, line, reason) -> None:
    run = importer.import_file(csv_file(row("150000005"), line, row("150000006")))

    assert run.status == ImportRun.Status.COMPLETED
    assert (run.rows_read, run.rows_rejected, run.incidents_created) == (3, 1, 2)
    rejected = RejectedRow.objects.get(run=run)
    assert rejected.line_number == 3
    assert reason in rejected.reason
    assert rejected.raw  # the row itself is kept to be fixed and re-sent


def test_bytes_in_another_encoding_reject_that_row_only(csv_file) -> None:
    good = row("150000005").encode()
    latin = row("150000006").replace("NORTON AV", "NU\u00d1EZ AV").encode("latin-1")
    run = importer.import_file(csv_file(raw=b"\r\n".join([HEADER.encode(), good, latin, b""])))
    assert (run.rows_rejected, run.incidents_created) == (1, 1)
    assert "not valid UTF-8" in RejectedRow.objects.get().reason


def test_mixed_date_formats_all_load(csv_file) -> None:
    lines = [
        row("150000011"),
        row("150000012").replace("01/02/2015", "2015-01-02T00:00:00.000", 1),
        row("150000013").replace("01/02/2015", "2015-01-02", 1),
        row("150000014").replace("01/02/2015", "1/2/2015", 1),
    ]
    run = importer.import_file(csv_file(*lines))
    assert run.rows_rejected == 0
    assert set(Incident.objects.values_list("reported_date", flat=True)) == {dt.date(2015, 1, 2)}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "The file is empty"),
        (b"id,name,email,phone\r\n1,Ada,a@example.org,555\r\n", "not a KCPD crime-data file"),
        (gzip.compress(b"Report_No,Offense")[:15], "cannot be read"),
    ],
    ids=["empty", "another data set", "truncated gzip"],
)
def test_a_file_that_is_not_kcpd_is_refused_with_a_reason(csv_file, raw, message) -> None:
    run = importer.import_file(csv_file(raw=raw))
    assert run.status in {ImportRun.Status.REFUSED, ImportRun.Status.FAILED}
    assert message in run.message
    assert not Incident.objects.exists()


def test_gzip_and_plain_files_load_the_same(csv_file) -> None:
    importer.import_file(csv_file(row(), gz=True, name="a.csv.gz"))
    again = importer.import_file(csv_file(row(), name="a.csv"))
    assert again.incidents_unchanged == 1 and Incident.objects.count() == 1


def test_a_failure_mid_file_loads_nothing_and_a_rerun_completes(csv_file, monkeypatch) -> None:
    monkeypatch.setattr(importer, "CHUNK_ROWS", 1)
    path = csv_file(row("150000021"), row("150000022"), row("150000023"))
    real_write = importer._write
    calls = {"n": 0}

    def failing_write(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(importer, "_write", failing_write)
    with pytest.raises(RuntimeError):
        importer.import_file(path)
    failed = ImportRun.objects.get()
    assert failed.status == ImportRun.Status.FAILED and "disk full" in failed.message
    assert not Incident.objects.exists() and not RejectedRow.objects.exists()

    monkeypatch.setattr(importer, "_write", real_write)
    assert importer.import_file(path).incidents_created == 3


def test_progress_follows_reading_then_each_merge_phase_then_the_commit(
    csv_file, monkeypatch
) -> None:
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    path = csv_file(row("150000031"), row("150000032"), row("150000033"), "short,line")
    heard: list[tuple[int, int, str]] = []
    importer.import_file(path, progress=lambda *told: heard.append(told))
    phases = [phase for _, _, phase in heard]
    assert phases[0] == "reading" and phases[-1] == "committing"
    merging = [phase for phase in phases if phase.startswith("merging")]
    assert merging[0] == "merging: one draft per report"
    assert "merging: addresses, 1 of 1" in merging
    assert "merging: writing 3 incidents" in merging and "merging: writing 3 parties" in merging
    # The rows read (bad ones included) and the whole file's bytes, through every phase.
    assert {rows for _, rows, phase in heard if phase != "reading"} == {4}
    assert {size for size, _, phase in heard if phase != "reading"} == {path.stat().st_size}


def test_the_progress_bar_names_the_merge_phase(csv_file) -> None:
    command = importlib.import_module("jcihub.incidents.management.commands.import").Command
    out = io.StringIO()
    command()._import(csv_file(row()), Console(file=out, force_terminal=True), show_progress=True)
    assert "committing" in out.getvalue() and "rows/s" in out.getvalue()


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "sqlite").startswith("sqlite"), reason="SQLite only"
)
def test_the_import_gives_the_sqlite_connection_its_page_cache_back(csv_file) -> None:
    from django.db import connection

    def cache_sizes() -> list[int]:
        with connection.cursor() as cursor:
            return [
                cursor.execute(f"PRAGMA {schema}.cache_size").fetchone()[0]
                for schema in ("main", "temp")
            ]

    assert cache_sizes() == [-staging.SQLITE_DEFAULT_CACHE_KIB] * 2
    importer.import_file(csv_file(row()))
    importer.import_file(csv_file("not,a,kcpd,file", header="a,b,c,d", name="other.csv"))
    assert cache_sizes() == [-staging.SQLITE_DEFAULT_CACHE_KIB] * 2


def test_new_incidents_take_ids_in_file_order_and_later_ones_follow(csv_file) -> None:
    importer.import_file(csv_file(row("150000043"), row("150000041"), row("150000043", 2)))
    importer.import_file(csv_file(row("150000042"), row("150000041", 3), name="b.csv"))
    by_id = list(Incident.objects.order_by("id").values_list("report_number", flat=True))
    assert by_id == ["150000043", "150000041", "150000042"]
    # The ids drawn for the import leave the table's own numbering intact.
    later = Incident.objects.create(source_key="by-hand")
    assert later.pk > Incident.objects.get(report_number="150000042").pk


def test_an_interrupted_run_is_marked_abandoned_when_the_file_comes_again(csv_file) -> None:
    path = csv_file(row())
    sha256, _ = importer.file_digest(path)
    stale = ImportRun.objects.create(file_name="extract.csv", file_sha256=sha256)
    importer.import_file(path)
    stale.refresh_from_db()
    assert stale.status == ImportRun.Status.ABANDONED


def test_the_command_prints_a_summary_and_fails_for_a_refused_file(csv_file) -> None:
    out = io.StringIO()
    call_command("import", "incidents", str(csv_file(row())), "--no-progress", stdout=out)
    assert "incidents created" in out.getvalue() and "Completed" in out.getvalue()
    with pytest.raises(CommandError, match="did not import"):
        call_command(
            "import",
            "incidents",
            str(csv_file(raw=b"a,b\r\n", name="x.csv")),
            "--no-progress",
            stdout=io.StringIO(),
        )
    with pytest.raises(CommandError, match="No such file"):
        call_command("import", "incidents", "/nonexistent.csv", stdout=io.StringIO())


FEED_HEADER = (
    "Report_No,Reported_Date,Offense,Involvement,Race,Sex,Age,"
    "KCPD_Person_Number,Last_Name,First_Name,DOB"
)


def test_the_internal_feed_links_parties_to_people_by_kcpd_number(csv_file, client_for) -> None:
    known = PersonFactory(given_name="Dale", family_name="Crane")
    Identifier.objects.create(person=known, system="kcpd", value="700001")
    path = csv_file(
        "KC20000100,03/01/2020,Assault,SUS,W,M,40,700001,CRANE,DALE,1980-02-02",
        "KC20000100,03/01/2020,Assault,VIC,W,F,38,700002,REYES,ANA,1982-05-06",
        "KC20000101,03/02/2020,Assault,VIC,W,F,22,700003,NOONE,,2090-01-01",
        header=FEED_HEADER,
    )

    run = importer.import_file(path)

    assert run.status == ImportRun.Status.COMPLETED and run.rows_rejected == 0
    assert Party.objects.get(kcpd_person_number="700001").person == known
    ana = Person.objects.get(family_name="REYES")
    assert ana.identifiers.get().value == "700002"
    assert Party.objects.get(kcpd_person_number="700002").person == ana
    assert Party.objects.get(kcpd_person_number="700003").person is None
    assert "700003" in run.message  # why it could not become a person record
    assert importer.import_file(path).parties_unchanged == 3
    assert Person.objects.count() == 2

    # The incident is on the linked person's timeline, for roles cleared for CJIS data.
    detail = reverse("people:detail", args=[known.pk])
    assert (
        b"KCPD report KC20000100: suspect"
        in client_for(user_with_role("case_manager")).get(detail).content
    )
    assert b"KCPD report" not in client_for(user_with_role("victim_advocate")).get(detail).content


def test_rows_of_one_report_that_disagree_do_not_count_as_updates_on_reimport(
    csv_file, monkeypatch
) -> None:
    monkeypatch.setattr(importer, "CHUNK_ROWS", 1)
    path = csv_file(row(invl=1), row(invl=2, inv="SUS").replace(",10:15,", ",11:40,"))
    first = importer.import_file(path)
    again = importer.import_file(path)
    assert first.incidents_created == 1
    assert (again.incidents_updated, again.incidents_unchanged) == (0, 1)
    assert Incident.objects.get().reported_time == dt.time(11, 40)  # the last row stands


# --- Files that are not what they claim to be -------------------------------------------------


def test_a_utf16_file_with_a_byte_order_mark_loads_and_says_so(csv_file) -> None:
    text = "\r\n".join([HEADER, row("150000031"), row("150000032")]) + "\r\n"
    for encoding in ("utf-16", "utf-16-be", "utf-32"):
        data = text.encode(encoding)
        if encoding == "utf-16-be":
            data = b"\xfe\xff" + data
        run = importer.import_file(csv_file(raw=data, name=f"{encoding}.csv"))
        assert run.status == ImportRun.Status.COMPLETED, run.message
        assert run.rows_rejected == 0
        assert "UTF-" in run.message and "byte-order mark" in run.message
    assert Incident.objects.count() == 2


def test_utf16_without_a_byte_order_mark_is_refused_with_a_reason(csv_file) -> None:
    data = "\r\n".join([HEADER, row()]).encode("utf-16-le")
    run = importer.import_file(csv_file(raw=data))
    assert run.status == ImportRun.Status.REFUSED
    assert "NUL bytes" in run.message and "UTF-16" in run.message
    assert not Incident.objects.exists()


def test_a_latin1_file_rejects_its_accented_rows_and_says_how_to_fix_it(csv_file) -> None:
    lines = [row("150000041"), row("150000042").replace("NORTON AV", "PE\u00d1A ST")]
    data = "\r\n".join([HEADER, *lines, ""]).encode("latin-1")
    run = importer.import_file(csv_file(raw=data))
    assert run.status == ImportRun.Status.COMPLETED
    assert (run.rows_read, run.rows_rejected, run.incidents_created) == (2, 1, 1)
    assert "Latin-1" in run.message and "save it as UTF-8" in run.message
    assert RejectedRow.objects.get().line_number == 3


def test_a_nul_byte_rejects_its_row_only(csv_file) -> None:
    run = importer.import_file(
        csv_file(row("150000051"), row("150000052").replace("NORTON", "NOR\x00TON"))
    )
    assert (run.rows_rejected, run.incidents_created) == (1, 1)
    rejected = RejectedRow.objects.get()
    assert "NUL bytes" in rejected.reason and "NOR\\x00TON" in rejected.raw


def test_a_field_beyond_the_csv_limit_is_kept_as_a_rejected_line(csv_file) -> None:
    giant = row("150000062").replace("Simple Assault", "X" * 3_000_000)
    run = importer.import_file(csv_file(row("150000061"), giant, row("150000063")))
    assert run.status == ImportRun.Status.COMPLETED, run.message
    assert run.incidents_created == 2
    assert run.rows_rejected >= 1
    reasons = list(RejectedRow.objects.values_list("reason", flat=True))
    assert any("field" in reason for reason in reasons)
    assert all(
        len(raw) <= RejectedRow.RAW_LIMIT
        for raw in RejectedRow.objects.values_list("raw", flat=True)
    )


def test_a_header_without_rows_completes_and_says_so(csv_file) -> None:
    run = importer.import_file(csv_file())
    assert run.status == ImportRun.Status.COMPLETED
    assert run.rows_read == 0 and "header but no rows" in run.message


def test_an_empty_gzip_file_is_refused_as_empty(csv_file) -> None:
    run = importer.import_file(csv_file(raw=gzip.compress(b""), name="x.csv.gz"))
    assert run.status == ImportRun.Status.REFUSED and "empty" in run.message


def test_a_file_of_only_rejected_rows_says_nothing_loaded(csv_file) -> None:
    run = importer.import_file(csv_file(row(age="old"), row(inv="WIT")))
    assert run.status == ImportRun.Status.COMPLETED
    assert (run.rows_rejected, run.incidents_created) == (2, 0)
    assert "No row could be loaded" in run.message


def test_a_date_in_no_known_format_rejects_its_row_with_the_text(csv_file) -> None:
    lines = [row("150000071"), row("150000072").replace("01/02/2015", "2 Jan 2015", 1)]
    run = importer.import_file(csv_file(*lines))
    assert (run.rows_rejected, run.incidents_created) == (1, 1)
    assert "reported date '2 Jan 2015' is not a date" in RejectedRow.objects.get().reason


# --- Runs whose process died --------------------------------------------------------------


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_run_whose_process_died_is_marked_abandoned_by_the_next_import(csv_file) -> None:
    dead = ImportRun.objects.create(file_name="other.csv", host=importer.HOST, pid=_dead_pid())
    alive = ImportRun.objects.create(file_name="busy.csv", host=importer.HOST, pid=os.getpid())
    elsewhere = ImportRun.objects.create(file_name="far.csv", host="another-host", pid=1)

    importer.import_file(csv_file(row()))

    statuses = dict(ImportRun.objects.values_list("file_name", "status"))
    assert statuses["other.csv"] == ImportRun.Status.ABANDONED
    assert statuses["busy.csv"] == statuses["far.csv"] == ImportRun.Status.RUNNING
    dead.refresh_from_db()
    assert dead.finished_at is not None and "nothing of it was kept" in dead.message
    assert alive and elsewhere


def test_the_command_abandons_runs_older_than_the_limit_wherever_they_ran() -> None:
    old = ImportRun.objects.create(file_name="old.csv", host="another-host", pid=1)
    ImportRun.objects.filter(pk=old.pk).update(started_at=timezone.now() - dt.timedelta(hours=7))
    recent = ImportRun.objects.create(file_name="new.csv", host="another-host", pid=1)
    out = io.StringIO()

    call_command("abandon_stale_imports", stdout=out)

    assert "1 import run marked abandoned" in out.getvalue()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == ImportRun.Status.ABANDONED
    assert recent.status == ImportRun.Status.RUNNING
    call_command("abandon_stale_imports", "--hours", "0", stdout=out)
    recent.refresh_from_db()
    assert recent.status == ImportRun.Status.ABANDONED


def test_a_finished_run_records_which_process_ran_it(csv_file) -> None:
    run = importer.import_file(csv_file(row()))
    assert (run.host, run.pid) == (importer.HOST, os.getpid())


def test_a_failure_while_merging_loads_nothing_and_a_rerun_completes(csv_file, monkeypatch) -> None:
    path = csv_file(row("150000081"), row("150000082"), row("150000081", invl=2, inv="SUS"))

    def failing(*args, **kwargs):
        raise RuntimeError("server went away")

    monkeypatch.setattr(staging, "_write_parties", failing)
    with pytest.raises(RuntimeError):
        importer.import_file(path)
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED
    assert not Incident.objects.exists() and not Offense.objects.exists()

    monkeypatch.undo()
    run = importer.import_file(path)
    assert (run.incidents_created, run.parties_created) == (2, 3)


def test_the_last_row_that_states_a_field_wins_wherever_the_rows_are(csv_file) -> None:
    path = csv_file(
        row("150000091"),
        row("150000092"),
        row("150000091", invl=2, inv="SUS").replace(",332,", ",333,"),
        row("150000091", invl=3, inv="SUS").replace(",332,", ",,"),  # blank: no change
    )
    run = importer.import_file(path)
    assert run.incidents_created == 2
    assert Incident.objects.get(report_number="150000091").beat == "333"
    assert Party.objects.filter(incident__report_number="150000091").count() == 3
