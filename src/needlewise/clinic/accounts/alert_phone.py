"""A staff member's own mobile number for red-flag alerts by text message (their account page).

The number is optional: without one, alerts reach them by e-mail only
(:mod:`needlewise.clinic.followup.staff_alerts`). It is checked like the clinic's on-call phone (6 to
20 digits; digits, spaces, +, - and parentheses) and stored as typed, trimmed. Every change is audited,
never with the number itself: the audit row says whether one is now set or cleared.
"""

from __future__ import annotations

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.accounts.fields import phone_problem
from needlewise.clinic.audit import log as audit_log
from needlewise.errors import InvalidInputError
from needlewise.storage.models import StaffMember

#: The form field, and where a refused number's problem is shown.
FIELD = "alert_phone"


@use_case(None, "staff")
def set_alert_phone(actor: Actor, phone: str) -> StaffMember:
    """Set (or, with an empty one, clear) the acting person's own alert phone; audited without the number."""
    if refused := phone_problem(phone, FIELD):
        raise InvalidInputError([refused])
    member = StaffMember.objects.select_for_update().get(user_id=actor.staff_user_id)
    member.alert_phone = phone.strip()
    member.save(update_fields=["alert_phone"])
    audit_log.record(actor, "update", "staff", member.pk, detail={FIELD: "set" if member.alert_phone else "cleared"})
    return member
