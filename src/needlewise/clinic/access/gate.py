"""The permission gate: whether the actor's role allows an action, and the audit row of a refusal.

Permission comes from :mod:`needlewise.domain.permissions`, the one written table. A refusal is
recorded in its own transaction (the use case's own has not started, or has rolled back).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import transaction

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.audit.log import record
from needlewise.domain.permissions import Action
from needlewise.errors import NotAllowedError, NotFoundError, Problem

P = ParamSpec("P")
R = TypeVar("R")


def deny(actor: Actor, action: Action, object_type: str, object_id: object = "", client_id: int | None = None) -> None:
    """Record a refused attempt in its own transaction, then raise :class:`NotAllowedError`."""
    with transaction.atomic():
        record(actor, action.value, object_type, object_id, client_id=client_id, outcome="denied")
    raise NotAllowedError([Problem("(permission)", f"your role may not {action.value.replace('_', ' ')}")])


def require(
    actor: Actor, action: Action, object_type: str, object_id: object = "", client_id: int | None = None
) -> int:
    """The actor's clinic id if their role allows ``action``; otherwise record the denial and raise."""
    if not actor.may(action):
        deny(actor, action, object_type, object_id, client_id)
    assert actor.clinic_id is not None  # noqa: S101 - may() is False without a clinic
    return actor.clinic_id


def records_not_found(object_type: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Audit a use case's NotFoundError (an id of another clinic, or none) as a denied attempt.

    The use case's own transaction has rolled back by then, so the row is written in a new one. The
    decorated function takes the actor first and the record's id second.
    """

    def decorate(use_case: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(use_case)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return use_case(*args, **kwargs)
            except NotFoundError:
                actor, object_id = args[0], args[1] if len(args) > 1 else kwargs.get("client_id", "")
                assert isinstance(actor, Actor)  # noqa: S101 - every use case takes the actor first
                with transaction.atomic():
                    record(actor, "not_found", object_type, object_id, outcome="denied")
                raise

        return run

    return decorate
