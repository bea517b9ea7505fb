import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from jcihub.audit.models import GENESIS_HASH, AppendOnlyError, AuditAction, AuditEntry
from jcihub.audit.services import field_changes, record, verify_chain

pytestmark = pytest.mark.django_db


def _three_entries() -> list[AuditEntry]:
    return [record(None, AuditAction.VIEW, summary=f"entry {i}") for i in range(3)]


def test_each_entry_links_to_the_one_before() -> None:
    first, second, third = _three_entries()
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.entry_hash
    assert third.prev_hash == second.entry_hash


def test_an_untouched_chain_verifies() -> None:
    _three_entries()
    report = verify_chain()
    assert report.is_intact and report.checked == 3


def test_entries_cannot_be_changed_or_deleted_through_the_application() -> None:
    entry = _three_entries()[0]
    entry.summary = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(summary="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's trigger refuses this")
def test_verify_reports_the_first_entry_changed_behind_the_applications_back() -> None:
    _first, second, _third = _three_entries()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET summary = 'forged' WHERE id = %s", [second.pk])
    report = verify_chain()
    assert report.first_broken_id == second.pk
    assert "content" in report.problem
    with pytest.raises(CommandError, match=f"broken at entry {second.pk}"):
        call_command("audit", "verify")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's trigger refuses this")
def test_verify_notices_a_removed_entry() -> None:
    _first, second, third = _three_entries()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [second.pk])
    assert verify_chain().first_broken_id == third.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditentry SET summary = 'forged'",
        "DELETE FROM audit_auditentry",
    ],
)
def test_postgresql_refuses_update_and_delete_on_the_audit_table(statement: str) -> None:
    _three_entries()
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert verify_chain().is_intact


def test_field_changes_lists_only_what_differs() -> None:
    assert field_changes({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == {
        "b": {"old": 2, "new": 3},
        "c": {"old": None, "new": 4},
    }


def test_audit_verify_command_reports_an_intact_chain(capsys: pytest.CaptureFixture[str]) -> None:
    _three_entries()
    call_command("audit", "verify")
    assert "3 entries verified" in capsys.readouterr().out


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "since=0138-02-24T08:30:29-19:17",  # ISO allows the offset; PostgreSQL does not
        "until=0001-01-01T00:00:00%2B05:00",  # before year 1 in UTC
        "since=9999-12-31T23:00:00-05:00",  # after year 9999 in UTC
    ],
)
def test_the_audit_api_answers_odd_instants_without_failing(client_for, query) -> None:
    from jcihub.core.tests.factories import user_with_role

    response = client_for(user_with_role("auditor")).get(f"/api/v1/audit-entries/?{query}")
    assert response.status_code == 200
