"""The clinic API's recall list: every session and client a cartridge lot or device touched.

For a supplier's recall notice read by software (an inventory or a quality system). Same staff
session, permission (``run_recall``), tenancy and audit as the Recall page: the use case decides.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Router
from pydantic import BaseModel, ConfigDict, Field

from needlewise.api.clinic_routes import CLINIC_ERRORS, StaffSession
from needlewise.api.schemas import ClinicTime
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.recall import use_cases as recall

router = Router(auth=StaffSession(), tags=["clinic"])


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")  # the document says so: no field beyond those listed


class ZoneOut(_Out):
    """A zone treated and the needle length used on it (mm; a length, not a depth)."""

    zone: str
    length_mm: str


class RecallRowOut(_Out):
    """One session on the list, with the client and how to reach them."""

    session_id: int
    performed_at: ClinicTime
    client_id: int
    given_name: str
    family_name: str
    birth_date: date
    phone: str
    email: str
    practitioner: str
    device_model: str
    device_kind: str
    device_serial: str
    cartridge_lot: str
    cartridge_serial: str
    cartridge_expiry: date
    zones: list[ZoneOut]
    marked_for_contact: bool
    contacted: bool


class RecallOut(_Out):
    """A page of the list (newest first, up to 500 sessions) and the whole list's totals."""

    kind: Literal["lot", "device"]
    key: str
    sessions: int
    clients: int
    adverse_events: int
    next_after: int | None
    rows: list[RecallRowOut]


_LARGEST_ID = 2**63 - 1  # the largest id a database row can have (PostgreSQL bigint)


@router.get("/recall", response={200: RecallOut, **CLINIC_ERRORS}, summary="Who a lot or device touched")
def recall_list(
    request: HttpRequest,
    key: str,
    kind: Literal["lot", "device"] = "lot",
    after: Annotated[int | None, Field(ge=0, le=_LARGEST_ID)] = None,  # a row id: larger is a 422, not a 500
) -> RecallOut:
    """Every session of your clinic that used this cartridge lot (or device serial), with its client.

    Pass ``next_after`` back as ``after`` for the next page.
    """
    actor: Actor = request.auth  # type: ignore[attr-defined]
    listed = recall.by_lot if kind == "lot" else recall.by_device
    found = listed(actor, key, after_id=after)
    rows = [
        RecallRowOut(
            session_id=r.session_id,
            performed_at=r.performed_at,
            client_id=r.client_id,
            given_name=r.given_name,
            family_name=r.family_name,
            birth_date=r.birth_date,
            phone=r.phone,
            email=r.email,
            practitioner=r.practitioner,
            device_model=r.device_model,
            device_kind=r.device_kind,
            device_serial=r.device_serial,
            cartridge_lot=r.cartridge_lot,
            cartridge_serial=r.cartridge_serial,
            cartridge_expiry=r.cartridge_expiry,
            zones=[ZoneOut(zone=z.zone, length_mm=z.length_text) for z in r.zones],
            marked_for_contact=r.marked,
            contacted=r.contacted,
        )
        for r in found.rows
    ]
    return RecallOut(
        kind=found.kind.value,
        key=found.key,
        sessions=found.sessions,
        clients=found.clients,
        adverse_events=found.adverse_events,
        next_after=found.next_after,
        rows=rows,
    )
