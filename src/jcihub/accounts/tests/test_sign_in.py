import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import TEST_PASSWORD, user_with_role

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def _sign_in(client: Client, username: str, password: str = TEST_PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def _current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def test_signing_in_is_audited() -> None:
    user = user_with_role("case_manager")
    response = _sign_in(Client(), user.username)
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN, actor=user).exists()


def test_a_failed_sign_in_is_audited_with_the_attempted_username() -> None:
    user = user_with_role("case_manager")
    response = _sign_in(Client(), user.username, "wrong-password-123")
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert user.username in entry.summary


def test_the_account_locks_after_repeated_failures() -> None:
    user = user_with_role("case_manager")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, user.username, "wrong-password-123")
    response = _sign_in(client, user.username)  # even the right password is refused now
    assert response.status_code == 429
    assert b"temporarily locked" in response.content


@override_settings(REQUIRE_MFA=True)
def test_where_mfa_is_required_a_user_without_an_authenticator_must_enrol() -> None:
    user = user_with_role("case_manager")
    client = Client()
    _sign_in(client, user.username)
    response = client.get("/people/")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:mfa_setup")


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)  # a wrong code otherwise delays the next try
def test_a_user_with_an_authenticator_must_give_a_code_before_reaching_records() -> None:
    user = user_with_role("case_manager")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    _sign_in(client, user.username)
    assert client.get("/people/")["Location"].startswith(reverse("accounts:mfa_verify"))
    wrong = client.post(reverse("accounts:mfa_verify"), {"code": "000000", "next": "/people/"})
    assert b"not right" in wrong.content
    right = client.post(
        reverse("accounts:mfa_verify"), {"code": _current_code(device), "next": "/people/"}
    )
    assert right["Location"] == "/people/"
    assert client.get("/people/").status_code == 200


def test_enrolling_an_authenticator_confirms_it_with_a_code() -> None:
    user = user_with_role("case_manager")
    client = Client()
    client.force_login(user)
    page = client.get(reverse("accounts:mfa_setup"))
    assert page.status_code == 200 and b"data:image/svg+xml" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(reverse("accounts:mfa_setup"), {"code": _current_code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action=AuditAction.MFA, actor=user).exists()


def test_signing_out_everywhere_ends_every_session_and_revokes_the_api_token() -> None:
    user = user_with_role("case_manager")
    laptop, phone = Client(), Client()
    laptop.force_login(user)
    phone.force_login(user)
    Token.objects.create(user=user)
    laptop.post(reverse("accounts:logout_everywhere"))
    assert phone.get("/people/").status_code == 302  # back to sign-in
    assert not Token.objects.filter(user=user).exists()


def test_sign_out_needs_a_post() -> None:
    user = user_with_role("case_manager")
    client = Client()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405


def test_sessions_expire_after_thirty_idle_minutes() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_passwords_are_hashed_with_argon2() -> None:
    user = user_with_role("case_manager")
    assert user.password.startswith("argon2")


def test_next_parameter_cannot_redirect_off_site() -> None:
    user = user_with_role("case_manager")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    _sign_in(client, user.username)
    response = client.post(
        reverse("accounts:mfa_verify"),
        {"code": _current_code(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"
