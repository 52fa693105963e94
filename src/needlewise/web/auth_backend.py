"""Django's model backend, loading a signed-in user's clinic membership in the same query.

Every staff page needs the user and their membership (clinic, its time zone, and role); one joined
statement serves them all (:mod:`needlewise.clinic.sign_in.session_user`), where the stock backend and
a second lookup took two queries.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User

from needlewise.clinic.sign_in import session_user


class StaffBackend(ModelBackend):
    """Password sign-in as in Django; session users come with ``user.staff`` and its clinic already loaded."""

    def get_user(self, user_id: int) -> User | None:
        """The active user with this id, their membership and its clinic joined in."""
        user = session_user.with_membership(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
