"""The client page's screening history and clearances, each with its staff member, in one fixed statement.

They are read on every view of a client page; the ORM built two joined queries (``select_related``)
for them, which cost more CPU than running them. These statements read the same columns, the same
rows in the same order, and give the same instances: the screenings without their answers
(``profile``: deferred), each with ``ran_by`` and its ``staff`` loaded; the clearances with
``provider`` and its ``staff``. Of the staff member only what the pages show is read (the name they go
by), never an account's password hash or second-factor secret: the other fields are deferred.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db import connections, router
from django.db.models import Model

from needlewise.storage.models import Clearance, Screening, StaffMember
from needlewise.storage.rows import cache, columns, loaded

M = TypeVar("M", bound=Model)
_SCREENING, _SCREENING_SQL = columns(Screening, "s", without=("profile",))
_CLEARANCE, _CLEARANCE_SQL = columns(Clearance, "c")
#: What a page shows of who screened or cleared: the name they go by (the rest deferred).
_USER, _USER_SQL = columns(User, "u", only=("id",))
_STAFF, _STAFF_SQL = columns(StaffMember, "m", only=("id", "user", "display_name"))
_STAFF_JOIN = "LEFT JOIN staff_member m ON m.user_id = u.id"
HISTORY = (
    f"SELECT {_SCREENING_SQL}, {_USER_SQL}, {_STAFF_SQL} FROM screening s "  # noqa: S608 - fixed column names
    f"JOIN auth_user u ON u.id = s.ran_by_id {_STAFF_JOIN} "
    "WHERE s.client_id = %s ORDER BY s.created_at DESC, s.id DESC LIMIT %s"
)
CLEARANCES = (
    f"SELECT {_CLEARANCE_SQL}, {_USER_SQL}, {_STAFF_SQL} FROM clearance c "  # noqa: S608 - fixed column names
    f"JOIN auth_user u ON u.id = c.provider_id {_STAFF_JOIN} "
    "WHERE c.client_id = %s ORDER BY c.created_at DESC LIMIT %s"
)


def _staff_user(row: Sequence[Any], start: int, db: str) -> User:
    """The user at ``row[start:]`` with their membership (None when they have none) cached as ``staff``."""
    user = loaded(User, _USER, row[start : start + len(_USER)], db)
    at = start + len(_USER)
    staff = None if row[at] is None else loaded(StaffMember, _STAFF, row[at : at + len(_STAFF)], db)
    cache(user, "staff", staff)
    if staff is not None:
        cache(staff, "user", user)
    return user


def _with_staff(model: type[M], fields: Sequence[str], statement: str, staff: str, key: tuple[int, int]) -> list[M]:
    """The rows ``statement`` reads for ``key`` (client id, limit), each with its staff member cached as ``staff``."""
    db = router.db_for_read(model)
    with connections[db].cursor() as cursor:
        cursor.execute(statement, list(key))
        rows = cursor.fetchall()
    found = []
    for row in rows:
        record = loaded(model, fields, row[: len(fields)], db)
        cache(record, staff, _staff_user(row, len(fields), db))
        found.append(record)
    return found


def history(client_id: int, limit: int) -> list[Screening]:
    """The client's newest ``limit`` screenings, newest first, each with its screener."""
    return _with_staff(Screening, _SCREENING, HISTORY, "ran_by", (client_id, limit))


def clearances(client_id: int, limit: int) -> list[Clearance]:
    """The client's newest ``limit`` clearances, newest first, each with its provider."""
    return _with_staff(Clearance, _CLEARANCE, CLEARANCES, "provider", (client_id, limit))
