"""The signed-in user of a staff request with their clinic membership and its clinic, in one fixed statement.

Every staff page and API call loads them (Django's session authentication, ``StaffBackend.get_user``).
The ORM built a two-join query (``select_related("staff__clinic")``) for it on every request; this
statement reads the same columns and gives the same instances: the user, ``user.staff`` (or no
membership) and ``user.staff.clinic``.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import connections, router

from needlewise.storage.models import Clinic, StaffMember
from needlewise.storage.rows import cache, columns, loaded

_USER, _USER_SQL = columns(User, "u")
_STAFF, _STAFF_SQL = columns(StaffMember, "m")
_CLINIC, _CLINIC_SQL = columns(Clinic, "k")
USER = (
    f"SELECT {_USER_SQL}, {_STAFF_SQL}, {_CLINIC_SQL} FROM auth_user u "  # noqa: S608 - fixed column names
    "LEFT JOIN staff_member m ON m.user_id = u.id LEFT JOIN clinic k ON k.id = m.clinic_id WHERE u.id = %s"
)


def with_membership(user_id: int) -> User | None:
    """The user with this id (active or not), their membership and its clinic loaded; None when there is none."""
    db = router.db_for_read(User)
    with connections[db].cursor() as cursor:
        cursor.execute(USER, [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    user = loaded(User, _USER, row[: len(_USER)], db)
    at = len(_USER)
    staff = None
    if row[at] is not None:
        staff = loaded(StaffMember, _STAFF, row[at : at + len(_STAFF)], db)
        cache(staff, "user", user)
        cache(staff, "clinic", loaded(Clinic, _CLINIC, row[at + len(_STAFF) :], db))
    cache(user, "staff", staff)
    return user
