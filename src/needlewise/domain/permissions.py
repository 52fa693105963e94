"""Who may do what in a clinic: the one written permission table, enforced by ``needlewise.clinic``.

Every clinic record belongs to one clinic; a staff member acts only inside their own clinic, whatever
the table says. The table answers the second question: inside their clinic, may this role do this?

| action             | owner | provider | nurse | aesthetician | front_desk |
|--------------------|:-----:|:--------:|:-----:|:------------:|:----------:|
| view_clients       |   x   |    x     |   x   |      x       |     x      |
| edit_clients       |   x   |    x     |   x   |      x       |     x      |
| archive_clients    |   x   |    x     |       |              |            |
| view_health        |   x   |    x     |   x   |      x       |            |
| screen_clients     |       |    x     |   x   |      x       |            |
| record_clearance   |       |    x     |       |              |            |
| manage_intake      |   x   |    x     |   x   |              |            |
| manage_staff       |   x   |          |       |              |            |
| edit_clinic_page   |   x   |          |       |              |            |
| view_audit         |   x   |          |       |              |            |
| manage_consent     |   x   |    x     |       |              |            |
| record_treatment   |       |    x     |   x   |      x       |            |
| run_recall         |   x   |    x     |   x   |              |            |
| manage_schedule    |   x   |    x     |   x   |      x       |     x      |

``view_health`` covers screenings, their answers and reasons, clearances and consultation requests'
assessments: the front desk books people and keeps their contact details, and sees none of that.
Clearance of a ``medical_review`` or ``stop`` result is a medical decision: providers only (MD/DO/NP).
``manage_consent`` writes new consent-template versions (the clinic's wording around the knowledge
base's risks). ``record_treatment`` covers signing consent with a client, treatment plans, session
records and photos, adverse events and acknowledging check-in alerts: the practitioners' work.
``run_recall`` lists who a cartridge lot or device touched, exports it and marks clients for contact.
``manage_schedule`` books appointments and shows day lists (times and names, no health data).
``manage_staff`` also covers the Messages page (the clinic's queued, sent and failed e-mails, which
go to its staff today: invitations, password links, check-in alerts) and resending a failed one.

An owner may also hold one clinical role (provider, nurse or aesthetician), so that a one-person
clinic works with one account: an owner-nurse may do what an owner and what a nurse may, the union of
the two columns (:func:`actions_of`, the one place it is worked out), and treats within the wider of
the two needle scopes (an owner's own scope is none).

Two-step sign-in (TOTP) is required for every role that can see health data (``view_health``), and
for the front desk as well: it reads and edits every client's contact details and contact notes
(clinical notes are hidden from it, yet staff can still type health facts such as "on isotretinoin
until May" where the form asks them not to), and its client list and day lists say who is being
treated at a medical-aesthetic clinic. So
every role must use a second factor; the table above decides it, not a list kept beside it.

A practitioner's scope is the longest needle they may use without a provider's order. The brief's
one concrete line is Arizona's: aestheticians (cosmetologists) at most 0.5 mm, deeper work being a
nursing or medical procedure on a provider's order (evidence brief §5.2, sources 48 and 49, primary
text unconfirmed). Clinics elsewhere may need a different line; this is the default.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType


class Role(StrEnum):
    """A staff member's role in their clinic."""

    OWNER = "owner"
    PROVIDER = "provider"
    NURSE = "nurse"
    AESTHETICIAN = "aesthetician"
    FRONT_DESK = "front_desk"


class Action(StrEnum):
    """Something a staff member may be allowed to do."""

    VIEW_CLIENTS = "view_clients"
    EDIT_CLIENTS = "edit_clients"
    ARCHIVE_CLIENTS = "archive_clients"
    VIEW_HEALTH = "view_health"
    SCREEN_CLIENTS = "screen_clients"
    RECORD_CLEARANCE = "record_clearance"
    MANAGE_INTAKE = "manage_intake"
    MANAGE_STAFF = "manage_staff"
    EDIT_CLINIC_PAGE = "edit_clinic_page"
    VIEW_AUDIT = "view_audit"
    MANAGE_CONSENT = "manage_consent"
    RECORD_TREATMENT = "record_treatment"
    RUN_RECALL = "run_recall"
    MANAGE_SCHEDULE = "manage_schedule"


_A = Action
PERMISSIONS: MappingProxyType[Role, frozenset[Action]] = MappingProxyType(
    {
        Role.OWNER: frozenset(
            {
                _A.VIEW_CLIENTS,
                _A.EDIT_CLIENTS,
                _A.ARCHIVE_CLIENTS,
                _A.VIEW_HEALTH,
                _A.MANAGE_INTAKE,
                _A.MANAGE_STAFF,
                _A.EDIT_CLINIC_PAGE,
                _A.VIEW_AUDIT,
                _A.MANAGE_CONSENT,
                _A.RUN_RECALL,
                _A.MANAGE_SCHEDULE,
            }
        ),
        Role.PROVIDER: frozenset(
            {
                _A.VIEW_CLIENTS,
                _A.EDIT_CLIENTS,
                _A.ARCHIVE_CLIENTS,
                _A.VIEW_HEALTH,
                _A.SCREEN_CLIENTS,
                _A.RECORD_CLEARANCE,
                _A.MANAGE_INTAKE,
                _A.MANAGE_CONSENT,
                _A.RECORD_TREATMENT,
                _A.RUN_RECALL,
                _A.MANAGE_SCHEDULE,
            }
        ),
        Role.NURSE: frozenset(
            {
                _A.VIEW_CLIENTS,
                _A.EDIT_CLIENTS,
                _A.VIEW_HEALTH,
                _A.SCREEN_CLIENTS,
                _A.MANAGE_INTAKE,
                _A.RECORD_TREATMENT,
                _A.RUN_RECALL,
                _A.MANAGE_SCHEDULE,
            }
        ),
        Role.AESTHETICIAN: frozenset(
            {
                _A.VIEW_CLIENTS,
                _A.EDIT_CLIENTS,
                _A.VIEW_HEALTH,
                _A.SCREEN_CLIENTS,
                _A.RECORD_TREATMENT,
                _A.MANAGE_SCHEDULE,
            }
        ),
        Role.FRONT_DESK: frozenset({_A.VIEW_CLIENTS, _A.EDIT_CLIENTS, _A.MANAGE_SCHEDULE}),
    }
)

#: The clinical roles an owner may hold as well (a one-person clinic: one account).
CLINICAL_ROLES: frozenset[Role] = frozenset({Role.PROVIDER, Role.NURSE, Role.AESTHETICIAN})

#: Roles that must use a second factor (TOTP) to sign in: those that see health data, and the front
#: desk, whose client records' notes and day lists can reveal it (see the module's documentation).
SECOND_FACTOR_REQUIRED: frozenset[Role] = frozenset(
    {role for role, actions in PERMISSIONS.items() if Action.VIEW_HEALTH in actions} | {Role.FRONT_DESK}
)

#: Longest needle (mm) each role may use without a provider's order; None: limited only by the
#: knowledge base's ranges; 0: performs no needling.
NEEDLE_SCOPE_MM: MappingProxyType[Role, float | None] = MappingProxyType(
    {
        Role.OWNER: 0.0,
        Role.PROVIDER: None,
        Role.NURSE: None,
        Role.AESTHETICIAN: 0.5,
        Role.FRONT_DESK: 0.0,
    }
)


def actions_of(role: Role, clinical_role: Role | None = None) -> frozenset[Action]:
    """What a staff member may do: their role's actions, and their clinical role's too (owners only)."""
    if clinical_role is None:
        return PERMISSIONS[role]
    return PERMISSIONS[role] | PERMISSIONS[clinical_role]


def allows(role: Role, action: Action, clinical_role: Role | None = None) -> bool:
    """Whether ``role`` (with its ``clinical_role``, if any) may perform ``action`` inside its own clinic."""
    return action in actions_of(role, clinical_role)


def needs_second_factor(role: Role) -> bool:
    """Whether ``role`` must sign in with TOTP (every role does: see the module's documentation)."""
    return role in SECOND_FACTOR_REQUIRED


def needle_scope_mm(role: Role, clinical_role: Role | None = None) -> float | None:
    """The longest needle (mm) a staff member may use without a provider's order: the wider of their roles'.

    None: limited only by the knowledge base's ranges (wider than any length).
    """
    scopes = [NEEDLE_SCOPE_MM[r] for r in (role, clinical_role) if r is not None]
    if None in scopes:
        return None
    return max(s for s in scopes if s is not None)
