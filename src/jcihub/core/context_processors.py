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
    current: bool = False


@dataclass(frozen=True)
class NavMenu:
    """Areas shown under one button in the header; `items` is empty for a plain link."""

    label: str
    link: NavItem
    items: tuple[NavItem, ...] = ()

    @property
    def current(self) -> bool:
        return self.link.current or any(item.current for item in self.items)


# (label, url name, capability needed, section the request path starts with)
AREAS: tuple[tuple[str, str, str, str], ...] = (
    ("People", "people:list", policy.Cap.PEOPLE_SEARCH, "/people/"),
    ("Incidents", "incidents:list", policy.Cap.INCIDENTS_VIEW, "/incidents/"),
    ("Imports", "incidents:runs", policy.Cap.IMPORTS_VIEW, "/incidents/imports/"),
    ("IPVI", "ipvi:queue", policy.Cap.IPVI_VIEW, "/ipvi/"),
    ("IPVI outcomes", "insights:ipvi", policy.Cap.INSIGHTS_IPVI, "/insights/ipvi/"),
    ("Funds", "funds:authorisations", policy.Cap.FUNDS_VIEW, "/funds/"),
    ("Victim outreach", "ipvi_victims:list", policy.Cap.IPVI_VICTIMS_VIEW, "/ipvi/victims/"),
    ("Screening instruments", "programs:instruments", policy.Cap.INSTRUMENTS_VIEW, "/programs/"),
    ("IPVI call-ins", "ipvi:call_ins", policy.Cap.IPVI_VIEW, "/ipvi/call-ins/"),
    ("IPVI re-offences", "ipvi:reoffences", policy.Cap.IPVI_LIAISON, "/ipvi/reoffences/"),
    ("Places", "places:list", policy.Cap.PLACES_VIEW, "/places/"),
    ("Directory", "directory:search", policy.Cap.DIRECTORY_VIEW, "/directory/"),
    ("Referrals", "referrals:list", policy.Cap.REFERRALS_VIEW, "/referrals/"),
    ("Referral report", "referrals:report", policy.Cap.REFERRALS_REPORT, "/referrals/report/"),
    ("Directory changes", "directory:changes", policy.Cap.DIRECTORY_MANAGE, "/directory/changes/"),
    (
        "My directory changes",
        "directory:changes",
        policy.Cap.DIRECTORY_PROPOSE,
        "/directory/changes/",
    ),
    ("Reentry cases", "reentry:list", policy.Cap.REENTRY_VIEW, "/reentry/"),
    ("Reentry report", "reentry:report", policy.Cap.REENTRY_REPORT, "/reentry/report/"),
    ("Taskforce", "taskforce:properties", policy.Cap.TASKFORCE_VIEW, "/taskforce/"),
    ("Taskforce cases", "taskforce:cases", policy.Cap.TASKFORCE_CASEWORK, "/taskforce/cases/"),
    ("My action items", "taskforce:my_items", policy.Cap.TASKFORCE_CASEWORK, "/taskforce/mine/"),
    ("Meetings", "taskforce:meetings", policy.Cap.TASKFORCE_COORDINATE, "/taskforce/meetings/"),
    ("Taskforce report", "taskforce:report", policy.Cap.TASKFORCE_REPORT, "/taskforce/report/"),
    ("Map of flagged properties", "taskforce:map", policy.Cap.TASKFORCE_VIEW, "/taskforce/map/"),
    (
        "Offense categories",
        "taskforce:categories",
        policy.Cap.TASKFORCE_MANAGE,
        "/taskforce/categories/",
    ),
    ("Flag rules", "taskforce:rules", policy.Cap.TASKFORCE_RULES, "/taskforce/rules/"),
    ("Audit trail", "audit:list", policy.Cap.AUDIT_VIEW, "/audit/"),
    ("Users", "accounts:users", policy.Cap.ACCOUNTS_MANAGE, "/accounts/users/"),
)


# Areas the header groups under one menu, so that a role that reaches a dozen areas
# still gets one row of navigation. An area not named here stands alone; a menu of which
# the user may open one area only is a plain link to it.
MENUS = {
    "incidents:list": "Police data",
    "incidents:runs": "Police data",
    "places:list": "Police data",
    "ipvi:queue": "Programmes",
    "insights:ipvi": "Programmes",
    "funds:authorisations": "Programmes",
    "ipvi_victims:list": "Programmes",
    "programs:instruments": "Programmes",
    "ipvi:call_ins": "Programmes",
    "ipvi:reoffences": "Programmes",
    "referrals:list": "Programmes",
    "referrals:report": "Programmes",
    "directory:search": "Programmes",
    "directory:changes": "Programmes",
    "reentry:list": "Programmes",
    "reentry:report": "Programmes",
    "taskforce:properties": "Taskforce",
    "taskforce:cases": "Taskforce",
    "taskforce:categories": "Taskforce",
    "taskforce:rules": "Taskforce",
    "taskforce:my_items": "Taskforce",
    "taskforce:meetings": "Taskforce",
    "taskforce:report": "Taskforce",
    "taskforce:map": "Taskforce",
    "audit:list": "Administration",
    "accounts:users": "Administration",
}


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": [], "can_search_people": False}
    grouped: dict[str, list[NavItem]] = {}
    for label, name, capability, section in AREAS:
        if policy.has_capability(user, capability):
            item = NavItem(label, reverse(name), section, request.path.startswith(section))
            grouped.setdefault(MENUS.get(name, label), []).append(item)
    entries = [
        NavMenu(items[0].label, items[0])
        if len(items) == 1
        else NavMenu(menu, items[0], tuple(items))
        for menu, items in grouped.items()
    ]
    return {
        "nav_entries": entries,
        "can_search_people": policy.has_capability(user, policy.Cap.PEOPLE_SEARCH),
    }
