"""The message queue survives a restart of ``needlewise serve``: what was acknowledged is delivered, once.

``needlewise serve`` (granian and the queue worker it starts beside the web workers) runs on a data
folder whose mail server is down: queued messages are tried, fail, and wait for their retry. The
server is stopped with SIGTERM (as a service manager stops it) and exits cleanly, its worker with it.
A real SMTP server on loopback (aiosmtpd) then comes up on the configured port, ``serve`` starts
again, and every message reaches it exactly once (counted by ``Message-ID``), on its next attempt.
On SQLite and on PostgreSQL.

The first retry is due 30 seconds after the failure; the test moves that time up in the database
(as if the 30 seconds had passed while the server was down) rather than sleep.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import psycopg
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from durability.queue_support import Rows, queue_script
from net_support import free_port

MESSAGES = 5
DEADLINE_S = 90.0

QUEUE = queue_script(MESSAGES, "restart")


class Inbox:
    """An SMTP server that accepts every message and notes its ``Message-ID``."""

    def __init__(self) -> None:
        self.accepted: list[str] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's name
        del server, session
        message = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        self.accepted.append(str(message["Message-ID"]))
        return "250 Message accepted for delivery"


def _wait_for(condition: Callable[[], bool], what: str, log: Path) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}; server log:\n{log.read_text()[-4000:]}"
        time.sleep(0.2)


def _env(data_dir: Path, database_url: str | None, smtp_port: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("NEEDLEWISE_", "DATABASE_URL"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "needlewise.web.settings",
        "NEEDLEWISE_DATA_DIR": str(data_dir),
        "NEEDLEWISE_SECRET_KEY": "serve-restart-test-not-a-secret",
        "NEEDLEWISE_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "NEEDLEWISE_EMAIL_HOST": "127.0.0.1",
        "NEEDLEWISE_EMAIL_PORT": str(smtp_port),
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@contextlib.contextmanager
def _serving(env: dict[str, str], cwd: Path, log: Path) -> Iterator[None]:
    """``needlewise serve`` with its queue worker; stopped with SIGTERM, which it must obey cleanly."""
    with log.open("ab") as out:
        server = subprocess.Popen(  # noqa: S603 - the venv's own python, no shell
            [sys.executable, "-m", "needlewise", "serve", "--host", "127.0.0.1", "--port", str(free_port())],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            status = server.wait(timeout=60)
            leftover = _group_alive(server.pid)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)  # clean up whatever is left, then fail below
    assert status == 0, log.read_text()[-4000:]
    assert not leftover, "a process of the stopped server (its queue worker?) was still running"


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def run_restart(tmp_path: Path, database_url: str | None, open_rows: Callable[[], Any]) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    port = free_port()  # the mail server's: nothing listens there yet
    env, log = _env(data, database_url, port), tmp_path / "serve.log"

    def states() -> list[tuple[str, str, int]]:
        with open_rows() as rows:
            return list(rows("SELECT key, status, attempts FROM queued_message ORDER BY key"))

    queued = subprocess.run(  # noqa: S603 - the venv's own python, no shell
        [sys.executable, "-c", QUEUE], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert queued.returncode == 0, queued.stderr[-4000:]
    with _serving(env, tmp_path, log):
        _wait_for(lambda: {s for _, s, _ in states()} == {"retrying"}, "a first, failed attempt", log)
    tried = {key: attempts for key, _, attempts in states()}
    assert len(tried) == MESSAGES
    assert all(attempts >= 1 for attempts in tried.values())
    assert {s for _, s, _ in states()} == {"retrying"}  # kept through the stop, waiting for their retry
    with open_rows() as rows:
        rows("UPDATE queued_message SET next_attempt_at = '2000-01-01 00:00:00+00:00' WHERE status = 'retrying'")
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with _serving(env, tmp_path, log):
            _wait_for(lambda: {s for _, s, _ in states()} == {"sent"}, "every message to be sent", log)
            time.sleep(1.0)  # time for a double delivery to show, if there were one
    finally:
        controller.stop()
    assert [(key, s, a) for key, s, a in states()] == [(key, "sent", tried[key] + 1) for key in sorted(tried)]
    assert len(inbox.accepted) == MESSAGES
    assert len(set(inbox.accepted)) == MESSAGES  # each exactly once


def test_the_queue_survives_a_restart_of_serve_on_sqlite(tmp_path: Path) -> None:
    @contextlib.contextmanager
    def open_rows() -> Iterator[Rows]:
        with contextlib.closing(sqlite3.connect(tmp_path / "data" / "needlewise.sqlite3")) as connection:
            yield lambda query: connection.execute(query).fetchall()
            connection.commit()

    run_restart(tmp_path, None, open_rows)


def test_the_queue_survives_a_restart_of_serve_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    @contextlib.contextmanager
    def open_rows() -> Iterator[Rows]:
        with psycopg.connect(postgres_url, autocommit=True) as connection:

            def rows(query: str) -> Sequence[tuple[Any, ...]]:
                cursor = connection.execute(query)
                return cursor.fetchall() if cursor.description else []

            yield rows

    run_restart(tmp_path, postgres_url, open_rows)
