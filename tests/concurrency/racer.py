"""The child side of ``test_cartridge_race.py``: set up a clinic, then race session records in forked processes.

Run with the virtual environment's python, ``NEEDLEWISE_DATA_DIR`` (and ``DATABASE_URL`` for
PostgreSQL) in the environment. Django is set up here, never in the test process.

``racer.py setup N``
    Migrate; create a clinic, its owner, a nurse, a consent template and N clients, each screened
    (clinic tier), with a signed consent and an active plan. Print one JSON line with the ids.

``racer.py race CLINIC_ID NURSE_USER_ID ROUNDS_JSON``
    Set Django up and load the knowledge base once, with no database connection open. For each
    round (a list of claims: client id, plan id, cartridge lot, serial), fork one process per claim
    (``forking.py``); each opens its own connection, waits for the same instant, then records a
    session through ``needlewise.clinic.treatment.recording.record`` and prints one JSON line: the
    session id, or the checks that blocked it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

import django
import forking
from forking import line

_PASSWORD = "race owner password 9c1e"  # noqa: S105 - a throwaway account in a temporary database
_SIGNATURE_SIZE = (64, 24)


def setup(clients_wanted: int) -> int:
    """A clinic with ``clients_wanted`` clients who may be treated today."""
    import io  # noqa: PLC0415

    from django.core.management import call_command  # noqa: PLC0415 - only after django.setup()
    from PIL import Image, ImageDraw  # noqa: PLC0415

    from needlewise.bootstrap import knowledge_base  # noqa: PLC0415
    from needlewise.clinic.access.actor import Actor  # noqa: PLC0415
    from needlewise.clinic.accounts import staff  # noqa: PLC0415
    from needlewise.clinic.clients import client_form, clients  # noqa: PLC0415
    from needlewise.clinic.consent import (  # noqa: PLC0415
        signatures,
        versions,
    )
    from needlewise.clinic.records import plans, screenings  # noqa: PLC0415
    from needlewise.domain.contact import Contact  # noqa: PLC0415
    from needlewise.domain.permissions import Role  # noqa: PLC0415
    from needlewise.domain.vocabulary import Lang  # noqa: PLC0415

    call_command("migrate", verbosity=0, interactive=False)
    kb = knowledge_base()
    owner = staff.create_clinic(
        name="Race Clinic",
        city="Raceville",
        owner_email="owner@race.example.org",
        owner_name="Owner",
        owner_password=_PASSWORD,
        contact=Contact(phone="+34 910 000 000"),
    )
    owner_actor = Actor.staff(owner.user_id, owner.clinic_id, Role.OWNER)
    nurse_member = staff.add_staff(owner_actor, staff.NewStaff("nurse@race.example.org", "Nurse", Role.NURSE))
    nurse = Actor.staff(nurse_member.user_id, owner.clinic_id, Role.NURSE)
    template = versions.create_template(owner_actor, intro_en="Race consent.", intro_es="Consentimiento.", kb=kb)
    signature = io.BytesIO()
    pad = Image.new("RGB", _SIGNATURE_SIZE, (255, 255, 255))
    ImageDraw.Draw(pad).line([(4, 18), (30, 4), (60, 18)], fill=(0, 0, 0), width=2)
    pad.save(signature, format="PNG")
    made = []
    for n in range(clients_wanted):
        details = client_form.ClientDetails(f"Racer{n}", "Client", date(1980, 1, 1) + timedelta(days=n))
        client = clients.create(nurse, details)
        screenings.record(nurse, client_id=client.pk, profile={"setting": "clinic", "age": 40}, kb=kb, lang=Lang.EN)
        signatures.sign(
            nurse,
            client.pk,
            template_id=template.pk,
            lang="en",
            typed_name=f"Racer{n} Client",
            method="drawn",
            signature_png=signature.getvalue(),
            scan=None,
            scan_content_type="",
            kb=kb,
        )
        form = plans.PlanForm(goals=("texture",), zones={"cheeks": Decimal("1.0")}, sessions_planned=3)
        plan = plans.create(nurse, client.pk, form, kb).plan
        made.append([client.pk, plan.pk])
    line(json.dumps({"clinic_id": owner.clinic_id, "nurse_user_id": nurse_member.user_id, "clients": made}))
    return 0


def _claim(clinic_id: int, user_id: int, claim: list[object]) -> Callable[[], None]:
    """In its process: connect and fill the session form; then (at the start) record it and print the outcome."""
    from django.db import connection  # noqa: PLC0415

    from needlewise.bootstrap import knowledge_base  # noqa: PLC0415 - only after django.setup()
    from needlewise.clinic.access.actor import Actor  # noqa: PLC0415
    from needlewise.clinic.treatment import (  # noqa: PLC0415
        recording,
        session_form,
    )
    from needlewise.domain.permissions import Role  # noqa: PLC0415
    from needlewise.errors import ConflictError  # noqa: PLC0415

    client_id, plan_id, lot, serial = claim
    assert isinstance(client_id, int)
    assert isinstance(plan_id, int)
    connection.ensure_connection()  # connect before the start, so both claims begin together
    form = session_form.SessionForm(
        plan_id=plan_id,
        device_model="Pen",
        device_kind="pen",
        device_serial="D1",
        cartridge_lot=str(lot),
        cartridge_serial=str(serial),
        cartridge_expiry=date.today() + timedelta(days=300),  # noqa: DTZ011
        zones={"cheeks": "1.0"},
        passes="2",
        end_point="erythema",
    )
    actor = Actor.staff(user_id, clinic_id, Role.NURSE, ip="127.0.0.1", request_id=f"race-{serial}"[:32])

    def record() -> None:
        try:
            done = recording.record(actor, client_id, form, knowledge_base())
        except ConflictError as blocked:
            line(json.dumps({"client": client_id, "ok": False, "blocked": [p.where for p in blocked.problems]}))
        else:
            assert done.session is not None
            line(json.dumps({"client": client_id, "ok": True, "session": done.session.pk}))

    return record


def race(clinic_id: int, user_id: int, rounds: list[list[list[object]]]) -> int:
    """Each round's claims in simultaneous forked processes; every claim prints its outcome."""
    from needlewise.bootstrap import knowledge_base  # noqa: PLC0415 - only after django.setup()
    from needlewise.clinic.treatment import (  # noqa: PLC0415
        recording,  # noqa: F401 - imported once, before forking
        session_form,  # noqa: F401 - imported once, before forking
    )

    knowledge_base()
    return forking.race([partial(_claim, clinic_id, user_id, claim) for claim in claims] for claims in rounds)


def main(argv: list[str]) -> int:
    """Dispatch ``setup`` or ``race``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "needlewise.web.settings")
    django.setup()
    if argv[0] == "setup":
        return setup(int(argv[1]))
    return race(int(argv[1]), int(argv[2]), json.loads(argv[3]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
