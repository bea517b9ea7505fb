"""The department's roles, defined in code; a data migration writes them as Role rows.

What each role may do lives in `jcihub.access.policy`, not here: this module only
names the roles so that both the database and the policy speak of the same ones.
"""

from dataclasses import dataclass
from typing import Any

from django.db import models


class RoleCode(models.TextChoices):
    DIRECTOR = "director", "Director"
    PROGRAM_MANAGER = "program_manager", "Program manager"
    CASE_MANAGER = "case_manager", "Case manager"
    VICTIM_ADVOCATE = "victim_advocate", "Victim advocate"
    IPVI_COORDINATOR = "ipvi_coordinator", "IPVI coordinator"
    OUTREACH_WORKER = "outreach_worker", "Outreach worker"
    REENTRY_NAVIGATOR = "reentry_navigator", "Reentry navigator"
    CORRECTIONS_OFFICER = "corrections_officer", "Corrections officer"
    CUSTODY_HEALTH = "custody_health", "Custody health staff"
    TASKFORCE_COORDINATOR = "taskforce_coordinator", "Taskforce coordinator"
    AGENCY_LIAISON = "agency_liaison", "Agency liaison"
    PARTNER_USER = "partner_user", "Partner organisation user"
    ANALYST = "analyst", "Analyst"
    AUDITOR = "auditor", "Auditor"
    SYSTEM_ADMIN = "system_admin", "System administrator"


@dataclass(frozen=True)
class RoleDefinition:
    code: str
    label: str
    description: str


ROLE_DEFINITIONS: tuple[RoleDefinition, ...] = (
    RoleDefinition(
        RoleCode.DIRECTOR,
        "Director",
        "Leads the department; sees department-wide records and reports.",
    ),
    RoleDefinition(
        RoleCode.PROGRAM_MANAGER,
        "Program manager",
        "Runs one or more programmes and supervises their staff.",
    ),
    RoleDefinition(
        RoleCode.CASE_MANAGER, "Case manager", "Works a caseload of programme participants."
    ),
    RoleDefinition(
        RoleCode.VICTIM_ADVOCATE,
        "Victim advocate",
        "Reaches and supports victims; the only role that sees victim-locating "
        "information by default.",
    ),
    RoleDefinition(
        RoleCode.IPVI_COORDINATOR,
        "IPVI coordinator",
        "Runs the intimate-partner violence focused deterrence programme.",
    ),
    RoleDefinition(
        RoleCode.OUTREACH_WORKER, "Outreach worker", "Violence interruption and street outreach."
    ),
    RoleDefinition(
        RoleCode.REENTRY_NAVIGATOR,
        "Reentry navigator",
        "Plans and supports returning citizens' reentry.",
    ),
    RoleDefinition(
        RoleCode.CORRECTIONS_OFFICER,
        "Corrections officer",
        "Custody operations: bookings, housing, checks, transports.",
    ),
    RoleDefinition(
        RoleCode.CUSTODY_HEALTH,
        "Custody health staff",
        "Medical and behavioural-health care for people in custody (HIPAA).",
    ),
    RoleDefinition(
        RoleCode.TASKFORCE_COORDINATOR,
        "Taskforce coordinator",
        "Coordinates the Multidisciplinary Public Safety Taskforce.",
    ),
    RoleDefinition(
        RoleCode.AGENCY_LIAISON,
        "Agency liaison",
        "Police, prosecutor or city department staff working assigned cases.",
    ),
    RoleDefinition(
        RoleCode.PARTNER_USER,
        "Partner organisation user",
        "Staff of a community partner; sees only people who consented to share "
        "with their organisation.",
    ),
    RoleDefinition(
        RoleCode.ANALYST, "Analyst", "Builds aggregate measures and reports; no individual records."
    ),
    RoleDefinition(RoleCode.AUDITOR, "Auditor", "Reviews the audit trail and access to records."),
    RoleDefinition(
        RoleCode.SYSTEM_ADMIN,
        "System administrator",
        "Manages user accounts and teams; no access to case records.",
    ),
)


def write_roles(role_model: Any) -> None:
    """Create or update a Role row for every definition above. Migrations pass their
    historical model; tests that flush the database (browser tests) pass the real one."""
    for definition in ROLE_DEFINITIONS:
        role_model.objects.update_or_create(
            code=definition.code,
            defaults={"label": definition.label, "description": definition.description},
        )
