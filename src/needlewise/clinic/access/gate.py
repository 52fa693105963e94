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
from needlewise.errors import N_, NotAllowedError, Problem


def deny(actor: Actor, action: Action, object_type: str, object_id: object = "", client_id: int | None = None) -> None:
    """Record a refused attempt in its own transaction, then raise :class:`NotAllowedError`."""
    with transaction.atomic():
        record(actor, action.value, object_type, object_id, client_id=client_id, outcome="denied")
    raise NotAllowedError(
        [Problem.worded("(permission)", N_("your role may not %(action)s"), action=action.value.replace("_", " "))]
    )


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
