"""Navigation for the page shell: the areas a user may open, decided by the access policy."""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from jcihub.access import policy


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    section: str


# (label, url name, capability needed, section the request path starts with)
AREAS: tuple[tuple[str, str, str, str], ...] = (
    ("People", "people:list", policy.Cap.PEOPLE_SEARCH, "/people/"),
    ("Incidents", "incidents:list", policy.Cap.INCIDENTS_VIEW, "/incidents/"),
    ("Imports", "incidents:runs", policy.Cap.IMPORTS_VIEW, "/incidents/imports/"),
    ("Places", "places:list", policy.Cap.PLACES_VIEW, "/places/"),
    ("Directory", "directory:search", policy.Cap.DIRECTORY_VIEW, "/directory/"),
    ("Audit trail", "audit:list", policy.Cap.AUDIT_VIEW, "/audit/"),
    ("Users", "accounts:users", policy.Cap.ACCOUNTS_MANAGE, "/accounts/users/"),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "can_search_people": False}
    items = [
        NavItem(label, reverse(name), section)
        for label, name, capability, section in AREAS
        if policy.has_capability(user, capability)
    ]
    return {
        "nav_items": items,
        "can_search_people": policy.has_capability(user, policy.Cap.PEOPLE_SEARCH),
    }
