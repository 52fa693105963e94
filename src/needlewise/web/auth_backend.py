"""Django's model backend, loading a signed-in user's clinic membership in the same query.

Every staff page needs the user and their membership (clinic and role); one joined query serves
both, where the stock backend and a second lookup took two.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User


class StaffBackend(ModelBackend):
    """Password sign-in as in Django; session users come with ``user.staff`` already loaded."""

    def get_user(self, user_id: int) -> User | None:
        """The active user with this id, their membership joined in."""
        user = User.objects.select_related("staff").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
