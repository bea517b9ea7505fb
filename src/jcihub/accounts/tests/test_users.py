import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from jcihub.accounts.models import Role, User
from jcihub.accounts.roles import ROLE_DEFINITIONS, RoleCode
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import TeamFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_every_role_in_the_code_exists_after_migration() -> None:
    assert set(Role.objects.values_list("code", flat=True)) == set(RoleCode.values)
    assert len(ROLE_DEFINITIONS) == len(RoleCode.values)


def test_createuser_makes_a_user_with_role_and_team(monkeypatch: pytest.MonkeyPatch) -> None:
    TeamFactory(name="Victim Services Team")
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-passphrase\n"))
    call_command(
        "createuser",
        "alice",
        "--role",
        "victim_advocate",
        "--team",
        "Victim Services Team",
        "--password-stdin",
        stdout=io.StringIO(),
    )
    alice = User.objects.get(username="alice")
    assert alice.role_id == "victim_advocate"
    assert [t.name for t in alice.teams.all()] == ["Victim Services Team"]
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(alice.pk)).exists()


def test_createuser_refuses_a_weak_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("password\n"))
    with pytest.raises(CommandError):
        call_command("createuser", "bob", "--role", "analyst", "--password-stdin")
    assert not User.objects.filter(username="bob").exists()


def test_an_administrator_creates_and_deactivates_a_user(client_for) -> None:
    admin = user_with_role("system_admin")
    client = client_for(admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "new.navigator",
            "password": "a-long-enough-passphrase",
            "role": "reentry_navigator",
            "first_name": "Nia",
            "last_name": "Cole",
            "email": "",
        },
    )
    assert response.status_code == 302, response.content
    created = User.objects.get(username="new.navigator")
    client.post(
        reverse("accounts:user_edit", args=[created.pk]),
        {
            "role": "reentry_navigator",
            "first_name": "Nia",
            "last_name": "Cole",
            "email": "",
            "is_active": "",
        },
    )
    created.refresh_from_db()
    assert not created.is_active
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(created.pk)).get()
    assert entry.changes["is_active"] == {"old": True, "new": False}


def test_the_user_form_shows_field_errors_and_saves_nothing(client_for) -> None:
    client = client_for(user_with_role("system_admin"))
    response = client.post(
        reverse("accounts:user_create"),
        {"username": "Bad Name!", "password": "short", "role": "nope"},
    )
    assert response.status_code == 200
    assert b"usa-error-message" in response.content
    assert not User.objects.filter(username="Bad Name!").exists()
