"""The permission gate: whether the actor's role allows an action, and the audit row of a refusal.

Permission comes from :mod:`needlewise.domain.permissions`, the one written table. A refusal is
recorded in its own transaction, before the use case's own has started. Use cases reach it through
their guard (:mod:`needlewise.clinic.access.guard`).
"""

from __future__ import annotations

from django.db import transaction

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.audit.log import record
from needlewise.domain.permissions import Action
from needlewise.errors import CATALOGUE, N_, NotAllowedError, Problem

#: Each action in words, as a refusal names it ("your role may not view health"): the API's English
#: message keeps the action's name, and a page says these words in its language.
ACTION_WORDS: dict[Action, str] = {
    Action.VIEW_CLIENTS: N_("view clients"),
    Action.EDIT_CLIENTS: N_("edit clients"),
    Action.ARCHIVE_CLIENTS: N_("archive clients"),
    Action.VIEW_HEALTH: N_("view health"),
    Action.SCREEN_CLIENTS: N_("screen clients"),
    Action.RECORD_CLEARANCE: N_("record clearance"),
    Action.MANAGE_INTAKE: N_("manage intake"),
    Action.MANAGE_STAFF: N_("manage staff"),
    Action.EDIT_CLINIC_PAGE: N_("edit clinic page"),
    Action.VIEW_AUDIT: N_("view audit"),
    Action.MANAGE_CONSENT: N_("manage consent"),
    Action.RECORD_TREATMENT: N_("record treatment"),
    Action.RUN_RECALL: N_("run recall"),
    Action.MANAGE_SCHEDULE: N_("manage schedule"),
}


def deny(actor: Actor, action: Action, object_type: str, object_id: object = "", client_id: int | None = None) -> None:
    """Record a refused attempt in its own transaction, then raise :class:`NotAllowedError`."""
    with transaction.atomic():
        record(actor, action.value, object_type, object_id, client_id=client_id, outcome="denied")
    refusal = Problem.worded("(permission)", N_("your role may not %(action)s"), action=ACTION_WORDS[action])
    raise NotAllowedError([refusal.with_words(action=CATALOGUE)])


def require_staff(actor: Actor, object_type: str) -> int:
    """The actor's clinic id if they are a staff member of a clinic (their own account's use cases)."""
    if actor.role is None or actor.clinic_id is None:
        with transaction.atomic():
            record(actor, "own_account", object_type, outcome="denied")
        raise NotAllowedError([Problem("(permission)", N_("only a signed-in staff member has an account here"))])
    return actor.clinic_id


def require(
    actor: Actor, action: Action, object_type: str, object_id: object = "", client_id: int | None = None
) -> int:
    """The actor's clinic id if their role allows ``action``; otherwise record the denial and raise."""
    if not actor.may(action):
        deny(actor, action, object_type, object_id, client_id)
    assert actor.clinic_id is not None  # noqa: S101 - may() is False without a clinic
    return actor.clinic_id
