"""Who is acting: the signed-in staff member (or the system, or an anonymous person), and from where."""

from __future__ import annotations

from dataclasses import dataclass

from needlewise.domain.permissions import Action, Role, allows


@dataclass(frozen=True, slots=True)
class Actor:
    """A staff member acting in their clinic, as the audit log records them.

    ``actor_id`` is ``user:<id>``, ``system:<command>`` or ``anonymous:<request id>``: every audit row
    names someone.
    """

    actor_id: str
    role: Role | None
    clinic_id: int | None
    user_id: int | None = None
    ip: str = ""
    request_id: str = ""

    @classmethod
    def staff(cls, user_id: int, clinic_id: int, role: Role, ip: str = "", request_id: str = "") -> Actor:
        """A signed-in staff member."""
        return cls(f"user:{user_id}", role, clinic_id, user_id, ip, request_id)

    @classmethod
    def system(cls, command: str) -> Actor:
        """A command run by the operator (``needlewise clinic create``, for example)."""
        return cls(f"system:{command}", None, None)

    @classmethod
    def anonymous(cls, ip: str, request_id: str) -> Actor:
        """A member of the public (sending a consultation request, or failing to sign in)."""
        return cls(f"anonymous:{request_id}", None, None, None, ip, request_id)

    @property
    def staff_user_id(self) -> int:
        """The signed-in user's id (only staff actors write clinic records)."""
        if self.user_id is None:
            raise AssertionError(self.actor_id)
        return self.user_id

    @property
    def staff_clinic_id(self) -> int:
        """The clinic a staff actor acts in (use cases run only for actors their role lets in)."""
        if self.clinic_id is None:
            raise AssertionError(self.actor_id)
        return self.clinic_id

    def may(self, action: Action) -> bool:
        """Whether this actor's role allows ``action`` in their own clinic."""
        return self.role is not None and self.clinic_id is not None and allows(self.role, action)
