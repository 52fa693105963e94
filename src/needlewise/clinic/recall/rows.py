"""The rows of a recall list: what a lot or device is, its sessions' query, zones and contact marks.

The use cases in :mod:`needlewise.clinic.recall.use_cases` check permission and audit; this module only reads.
A lot's sessions come from one query on the ``cartridge_single_use`` index (clinic, lot, serial), a
device's from ``session_device`` (clinic, serial), each row with its client's contact mark (a LEFT
JOIN on ``recall_contact``: at most one row per client, lot or device). The zones of the rows shown
take one more query (one per 1,000 rows), whatever the number of rows.

How a typed lot or serial is resolved to one the clinic used: :mod:`needlewise.clinic.recall.keys`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import FilteredRelation, Q, QuerySet, Subquery

from needlewise.clinic.recall.keys import RecallKind, sessions_of
from needlewise.clinic.spreadsheet import KeptText
from needlewise.storage.models import AdverseEvent, SessionZone, TreatmentSession

PAGE_SIZE = 500
_IN_CHUNK = 1000  # ids per IN (...) list: well under SQLite's limit on parameters


_COLUMNS = (
    "id",
    "performed_at",
    "client_id",
    "client__given_name",
    "client__family_name",
    "client__phone",
    "client__email",
    "client__birth_date",
    "practitioner__staff__display_name",
    "device_model",
    "device_kind",
    "device_serial",
    "cartridge_lot",
    "cartridge_serial",
    "cartridge_expiry",
)
EXPORT_HEADER = (
    "session_id",
    "performed_at_utc",
    "client_id",
    "family_name",
    "given_name",
    "birth_date",
    "phone",
    "email",
    "practitioner",
    "device_model",
    "device_kind",
    "device_serial",
    "cartridge_lot",
    "cartridge_serial",
    "cartridge_expiry",
    "zones",
    "marked_for_contact",
    "contacted",
)


@dataclass(frozen=True, slots=True)
class ZoneTreated:
    """A zone of a session and the needle length used on it (length, not depth)."""

    zone: str
    length_mm: Decimal

    @property
    def length_text(self) -> str:
        """The length without trailing zeros: ``0.5``, ``1``, ``2.25``."""
        return f"{self.length_mm.normalize():f}"


@dataclass(frozen=True, slots=True)
class RecallRow:
    """One session on a recall list, with who was treated and how to reach them."""

    session_id: int
    performed_at: datetime
    client_id: int
    given_name: str
    family_name: str
    phone: str
    email: str
    birth_date: date
    practitioner: str
    device_model: str
    device_kind: str
    device_serial: str
    cartridge_lot: str
    cartridge_serial: str
    cartridge_expiry: date
    zones: tuple[ZoneTreated, ...]
    marked: bool
    contacted: bool


@dataclass(frozen=True, slots=True)
class RecallList:
    """A page of a lot's or device's sessions, newest first, with the whole list's totals."""

    kind: RecallKind
    key: str
    rows: list[RecallRow]
    sessions: int
    clients: int
    adverse_events: int
    after_id: int | None
    next_after: int | None
    suggestions: tuple[str, ...] = ()


def page_query(
    clinic_id: int, kind: RecallKind, key: str, after_id: int | None, limit: int | None
) -> QuerySet[TreatmentSession, dict[str, Any]]:
    """The sessions' columns and their clients' contact marks, newest first, after the position ``after_id``."""
    sessions = sessions_of(clinic_id, kind, key)
    if after_id is not None:
        anchor = Subquery(sessions.filter(pk=after_id).values("performed_at")[:1])
        sessions = sessions.filter(Q(performed_at__lt=anchor) | Q(performed_at=anchor, pk__lt=after_id))
    mark = FilteredRelation(
        "client__recall_contacts",
        condition=Q(
            client__recall_contacts__clinic_id=clinic_id,
            client__recall_contacts__kind=kind.value,
            client__recall_contacts__key=key,
        ),
    )  # at most one row per client: the table's unique constraint (clinic, client, kind, key)
    ordered: QuerySet[TreatmentSession, dict[str, Any]] = (
        sessions.annotate(mark=mark)
        .order_by("-performed_at", "-pk")
        .values(*_COLUMNS, "mark__id", "mark__contacted_at")
    )
    return ordered if limit is None else ordered[:limit]


def found_rows(
    clinic_id: int, kind: RecallKind, key: str, after_id: int | None, limit: int | None
) -> list[dict[str, Any]]:
    """Up to ``limit`` rows of :func:`page_query`: one query, whatever the number of rows."""
    return list(page_query(clinic_id, kind, key, after_id, limit))


def _zones(session_ids: Sequence[int]) -> dict[int, list[ZoneTreated]]:
    zones: dict[int, list[ZoneTreated]] = {}
    for start in range(0, len(session_ids), _IN_CHUNK):
        chunk = session_ids[start : start + _IN_CHUNK]
        query = SessionZone.objects.filter(session_id__in=chunk).order_by("session_id", "zone")
        for session_id, zone, length in query.values_list("session_id", "zone", "length_mm"):
            zones.setdefault(session_id, []).append(ZoneTreated(zone, length))
    return zones


def recall_rows(found: list[dict[str, Any]]) -> list[RecallRow]:
    """The rows for sessions read by :func:`found_rows`, with their zones (one more query per 1,000 rows)."""
    zones = _zones([f["id"] for f in found])
    return [
        RecallRow(
            session_id=f["id"],
            performed_at=f["performed_at"],
            client_id=f["client_id"],
            given_name=f["client__given_name"],
            family_name=f["client__family_name"],
            phone=f["client__phone"],
            email=f["client__email"],
            birth_date=f["client__birth_date"],
            practitioner=f["practitioner__staff__display_name"] or "",
            device_model=f["device_model"],
            device_kind=f["device_kind"],
            device_serial=f["device_serial"],
            cartridge_lot=f["cartridge_lot"],
            cartridge_serial=f["cartridge_serial"],
            cartridge_expiry=f["cartridge_expiry"],
            zones=tuple(zones.get(f["id"], ())),
            marked=f["mark__id"] is not None,
            contacted=f["mark__contacted_at"] is not None,
        )
        for f in found
    ]


def adverse_events(clinic_id: int, kind: RecallKind, key: str) -> int:
    """Adverse events recorded against the lot (or against sessions done with the device)."""
    events = AdverseEvent.objects.filter(clinic_id=clinic_id)
    if kind is RecallKind.LOT:
        return events.filter(cartridge_lot=key).count()
    return events.filter(session__device_serial=key).count()


def csv_line(row: RecallRow) -> tuple[object, ...]:
    """A row's cells in :data:`EXPORT_HEADER`'s order (made safe by the CSV writer).

    The phone number is :class:`KeptText`: spreadsheets keep its plus sign, spaces and leading zeros.
    """
    return (
        row.session_id,
        row.performed_at.astimezone(UTC).isoformat(),
        row.client_id,
        row.family_name,
        row.given_name,
        row.birth_date.isoformat(),
        KeptText(row.phone),
        row.email,
        row.practitioner,
        row.device_model,
        row.device_kind,
        row.device_serial,
        row.cartridge_lot,
        row.cartridge_serial,
        row.cartridge_expiry.isoformat(),
        "; ".join(f"{z.zone} {z.length_text} mm" for z in row.zones),
        "yes" if row.marked else "no",
        "yes" if row.contacted else "no",
    )
