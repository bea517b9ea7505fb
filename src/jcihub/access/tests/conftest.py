"""Fixtures for the access tests."""

import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """These tests create a user for every role; Argon2 would spend seconds hashing the
    factories' password. Sign-in tests (accounts) keep the production hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
