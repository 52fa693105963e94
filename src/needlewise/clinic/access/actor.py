"""Who is acting: the signed-in staff member (or the system, or an anonymous person), and from where."""

from __future__ import annotations

from dataclasses import dataclass

from needlewise.domain.permissions import Action, Role, allows, needle_scope_mm


@dataclass(frozen=True, slots=True)
class Actor:
    """A staff member acting in their clinic, as the audit log records them.

    ``actor_id`` is ``user:<id>``, ``system:<command>`` or ``anonymous:<request id>``: every audit row
    names someone. ``clinical_role`` is the clinical role an owner holds as well (a one-person clinic),
    if any: the actor may do what either role may. ``time_zone`` is the clinic's zone as read with the
    membership in this request (:func:`needlewise.clinic.local_time.clock_of` then reads no row); ""
    when not read.
    """

    actor_id: str
    role: Role | None
    clinic_id: int | None
    user_id: int | None = None
    ip: str = ""
    request_id: str = ""
    clinical_role: Role | None = None
    time_zone: str = ""

    @classmethod
    def staff(  # noqa: PLR0913 - who, where, and from which request
        cls,
        user_id: int,
        clinic_id: int,
        role: Role,
        ip: str = "",
        request_id: str = "",
        *,
        clinical_role: Role | None = None,
        time_zone: str = "",
    ) -> Actor:
        """A signed-in staff member (an owner may hold a ``clinical_role`` as well; ``time_zone``: see the class)."""
        return cls(f"user:{user_id}", role, clinic_id, user_id, ip, request_id, clinical_role, time_zone)

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

    @property
    def role_label(self) -> str:
        """The roles as the audit log records them: ``owner``, or ``owner+nurse`` for both; "" for none."""
        if self.role is None:
            return ""
        if self.clinical_role is None:
            return self.role.value
        return f"{self.role.value}+{self.clinical_role.value}"

    @property
    def treating_role(self) -> Role | None:
        """The role the actor treats as: their clinical role if they hold one, else their role."""
        return self.clinical_role or self.role

    @property
    def needle_scope_mm(self) -> float | None:
        """The longest needle the actor may use without a provider's order (see ``domain.permissions``)."""
        if self.role is None:
            return 0.0
        return needle_scope_mm(self.role, self.clinical_role)

    def may(self, action: Action) -> bool:
        """Whether this actor's roles allow ``action`` in their own clinic."""
        return self.role is not None and self.clinic_id is not None and allows(self.role, action, self.clinical_role)
