"""The use-case guard: permission, one transaction, audit rows for refusals, for misses and for the work.

Every clinic use case is a function that takes the acting person first and is decorated with
:func:`use_case`, which

1. checks the actor's role allows the action (a refusal is recorded and raised, before any work); a
   use case on one's own account (``action=None``: changing one's password, signing out) only needs
   a staff member of a clinic, whatever their role;
2. runs the use case in one transaction (or lets it run its own, for the few that must: ``atomic=False``);
3. records a :class:`~needlewise.errors.NotFoundError` (another clinic's id, or none) as a denied
   ``not_found`` row, in a new transaction since the use case's own has rolled back;
4. refuses a use case that returns without writing its audit row (``audited=False`` for those that
   only show a form or a list without health data).

Records are fetched through :mod:`needlewise.clinic.access.tenancy`, which only ever finds rows of the
actor's clinic: together, a new use case cannot forget permission, tenancy or its audit row.
``tests/clinic/test_guard.py`` checks that every public function of the clinic package taking an
actor carries this guard, or is listed there with the reason it does not.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from django.db import transaction

from needlewise.clinic.access import gate
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.audit import log as audit_log
from needlewise.domain.permissions import Action
from needlewise.errors import NotFoundError

P = ParamSpec("P")
R = TypeVar("R")
MARK = "__use_case__"


@dataclass(frozen=True, slots=True)
class UseCase:
    """What the guard of one use case checks and records.

    ``record`` and ``client`` name the parameters holding the record's and the client's id (a
    refusal's audit row names them); ``missing`` is the object type a not-found row names, with the
    use case's second argument as its id.
    """

    action: Action | None
    object_type: str
    record: str | None = None
    client: str | None = None
    missing: str | None = None
    atomic: bool = True
    audited: bool = True


def use_case(  # noqa: PLR0913 - each is one fact of the use case's audit trail
    action: Action | None,
    object_type: str,
    *,
    record: str | None = None,
    client: str | None = None,
    missing: str | None = None,
    atomic: bool = True,
    audited: bool = True,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Guard a use case (see the module's documentation); the function takes ``actor`` first."""
    guard = UseCase(action, object_type, record, client, missing, atomic, audited)

    def decorate(body: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(body)
        second = list(signature.parameters)[1] if len(signature.parameters) > 1 else None

        @functools.wraps(body)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            given = signature.bind(*args, **kwargs).arguments
            actor = given["actor"]
            assert isinstance(actor, Actor)  # noqa: S101 - every use case takes the actor first
            record_id = given.get(guard.record, "") if guard.record else ""
            client_id = given.get(guard.client) if guard.client else None
            if guard.action is None:
                gate.require_staff(actor, guard.object_type)
            else:
                gate.require(actor, guard.action, guard.object_type, record_id, client_id)
            written = audit_log.rows_written.set(0)
            try:
                result = _run(guard, body, *args, **kwargs)
            except NotFoundError:
                if guard.missing is None:
                    raise
                with transaction.atomic():
                    audit_log.record(actor, "not_found", guard.missing, given.get(second or "", ""), outcome="denied")
                raise
            finally:
                count = audit_log.rows_written.get()
                audit_log.rows_written.reset(written)
            if guard.audited and count == 0:
                message = f"{body.__qualname__} wrote no audit row"
                raise AssertionError(message)
            return result

        setattr(run, MARK, guard)
        return run

    return decorate


def _run(guard: UseCase, body: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    if not guard.atomic:
        return body(*args, **kwargs)
    with transaction.atomic():
        return body(*args, **kwargs)


def guard_of(function: object) -> UseCase | None:
    """The guard a use case carries, if it carries one."""
    found = getattr(function, MARK, None)
    return found if isinstance(found, UseCase) else None
