"""Users, roles, teams and partner organisations."""

import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac

from .roles import RoleCode


class Role(models.Model):
    """A role from `roles.ROLE_DEFINITIONS`; rows are written by migration, never by hand."""

    code = models.CharField(max_length=40, primary_key=True, choices=RoleCode.choices)
    label = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    disabled_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class Team(models.Model):
    """A programme team, partner organisation or agency that users belong to."""

    class Kind(models.TextChoices):
        PROGRAM_TEAM = "program_team", "Programme team"
        PARTNER_ORGANIZATION = "partner_org", "Partner organisation"
        AGENCY = "agency", "Agency"

    class AgencyType(models.TextChoices):
        NONE = "", "Not an agency"
        POLICE = "police", "Police"
        PROSECUTOR = "prosecutor", "Prosecutor"
        COURT = "court", "Court"
        CITY_DEPARTMENT = "city_department", "City department"
        CORRECTIONS = "corrections", "Corrections"

    name = models.CharField(max_length=160, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    agency_type = models.CharField(
        max_length=20, choices=AgencyType.choices, blank=True, default=AgencyType.NONE
    )
    disabled_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def new_session_generation() -> str:
    return secrets.token_hex(16)


class User(AbstractUser):
    """A staff or partner user. One role; zero or more teams."""

    role = models.ForeignKey(Role, on_delete=models.PROTECT, null=True, blank=True)
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    # Part of the session hash: rotating it signs the user out of every session.
    session_generation = models.CharField(max_length=32, default=new_session_generation)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_code(self) -> str:
        return self.role_id or ""

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django drops a session whose stored hash no longer matches this value, so a new
        # session_generation (sign out everywhere) ends every session, as a new password does.
        key_salt = "jcihub.accounts.User.session_auth_hash"
        value = f"{self.password}:{self.session_generation}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()
