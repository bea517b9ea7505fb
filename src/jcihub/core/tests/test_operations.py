import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from jcihub.accounts.models import User
from jcihub.core import timeline
from jcihub.core.sensitivity import Sensitivity
from jcihub.people.models import Person

ROOT = Path(__file__).resolve().parents[4]


@pytest.mark.django_db
def test_healthz_reports_the_database(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def _production_env(**extra: str) -> dict[str, str]:
    # Nothing of the test run's own environment (the browser tests allow Django's async-unsafe
    # ORM calls, which `check --deploy` rightly refuses in production).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("JCIHUB_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        JCIHUB_SECRET_KEY="a" * 30 + "production-like-secret-key-value-xyz",
        JCIHUB_ALLOWED_HOSTS="jcihub.kcmo.example",
        **extra,
    )
    return env


def test_deploy_checks_are_clean_under_production_settings() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = _production_env()
    del env["JCIHUB_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "jcihub.settings", "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0 and "JCIHUB_SECRET_KEY is not set" in result.stderr


def test_production_defaults_are_safe() -> None:
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_SSL_REDIRECT, s.REQUIRE_MFA)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={
            **_production_env(),
            "DJANGO_SETTINGS_MODULE": "jcihub.settings",
            "PYTHONPATH": str(ROOT / "src"),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.split() == ["False", "True", "True", "31536000", "True", "True"]


@pytest.mark.django_db
def test_every_response_carries_a_content_security_policy(client) -> None:
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_seed_demo_is_deterministic_and_loads_once() -> None:
    call_command("seed_demo", "--seed", "7", "--people", "120", stdout=io.StringIO())
    first = list(
        Person.objects.order_by("id").values_list("given_name", "family_name", "birth_date")
    )
    out = io.StringIO()
    call_command("seed_demo", "--seed", "7", "--people", "120", stdout=out)
    assert "already loaded" in out.getvalue()
    assert Person.objects.count() == 120
    assert User.objects.filter(username="advocate", role_id="victim_advocate").exists()
    # Each programme's demo work went through its real services.
    from jcihub.ipvi.victims import ContactAttempt
    from jcihub.taskforce.models import TaskforceCase

    assert ContactAttempt.objects.filter(outcome="reached").exists()
    assert TaskforceCase.objects.filter(items__isnull=False).exists()
    from jcihub.people.demo import PeopleGenerator

    regenerated = [
        (g.person.given_name, g.person.family_name, g.person.birth_date)
        for g in PeopleGenerator(7).people(120)
    ]
    assert first == regenerated


def test_the_timeline_shows_only_the_sensitivities_it_is_told(monkeypatch) -> None:
    import datetime as dt

    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    events = [
        timeline.TimelineEvent(now, "test", "x", "open"),
        timeline.TimelineEvent(now, "test", "x", "secret", sensitivity=Sensitivity.HEALTH),
    ]
    monkeypatch.setattr(timeline, "_providers", {"test": lambda person_id: events})
    assert [e.title for e in timeline.events_for(1, {Sensitivity.GENERAL})] == ["open"]
