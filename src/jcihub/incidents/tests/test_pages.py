"""The import pages: who sees runs, who sees the rejected rows' own text, and the export."""

from pathlib import Path

import pytest
from django.urls import reverse

from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import user_with_role
from jcihub.incidents import importer
from jcihub.incidents.models import ImportRun

pytestmark = pytest.mark.django_db

CSV = (
    "Report_No,Reported_Date,Offense,Race,Sex,Age\r\n"
    "KC20000001,01/01/2020,Assault,B,F,30\r\n"
    "KC20000002,01/01/2020,Assault,B,F,ninety\r\n"
)


@pytest.fixture
def run(tmp_path: Path) -> ImportRun:
    path = tmp_path / "feed.csv"
    path.write_text(CSV)
    return importer.import_file(path)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("director", 200),
        ("program_manager", 200),
        ("analyst", 200),
        ("system_admin", 200),
        ("case_manager", 403),
        ("victim_advocate", 403),
        ("partner_user", 403),
        ("auditor", 403),
    ],
)
def test_who_sees_the_import_runs(client_for, run, role, status) -> None:
    client = client_for(user_with_role(role))
    assert client.get(reverse("incidents:runs")).status_code == status
    assert client.get(reverse("incidents:run", args=[run.pk])).status_code == status


def test_the_run_page_gives_reasons_to_all_and_row_text_to_administrators(client_for, run):
    manager = client_for(user_with_role("program_manager"))
    page = manager.get(reverse("incidents:run", args=[run.pk])).content.decode()
    assert "age &#x27;ninety&#x27; is not a number" in page
    assert "KC20000002" not in page

    admin = client_for(user_with_role("system_admin"))
    assert "KC20000002" in admin.get(reverse("incidents:run", args=[run.pk])).content.decode()


def test_the_rejected_rows_export_is_for_administrators_and_audited(client_for, run) -> None:
    url = reverse("incidents:rejected_csv", args=[run.pk])
    assert client_for(user_with_role("analyst")).get(url).status_code == 403

    admin = user_with_role("system_admin")
    response = client_for(admin).get(url)
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0] == "line_number,reason,raw"
    assert "KC20000002" in body and "KC20000001" not in body
    assert AuditEntry.objects.filter(actor=admin, action=AuditAction.EXPORT).exists()


def test_the_list_filters_by_status_and_an_unknown_run_is_not_found(client_for, run) -> None:
    client = client_for(user_with_role("director"))
    assert b"feed.csv" in client.get(reverse("incidents:runs") + "?status=completed").content
    assert b"feed.csv" not in client.get(reverse("incidents:runs") + "?status=failed").content
    assert client.get(reverse("incidents:run", args=[run.pk + 99])).status_code == 404


# --- Incident search, detail, export and API ----------------------------------------------

FEED = (
    "Report_No,Reported_Date,Offense,IBRS,Beat,Address,Zip Code,DVFlag,Involvement,"
    "KCPD_Person_Number,Last_Name,First_Name,DOB\r\n"
    "KC20000001,01/05/2020,Domestic Violence Assault,13B,332,3400  NORTON AV,64130,Y,SUS,"
    "700001,CRANE,DALE,1980-02-02\r\n"
    "KC20000002,02/05/2020,Stealing From Auto,23F,133,4000  MILL ST,64111,N,VIC,,,,\r\n"
)


@pytest.fixture
def loaded(tmp_path: Path) -> ImportRun:
    path = tmp_path / "feed.csv"
    path.write_text(FEED)
    return importer.import_file(path)


def _search(client, **params) -> str:
    return client.get(reverse("incidents:list"), params).content.decode()


def test_incident_search_filters_by_each_field(client_for, loaded) -> None:
    client = client_for(user_with_role("analyst"))
    assert "KC20000001" in _search(client) and "KC20000002" in _search(client)
    for params in (
        {"dv": "yes"},
        {"offense": "domestic"},
        {"offense": "13B"},
        {"beat": "332"},
        {"zip_code": "64130"},
        {"address": "norton"},
        {"since": "2020-01-01", "until": "2020-01-31"},
    ):
        page = _search(client, **params)
        assert "KC20000001" in page and "KC20000002" not in page, params


def test_bad_search_input_explains_itself(client_for, loaded) -> None:
    client = client_for(user_with_role("analyst"))
    page = _search(client, zip_code="6413", since="2020-02-01", until="2020-01-01")
    assert "Enter a 5-digit ZIP code." in page
    assert "The end of the range is before its start." in page
    assert "KC20000001" not in page


def test_the_linked_person_shows_only_to_roles_cleared_for_them_and_is_audited(
    client_for, loaded
) -> None:
    from jcihub.audit.models import AuditEntry as Entry
    from jcihub.incidents.models import Incident

    incident = Incident.objects.get(report_number="KC20000001")
    url = reverse("incidents:detail", args=[incident.pk])
    case_manager = user_with_role("case_manager")
    page = client_for(case_manager).get(url).content.decode()
    assert "DALE CRANE" in page
    assert Entry.objects.filter(actor=case_manager, summary__contains="incident page").exists()

    analyst_page = client_for(user_with_role("analyst")).get(url).content.decode()
    assert "DALE CRANE" not in analyst_page
    assert "Linked to a record you cannot open" in analyst_page


def test_the_incident_export_has_no_people_and_is_audited(client_for, loaded) -> None:
    analyst = user_with_role("analyst")
    response = client_for(analyst).get(reverse("incidents:export"), {"dv": "yes"})
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0].startswith("report_number,reported_date")
    assert "KC20000001" in body and "KC20000002" not in body and "CRANE" not in body
    assert AuditEntry.objects.filter(actor=analyst, action=AuditAction.EXPORT).exists()
    bad = client_for(analyst).get(reverse("incidents:export"), {"zip_code": "x"})
    assert bad.status_code == 400


def test_the_incident_api_searches_like_the_page(client_for, loaded) -> None:
    client = client_for(user_with_role("program_manager"))
    listed = client.get("/api/v1/incidents/", {"dv": "yes"}).json()
    assert [i["report_number"] for i in listed["results"]] == ["KC20000001"]
    detail = client.get(f"/api/v1/incidents/{listed['results'][0]['id']}/").json()
    assert detail["parties"][0]["involvement"] == "SUS"
    assert "person" not in detail["parties"][0]
    bad = client.get("/api/v1/incidents/", {"since": "yesterday"})
    assert bad.status_code == 400 and "since" in bad.json()
