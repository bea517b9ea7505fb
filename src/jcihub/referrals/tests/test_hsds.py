"""HSDS import and export: the example documents come back unchanged, the export passes
the HSDS schemas, importing again changes nothing, and a bad file loads nothing while
saying, record by record, what is wrong."""

import copy
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from jcihub.audit.models import AuditEntry
from jcihub.referrals import hsds
from jcihub.referrals.exporter import organization_documents, service_document, write_export
from jcihub.referrals.importer import DirectoryImportError, import_documents, read_documents
from jcihub.referrals.models import Organization, Phone, Service

pytestmark = pytest.mark.django_db

SHARED = Path(__file__).resolve().parents[5] / "shared" / "data"
EXAMPLES = SHARED / "hsds" / "3.0" / "examples"


def example(name: str) -> dict[str, Any]:
    if not EXAMPLES.exists():
        pytest.skip("../shared/data/hsds is not present")
    return json.loads((EXAMPLES / name).read_text())


def canonical(value: Any) -> Any:
    """Order-free form: HSDS gives no meaning to the order of a list's objects."""
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


@pytest.fixture
def schemas() -> Iterator[None]:
    if not hsds.schemas_available():
        pytest.skip("../shared/data/hsds is not present")
    yield


def test_the_service_full_example_comes_back_unchanged() -> None:
    document = example("service_full.json")
    import_documents([document])
    exported = service_document(Service.objects.get())
    assert canonical(exported) == canonical(document)


def test_the_organization_full_example_comes_back_unchanged() -> None:
    document = example("organization_full.json")
    import_documents([document])
    assert [canonical(d) for d in organization_documents()] == [canonical(document)]


def test_a_phone_listed_in_five_places_is_one_row_linked_to_all() -> None:
    import_documents([example("service_full.json")])
    phone = Phone.objects.get()
    links = (phone.organization_id, phone.service_id, phone.location_id, phone.contact_id)
    assert all(links) and phone.service_at_location_id


def test_importing_again_changes_nothing() -> None:
    document = example("service_full.json")
    first = import_documents([document])
    again = import_documents([document])
    assert first.total(0) == 14 and again.total(0) == again.total(1) == 0
    assert again.total(2) == first.total(0)


def test_a_changed_field_is_updated_in_place() -> None:
    document = example("service_full.json")
    import_documents([document])
    document["name"] = "Community Counselling (evenings)"
    summary = import_documents([document])
    assert summary.counts["service"] == [0, 1, 0]
    assert Service.objects.get().name == "Community Counselling (evenings)"


def test_the_export_validates_against_the_hsds_schemas(schemas: None, tmp_path: Path) -> None:
    import_documents([example("organization_full.json")])
    guide = [str(SHARED / "services"), "--format", "streetmedicinekc", "--no-progress"]
    call_command("directory", "import", *guide, stdout=io.StringIO())
    out = tmp_path / "directory.json"
    assert write_export(out) == Organization.objects.count() > 20
    documents = json.loads(out.read_text())
    problems = [p for d in documents for p in hsds.schema_errors(d, "organization")]
    assert not problems
    # The service_full shape (organisation embedded) passes too.
    for service in Service.objects.all()[:5]:
        assert not list(hsds.schema_errors(service_document(service), "service"))


def test_the_export_file_imports_back_as_it_was(tmp_path: Path) -> None:
    import_documents([example("organization_full.json")])
    out = tmp_path / "directory.json"
    write_export(out)
    summary = import_documents(read_documents(out))
    assert summary.total(0) == summary.total(1) == 0


def test_the_checks_hold_without_the_schema_folder(settings: Any, tmp_path: Path) -> None:
    settings.HSDS_SCHEMA_DIR = tmp_path  # no schemas here
    with pytest.raises(DirectoryImportError) as caught:
        import_documents([{"id": "not-a-uuid", "name": "A", "status": "open"}])
    assert "id: 'not-a-uuid' is not a UUID" in str(caught.value)
    assert "'open' is not one of active" in str(caught.value)


# --- Bad input --------------------------------------------------------------------------


def problems_for(documents: Any) -> list[str]:
    with pytest.raises(DirectoryImportError) as caught:
        import_documents(documents)
    assert not Organization.objects.exists() and not Service.objects.exists()
    return caught.value.problems


def test_a_file_that_is_not_json_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "directory.json"
    path.write_text('[{"id": ')
    with pytest.raises(CommandError, match=r"not JSON: Expecting value at line 1, column 9"):
        call_command("directory", "import", str(path), "--no-progress")


def test_a_file_of_the_wrong_shape_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "directory.json"
    path.write_text("42")
    with pytest.raises(CommandError, match="holds a JSON int"):
        call_command("directory", "import", str(path), "--no-progress")
    assert problems_for(["a service"]) == ["record 1: expected an HSDS object, got str"]
    assert problems_for([]) == ["The file holds no records."]


def test_missing_required_fields_are_listed_per_record(schemas: None) -> None:
    good = example("service_full.json")
    broken = copy.deepcopy(good)
    del broken["name"]
    del broken["phones"][0]["number"]
    problems = problems_for([good, broken])
    assert any(p.startswith("record 2 (service '', id ac148810") for p in problems)
    assert any("'name' is a required property" in p for p in problems)
    assert any("phones[0]: 'number' is a required property" in p for p in problems)
    assert not any(p.startswith("record 1") for p in problems)


def test_a_record_given_twice_is_refused() -> None:
    document = example("service_full.json")
    problems = problems_for([document, document])
    assert problems == [
        "record 2 (service 'Community Counselling', id ac148810-d857-441c-9679-408f346de14b): "
        "the same service id is record 1 too"
    ]


def test_one_id_with_two_different_contents_is_refused() -> None:
    document = example("service_full.json")
    document["contacts"][0]["phones"][0]["number"] = "816-555-0100"
    problems = problems_for([document])
    assert any("phone 1554f2e2-a373-45db-a3fa-9fc48a61c15e is given twice" in p for p in problems)


def test_links_to_records_nowhere_to_be_found_are_refused() -> None:
    service = {
        "id": "6f1a2b7e-1111-4f5a-8c3d-000000000001",
        "name": "Legal aid clinic",
        "status": "active",
        "organization_id": "6f1a2b7e-1111-4f5a-8c3d-000000000002",
    }
    problems = problems_for([service])
    assert (
        "organization_id 6f1a2b7e-1111-4f5a-8c3d-000000000002 is neither in the file"
        in (problems[0])
    )
    del service["organization_id"]
    assert "has no organization" in problems_for([service])[0]


def test_an_import_and_its_counts_are_in_the_audit_trail() -> None:
    import_documents([example("service_full.json")], source="partners.json")
    entry = AuditEntry.objects.get(object_type="referrals.directory")
    assert "Directory import partners.json" in entry.summary
    assert entry.changes["service"] == {"created": 1, "updated": 0, "unchanged": 0}


def test_an_id_that_is_not_text_or_is_missing_is_named() -> None:
    problems = problems_for([{"id": 42, "name": "A", "description": "B"}, {"name": "C"}])
    assert problems[0].endswith("id: 42 is not a UUID") or "42 is not" in " ".join(problems)
    assert any(p.startswith("record 2") and "'id'" in p for p in problems)
