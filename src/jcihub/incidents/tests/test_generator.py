"""The synthetic KCPD files: the importer reads them as it reads the real ones."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from jcihub.incidents import importer
from jcihub.incidents.generator import KcpdFileGenerator
from jcihub.incidents.models import ImportRun, Incident

pytestmark = pytest.mark.django_db


def test_a_generated_file_imports_whole_and_again_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "synthetic.csv.gz"
    call_command("generate_kcpd", str(path), "--rows", "3000", stdout=io.StringIO())

    run = importer.import_file(path)

    assert run.status == ImportRun.Status.COMPLETED
    assert (run.rows_read, run.rows_rejected) == (3000, 0)
    assert 800 < run.incidents_created < 3000  # several rows per report
    assert Incident.objects.filter(address__contains=" and ").exists()  # intersections
    assert Incident.objects.filter(is_domestic_violence=True).exists()
    assert Incident.objects.filter(latitude=None).exists()  # "0.0" is not a place
    again = importer.import_file(path)
    assert again.incidents_unchanged == run.incidents_created


def test_broken_rows_are_kept_with_reasons(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    KcpdFileGenerator(7, bad_share=0.05).write(path, 2000)
    run = importer.import_file(path)
    assert 40 < run.rows_rejected < 160
    reasons = set(run.rejected_rows.values_list("reason", flat=True))
    assert any("is not a date" in r for r in reasons)
    assert any("involvement 'WIT'" in r for r in reasons)
    assert any("expected 25 fields" in r for r in reasons)


def test_the_same_seed_writes_the_same_file() -> None:
    first, second = io.StringIO(), io.StringIO()
    KcpdFileGenerator(3).write_to(first, 500)
    KcpdFileGenerator(3).write_to(second, 500)
    assert first.getvalue() == second.getvalue()
    assert first.getvalue().count("\r\n") == 501


def test_reports_fall_in_the_year_from_start_and_a_share_at_the_hotspots() -> None:
    hotspot = {"address": "3400  PROSPECT AV", "city": "KANSAS CITY", "zip": "64128"}
    hotspot |= {"beat": "334", "area": "CPD", "lat": "39.06", "lon": "-94.55"}
    generator = KcpdFileGenerator(
        5, start=dt.date(2025, 12, 3), hotspots=[hotspot], hotspot_share=0.2
    )
    rows = list(generator.rows(4000))
    days = {dt.datetime.strptime(row[1], "%m/%d/%Y").date() for row in rows}
    assert dt.date(2025, 12, 3) <= min(days) and max(days) < dt.date(2026, 12, 3)
    reports = {row[0]: row[11] for row in rows}
    at_hotspot = sum(address == "3400  PROSPECT AV" for address in reports.values())
    assert 0.15 < at_hotspot / len(reports) < 0.3
    assert len(set(reports.values())) > 100  # the rest scattered
