"""Account actions, each audited."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from jcihub.audit.models import AuditAction
from jcihub.audit.services import field_changes, record

from .models import Role, Team, User, new_session_generation


@transaction.atomic
def create_user(
    actor: Any,
    *,
    username: str,
    password: str,
    role_code: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    teams: Iterable[Team] = (),
) -> User:
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "That username is taken."})
    role = Role.objects.filter(code=role_code, disabled_on__isnull=True).first()
    if role is None:
        raise ValidationError({"role": f"Unknown role {role_code!r}."})
    user = User(
        username=username, first_name=first_name, last_name=last_name, email=email, role=role
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    user.teams.set(list(teams))
    record(
        actor,
        AuditAction.CREATE,
        user,
        summary=f"Created user {username}",
        changes=field_changes(
            {},
            {
                "username": username,
                "role": role_code,
                "teams": sorted(t.name for t in user.teams.all()),
            },
        ),
    )
    return user


@transaction.atomic
def update_user(
    actor: Any,
    user: User,
    *,
    role_code: str,
    is_active: bool,
    teams: Iterable[Team],
    first_name: str,
    last_name: str,
    email: str,
) -> User:
    before = {
        "role": user.role_id,
        "is_active": user.is_active,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "teams": sorted(t.name for t in user.teams.all()),
    }
    user.role = Role.objects.get(code=role_code)
    user.is_active, user.first_name, user.last_name, user.email = (
        is_active,
        first_name,
        last_name,
        email,
    )
    if not is_active:
        user.session_generation = new_session_generation()
        Token.objects.filter(user=user).delete()
    user.full_clean()
    user.save()
    user.teams.set(list(teams))
    after = {
        "role": user.role_id,
        "is_active": user.is_active,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "teams": sorted(t.name for t in user.teams.all()),
    }
    changes = field_changes(before, after)
    if changes:
        record(
            actor,
            AuditAction.UPDATE,
            user,
            summary=f"Changed user {user.username}",
            changes=changes,
        )
    return user


@transaction.atomic
def sign_out_everywhere(user: User) -> None:
    """End every session and revoke API tokens: a new session generation invalidates them."""
    user.session_generation = new_session_generation()
    user.save(update_fields=["session_generation"])
    Token.objects.filter(user=user).delete()
    record(user, AuditAction.LOGOUT_EVERYWHERE, user, summary="Signed out of every session")


@transaction.atomic
def issue_api_token(user: User) -> Token:
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    record(
        user,
        AuditAction.CREATE,
        object_type="authtoken.token",
        object_id=str(user.pk),
        summary="Issued a new API token (any earlier token revoked)",
    )
    return token


@transaction.atomic
def revoke_api_token(user: User) -> None:
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        record(
            user,
            AuditAction.DELETE,
            object_type="authtoken.token",
            object_id=str(user.pk),
            summary="Revoked API token",
        )


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled, created on first request."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def confirm_totp_device(user: User, device: TOTPDevice, code: str) -> bool:
    if not device.verify_token(code):
        record(user, AuditAction.MFA, summary="Authenticator enrolment code rejected")
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(user, AuditAction.MFA, summary="Enrolled an authenticator app")
    return True


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
