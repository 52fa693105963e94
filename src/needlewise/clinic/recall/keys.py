"""What a recall names (a lot or a device), and finding the one a typed lot or serial means.

The typed key is checked; the clinic's own lots and serials are listed; the lots in use are counted.

A lot or serial is typed by hand from a label, so a lookup that matches nothing exactly is resolved
against the clinic's own lots (or serials): ignoring case, then as the start of one; when that names
exactly one, it is the one listed, otherwise the near matches (prefixes first, then
:func:`difflib.get_close_matches`) are offered instead of a bare "no session used it".
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from django.db.models import Count, Max, Min, QuerySet

from needlewise.clinic.typed_text import character_problem
from needlewise.errors import N_, InvalidInputError, Problem
from needlewise.storage.models import TreatmentSession

KEY_LIMIT = 64
SUGGESTIONS = 5  # near matches offered for a lot or serial that matches nothing


class RecallKind(StrEnum):
    """What a recall names."""

    LOT = "lot"
    DEVICE = "device"


FIELD_OF = {RecallKind.LOT: "cartridge_lot", RecallKind.DEVICE: "device_serial"}
_MISSING = {RecallKind.LOT: N_("enter the cartridge lot"), RecallKind.DEVICE: N_("enter the device serial")}


@dataclass(frozen=True, slots=True)
class LotInUse:
    """A cartridge lot the clinic used: how many sessions and clients, first and last use, earliest expiry."""

    lot: str
    sessions: int
    clients: int
    first_used: datetime
    last_used: datetime
    expiry: date


def parse_kind(text: str) -> RecallKind:
    """``lot`` or ``device``; InvalidInputError on the ``kind`` field otherwise."""
    try:
        return RecallKind(text)
    except ValueError:
        raise InvalidInputError([Problem("kind", N_("choose a cartridge lot or a device serial"))]) from None


def checked_key(kind: RecallKind, key: str) -> str:
    """The lot or serial, trimmed; InvalidInputError on the ``key`` field when empty or too long."""
    key = key.strip()
    if not key:
        raise InvalidInputError([Problem("key", _MISSING[kind])])
    if len(key) > KEY_LIMIT:
        raise InvalidInputError([Problem.worded("key", N_("at most %(limit)s characters"), limit=str(KEY_LIMIT))])
    problem = character_problem("key", key)  # NUL and invisible characters: no lot or serial holds them
    if problem is not None:
        raise InvalidInputError([problem])
    return key


def sessions_of(clinic_id: int, kind: RecallKind, key: str) -> QuerySet[TreatmentSession]:
    """The clinic's sessions that used this lot or device (exact match)."""
    return TreatmentSession.objects.filter(clinic_id=clinic_id, **{FIELD_OF[kind]: key})


def known_keys(clinic_id: int, kind: RecallKind) -> list[str]:
    """The clinic's distinct lots (or device serials), in order; one query on the kind's index."""
    field = FIELD_OF[kind]
    sessions = TreatmentSession.objects.filter(clinic_id=clinic_id).exclude(**{field: ""})
    return list(sessions.order_by(field).values_list(field, flat=True).distinct())


def resolve_key(key: str, known: Sequence[str]) -> tuple[str | None, tuple[str, ...]]:
    """The known lot or serial ``key`` names (ignoring case, or as the start of one), else the near matches.

    Returns ``(match, ())`` when exactly one known key equals ``key`` ignoring case or, failing that,
    starts with it; otherwise ``(None, suggestions)``: up to :data:`SUGGESTIONS` keys that start with
    it, then those :func:`difflib.get_close_matches` finds close (both ignoring case).
    """
    folded = key.casefold()
    same = [k for k in known if k.casefold() == folded]
    prefixed = [k for k in known if k.casefold().startswith(folded)]
    for candidates in (same, prefixed):
        if len(candidates) == 1:
            return candidates[0], ()
    by_folded: dict[str, list[str]] = {}
    for k in known:
        by_folded.setdefault(k.casefold(), []).append(k)
    close = difflib.get_close_matches(folded, list(by_folded), n=SUGGESTIONS, cutoff=0.6)
    suggestions = dict.fromkeys([*prefixed, *(k for c in close for k in by_folded[c])])
    return None, tuple(suggestions)[:SUGGESTIONS]


def lots_in_use(clinic_id: int, limit: int) -> list[LotInUse]:
    """The clinic's cartridge lots, most recently used first (up to ``limit``), counted in one query."""
    grouped = (
        TreatmentSession.objects.filter(clinic_id=clinic_id)
        .values("cartridge_lot")
        .annotate(
            sessions=Count("pk"),
            clients=Count("client", distinct=True),
            first_used=Min("performed_at"),
            last_used=Max("performed_at"),
            expiry=Min("cartridge_expiry"),
        )
        .order_by("-last_used", "cartridge_lot")
    )
    return [
        LotInUse(g["cartridge_lot"], g["sessions"], g["clients"], g["first_used"], g["last_used"], g["expiry"])
        for g in grouped[:limit]
    ]
