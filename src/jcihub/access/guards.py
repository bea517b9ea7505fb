"""How views and exports apply the policy: capability gates and guarded object look-ups.

Every URL's view is wrapped by `requires(capability)` or marked `public`; a test walks
the URL configuration and fails for any view that is neither. A protected object is
fetched only through a `get_*_for_user` function here: what the user may not see
answers 404, so a refusal does not reveal that the record exists, and is audited.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase

from jcihub.audit.models import AuditAction
from jcihub.audit.services import record
from jcihub.people.models import Person

from . import policy

View = TypeVar("View", bound=Callable[..., HttpResponseBase])
PUBLIC = "public"
SIGNED_IN = "signed_in"


def _mark(view: View, capability: str) -> View:
    view.access_capability = capability  # type: ignore[attr-defined]
    return view


def public(view: View) -> View:
    """No sign-in needed (sign-in page, health check)."""
    return _mark(view, PUBLIC)


def requires(capability: str = SIGNED_IN) -> Callable[[View], View]:
    """Refuse (and audit) a request whose user lacks the capability."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if capability != SIGNED_IN and not policy.has_capability(request.user, capability):
                deny(request.user, f"lacks {capability}")
            return view(request, *args, **kwargs)

        return cast(View, _mark(guarded, capability))

    return decorate


def deny(user: Any, why: str, *, person_id: int | None = None, not_found: bool = False) -> None:
    """Audit the refusal, then raise 403 (or 404 where existence itself is protected)."""
    record(user, AuditAction.DENIED, person_id=person_id, summary=why)
    raise Http404 if not_found else PermissionDenied(why)


def get_person_for_user(user: Any, pk: Any, *, for_change: bool = False) -> Person:
    """The person, if the user may see (or change) them; 404 otherwise, audited."""
    try:
        person = Person.objects.get(pk=int(pk))
    except (Person.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    allowed = (policy.can_change_person if for_change else policy.can_view_person)(user, person)
    if not allowed:
        deny(user, "person not visible to this user", person_id=person.pk, not_found=True)
    return person
