"""Multi-factor sign-in: a user with an authenticator must use it; where the deployment
requires MFA (production), a user without one must enrol before going further."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .services import has_confirmed_device

# Paths a half-signed-in user may still reach.
_OPEN_PREFIXES = ("/accounts/mfa/", "/accounts/logout/", "/static/", "/healthz")


class RequireMultiFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not getattr(user, "is_verified", lambda: False)()
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            if has_confirmed_device(user):
                return redirect(f"{reverse('accounts:mfa_verify')}?next={request.path}")
            if settings.REQUIRE_MFA:
                return redirect("accounts:mfa_setup")
        return self.get_response(request)
