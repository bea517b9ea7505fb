"""The access policy for the REST API: the same rules as the pages, applied by DRF.

A viewset names the capability each action needs in `access_capabilities`
(action name → capability; "*" for the rest). Object-level checks call the
viewset's `check_access(user, obj, write)`, which must itself ask `policy`.
"""

from typing import TYPE_CHECKING, Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

if TYPE_CHECKING:  # DRF imports this module while rest_framework.views is loading
    from rest_framework.request import Request
    from rest_framework.views import APIView

from jcihub.audit.models import AuditAction
from jcihub.audit.services import record

from . import policy


def capability_for(view: "APIView") -> str | None:
    table: dict[str, str] = getattr(view, "access_capabilities", {})
    action = getattr(view, "action", None) or (view.request.method or "").lower()
    return table.get(action, table.get("*"))


class PolicyPermission(BasePermission):
    message = "You do not have access to this."

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        capability = capability_for(view)
        if capability is None:
            # An endpoint that names no capability is refused: the safe default.
            return False
        if capability == "signed_in" or policy.has_capability(request.user, capability):
            return True
        record(request.user, AuditAction.DENIED, summary=f"API: lacks {capability}")
        return False

    def has_object_permission(self, request: "Request", view: "APIView", obj: Any) -> bool:
        check = getattr(view, "check_access", None)
        if check is None:
            return False
        allowed = bool(check(request.user, obj, request.method not in SAFE_METHODS))
        if not allowed:
            record(
                request.user,
                AuditAction.DENIED,
                summary="API: object not visible",
                person_id=getattr(obj, "person_id", None) or getattr(obj, "pk", None),
            )
        return allowed
