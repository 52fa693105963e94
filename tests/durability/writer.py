"""The child side of the kill -9 test (``test_kill9.py``): set up a database, write to it until killed.

Run with the virtual environment's python, ``NEEDLEWISE_DATA_DIR`` (and ``DATABASE_URL`` for
PostgreSQL) in the environment. Django is set up here, never in the test process.

``writer.py setup``
    Migrate, create a clinic (with its owner) and a provider; print one JSON line
    ``{"clinic_id": ..., "provider_user_id": ...}``.

``writer.py serve CLINIC_ID USER_ID``
    Set Django up and load the knowledge base once (about a second), without opening a database
    connection, print ``ready``, then obey one command a line on stdin:

    - ``write TAG``: fork a writer process and print ``pid <pid>``. The writer opens its own
      connection and loops: create a client, print ``ack client <id>``; screen that client, print
      ``ack screening <id> <client_id>``; have the client sign the clinic's consent (``ack consent``),
      plan their treatment (``ack plan``) and record a session with a new single-use cartridge
      (``ack session <id> <client_id>``: the session, its zone, its three check-ins and the audit
      row in one transaction). Each is one use case, so one transaction with its audit row, and its
      line is written and flushed only after that transaction has committed. The test kills
      the writer with SIGKILL; when it is gone this server prints ``exit <pid> signal 9`` (or
      ``exit <pid> code <n>`` if it stopped by itself: an error, or the 60 s safety limit).
    - ``check``: fork a process that recomputes the audit chain with
      ``needlewise.clinic.audit.chain.verify`` and prints ``check <json>``, then ``exit <pid> code 0``.
    - ``quit``: exit.

    Forking from a warmed-up server makes a cycle cost the kill delay rather than Django's start-up;
    every writer is still a process of its own, with its own database connection, killed for real.
    Lines are shorter than PIPE_BUF, so the writers' and the server's lines never interleave within a
    line, and ``exit`` comes after every line the killed writer wrote.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import django

_PASSWORD = "kill-nine owner password 7f3a"  # noqa: S105 - a throwaway account in a temporary database
_WRITER_SECONDS = 60.0


def _line(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def setup() -> int:
    """Migrate, then create a clinic (with its owner), a provider who may screen and treat, and a consent version."""
    from django.core.management import call_command  # noqa: PLC0415 - only after django.setup()

    from needlewise.clinic.access.actor import Actor  # noqa: PLC0415
    from needlewise.clinic.accounts import staff  # noqa: PLC0415
    from needlewise.domain.contact import Contact  # noqa: PLC0415
    from needlewise.domain.permissions import Role  # noqa: PLC0415

    call_command("migrate", verbosity=0, interactive=False)
    owner = staff.create_clinic(
        name="Kill Nine Clinic",
        city="Crashville",
        owner_email="owner@kill9.example.org",
        owner_name="Owner",
        owner_password=_PASSWORD,
        contact=Contact(phone="+34 910 000 000"),
    )
    owner_actor = Actor.staff(owner.user_id, owner.clinic_id, Role.OWNER)
    provider = staff.add_staff(owner_actor, staff.NewStaff("provider@kill9.example.org", "Provider", Role.PROVIDER))
    from needlewise.bootstrap import knowledge_base  # noqa: PLC0415
    from needlewise.clinic.consent import (  # noqa: PLC0415
        versions,
    )

    versions.create_template(owner_actor, intro_en="Kill nine.", intro_es="Matar nueve.", kb=knowledge_base())
    _line(json.dumps({"clinic_id": owner.clinic_id, "provider_user_id": provider.user_id}))
    return 0


def _signature() -> bytes:
    import io  # noqa: PLC0415

    from PIL import Image, ImageDraw  # noqa: PLC0415

    pad = Image.new("RGB", (64, 24), (255, 255, 255))
    ImageDraw.Draw(pad).line([(4, 18), (30, 4), (60, 18)], fill=(0, 0, 0), width=2)
    out = io.BytesIO()
    pad.save(out, format="PNG")
    return out.getvalue()


def _writer(clinic_id: int, user_id: int, tag: str) -> int:
    """Five business operations per round, each its own transaction, each acknowledged after commit."""
    from django.utils import timezone  # noqa: PLC0415 - only after django.setup()

    from needlewise.bootstrap import knowledge_base  # noqa: PLC0415
    from needlewise.clinic.access.actor import Actor  # noqa: PLC0415
    from needlewise.clinic.clients import client_form, clients  # noqa: PLC0415
    from needlewise.clinic.consent import (  # noqa: PLC0415
        signatures,
        versions,
    )
    from needlewise.clinic.records import plans, screenings  # noqa: PLC0415
    from needlewise.clinic.treatment import (  # noqa: PLC0415
        recording,
        session_form,
    )
    from needlewise.domain.permissions import Role  # noqa: PLC0415
    from needlewise.domain.vocabulary import Lang  # noqa: PLC0415

    kb = knowledge_base()
    actor = Actor.staff(user_id, clinic_id, Role.PROVIDER, ip="127.0.0.1", request_id=f"kill9-{tag}"[:32])
    template_id = versions.current_template(actor).pk  # type: ignore[union-attr] - setup wrote one
    signature = _signature()
    deadline = time.monotonic() + _WRITER_SECONDS
    n = 0
    while time.monotonic() < deadline:
        n += 1
        details = client_form.ClientDetails(
            given_name=f"Crash{tag}",
            family_name=f"Test{n}",
            birth_date=date(1960, 1, 1) + timedelta(days=n % 15000),
            phone=f"+1 555 {n % 10000:04d}",
        )
        client = clients.create(actor, details)
        _line(f"ack client {client.pk}")
        profile = {"setting": "clinic", "age": 25 + n % 50}
        screening = screenings.record(actor, client_id=client.pk, profile=profile, kb=kb, lang=Lang.EN)
        _line(f"ack screening {screening.pk} {client.pk}")
        consent = signatures.sign(
            actor,
            client.pk,
            template_id=template_id,
            lang="en",
            typed_name=f"Crash{tag} Test{n}",
            method="drawn",
            signature_png=signature,
            scan=None,
            scan_content_type="",
            kb=kb,
        )
        _line(f"ack consent {consent.pk} {client.pk}")
        form = plans.PlanForm(goals=("texture",), zones={"cheeks": Decimal("1.0")}, sessions_planned=3)
        plan = plans.create(actor, client.pk, form, kb).plan
        _line(f"ack plan {plan.pk} {client.pk}")
        new_session = session_form.SessionForm(
            plan_id=plan.pk,
            device_model="Pen",
            device_kind="pen",
            device_serial="KILL9",
            cartridge_lot=f"LOT-{tag}",
            cartridge_serial=f"SN-{tag}-{n}",
            cartridge_expiry=timezone.localdate() + timedelta(days=300),
            zones={"cheeks": "1.0"},
            passes="2",
            end_point="erythema",
        )
        session = recording.record(actor, client.pk, new_session, kb).session
        assert session is not None
        _line(f"ack session {session.pk} {client.pk}")
    return 0


def _verify() -> bool:
    from needlewise.clinic.audit import chain as audit_chain  # noqa: PLC0415 - only after django.setup()

    report = audit_chain.verify()
    fields = {"ok": report.ok, "rows": report.rows, "chain": report.broken_chain, "broken_at": report.broken_at}
    _line("check " + json.dumps({**fields, "reason": report.reason}))
    return report.ok


def _fork(work: Callable[[], int]) -> None:
    """Run ``work`` in a child process; print its pid, then how it ended."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns to the server's loop
        try:
            code = work()
        except BaseException:  # noqa: BLE001 - report anything, then leave without running the server's cleanup
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    _line(f"pid {pid}")
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        _line(f"exit {pid} signal {os.WTERMSIG(status)}")
    else:
        _line(f"exit {pid} code {os.waitstatus_to_exitcode(status)}")


def serve(clinic_id: int, user_id: int) -> int:
    """Warm up once, then fork a writer or a checker per command."""
    from django.db import connections  # noqa: PLC0415 - only after django.setup()

    from needlewise.bootstrap import knowledge_base  # noqa: PLC0415

    knowledge_base()
    if any(connection.connection is not None for connection in connections.all(initialized_only=True)):
        msg = "the server must not hold a database connection that its forks would share"
        raise AssertionError(msg)
    _line("ready")
    for raw in sys.stdin:
        match raw.split():
            case ["write", tag]:
                _fork(lambda tag=tag: _writer(clinic_id, user_id, tag))
            case ["check"]:
                _fork(lambda: 0 if _verify() else 1)
            case ["quit"]:
                return 0
            case _:
                sys.stderr.write(f"unknown command {raw!r}\n")
                return 2
    return 0


def main(argv: list[str]) -> int:
    """Set Django up, then dispatch on the first argument."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "needlewise.web.settings")
    django.setup()
    match argv:
        case ["setup"]:
            return setup()
        case ["serve", clinic_id, user_id]:
            return serve(int(clinic_id), int(user_id))
    sys.stderr.write(__doc__ or "")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
