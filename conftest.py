"""Shared test fixtures: users for every role, people, and signed-in clients."""

from collections.abc import Callable

import pytest
from django.test import Client

from jcihub.accounts.models import User
from jcihub.accounts.roles import RoleCode
from jcihub.core.tests.factories import PersonFactory, user_with_role


@pytest.fixture(autouse=True)
def _mfa_optional(settings):
    """Production requires MFA; tests sign in with force_login, so it is optional here.
    Tests of MFA itself opt back in with @override_settings(REQUIRE_MFA=True)."""
    settings.REQUIRE_MFA = False


@pytest.fixture(autouse=True)
def _attachments_outside_the_project(settings, tmp_path_factory):
    """Files uploaded in tests (taskforce case attachments) go to a temporary folder."""
    settings.TASKFORCE_ATTACHMENT_DIR = tmp_path_factory.getbasetemp() / "attachments"


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    return user_with_role


@pytest.fixture
def person(db: None):
    return PersonFactory()


@pytest.fixture
def client_for(db: None) -> Callable[[User], Client]:
    def signed_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return signed_in


@pytest.fixture(params=list(RoleCode.values))
def any_role(request: pytest.FixtureRequest) -> str:
    return str(request.param)
