"""Crash consistency: SIGKILL a writer in the middle of the clinic workspace's writes, then check the database.

Each cycle forks a writer (see ``writer.py``) that creates clients, screens them, has them sign the
consent, plans their treatment and records a session with a new single-use cartridge: one use case,
so one transaction with its hash-chained audit row, at a time, acknowledging each on stdout only
after it has committed. A seeded random delay after its first acknowledgement, the test kills it with
SIGKILL, wherever it is: inside a transaction, between two, or in the engine. Then, before the next
cycle writes anything, it checks from outside Django:

- SQLite: ``PRAGMA integrity_check`` is ``ok`` and ``PRAGMA foreign_key_check`` finds nothing;
- every acknowledged client, screening, consent, plan and session is there (an acknowledged commit survived);
- no screening points at a missing client or document, and no document is left without a screening;
- every client, screening, consent, plan and session has its one ``create`` audit row, and no such
  row names a record that is not there; every session has its zone and its three check-ins, every
  plan its zone, and no cartridge was used twice: no operation is half done;
- at most one operation per kill is committed without its acknowledgement (killed between the two);
- the audit chain is whole (contiguous positions, each row naming the previous row's hash, the head
  at the last row), and ``needlewise.clinic.audit.chain.verify`` recomputes every hash (in a forked process).

At the end ``needlewise audit verify``, in a fresh process, recomputes the chain once more.

``NEEDLEWISE_DURABILITY_CYCLES`` sets the number of kills per backend (default 20),
``NEEDLEWISE_DURABILITY_SEED`` the random seed (default 9). PostgreSQL runs in a scratch database
created on ``NEEDLEWISE_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``) and
dropped afterwards; without a reachable server that test is skipped, unless
``NEEDLEWISE_REQUIRE_POSTGRES=1``. Killing the client is what these tests do; they do not pull the
power: that is the storage's and the server's fsync, which the PostgreSQL test checks is on.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import psycopg
import pytest

WRITER = Path(__file__).with_name("writer.py")
CYCLES = int(os.environ.get("NEEDLEWISE_DURABILITY_CYCLES", "20"))
SEED = int(os.environ.get("NEEDLEWISE_DURABILITY_SEED", "9"))
KILL_DELAY_S = (0.05, 0.4)  # after the first acknowledgement of each cycle
STEP_TIMEOUT_S = 60.0
TREATMENT_TABLES = {"consent": "consent", "plan": "treatment_plan", "session": "treatment_session"}

Rows = Callable[[str], Sequence[tuple[Any, ...]]]


# --- the children ---


def _child_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env |= {"DJANGO_SETTINGS_MODULE": "needlewise.web.settings", "NEEDLEWISE_DATA_DIR": str(data_dir)}
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _run_child(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - the venv's own python on this repository's script, no shell
        [sys.executable, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


class _Lines:
    """Lines from a pipe, with a timeout per line (select on the raw descriptor, no threads)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._fd = stream.fileno()
        self._buffer = b""
        self._eof = False

    def next(self, timeout: float) -> str | None:
        """The next whole line; None after ``timeout`` seconds without one; EOFError at the end."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            if self._eof:
                raise EOFError(self._buffer.decode(errors="replace"))
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._fd], [], [], remaining)[0]:
                return None
            chunk = os.read(self._fd, 65536)
            self._eof = not chunk
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode()


@dataclass
class _Server:
    """``writer.py serve``: forks a writer or a checker per command."""

    process: subprocess.Popen[bytes]
    stderr_path: Path
    lines: _Lines = field(init=False)

    def __post_init__(self) -> None:
        assert self.process.stdout is not None
        self.lines = _Lines(self.process.stdout)
        assert self.expect(STEP_TIMEOUT_S) == "ready", self.stderr()

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")[-4000:]

    def send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command.encode() + b"\n")
        self.process.stdin.flush()

    def poll(self, timeout: float) -> str | None:
        """The next line, or None after ``timeout`` seconds; fails if the server has ended."""
        try:
            return self.lines.next(timeout)
        except EOFError:
            pytest.fail(f"the writer server ended (rc {self.process.poll()}):\n{self.stderr()}")

    def expect(self, timeout: float) -> str:
        line = self.poll(timeout)
        if line is None:
            pytest.fail(f"no line from the writer server within {timeout:.0f} s:\n{self.stderr()}")
        return line

    def check_chain(self) -> dict[str, Any]:
        """audit.verify() in a forked process."""
        self.send("check")
        report: dict[str, Any] = {}
        pid = None
        while True:
            match self.expect(STEP_TIMEOUT_S).split(" ", 1):
                case ["pid", number]:
                    pid = int(number)
                case ["check", body]:
                    report = json.loads(body)
                case ["exit", rest]:
                    assert rest.split()[0] == str(pid)
                    return report
                case other:
                    pytest.fail(f"unexpected line from the checker: {other}")


@dataclass
class _Ledger:
    """What the writers acknowledged, over every cycle so far."""

    clients: set[int] = field(default_factory=set)
    screenings: dict[int, int] = field(default_factory=dict)  # screening id -> client id
    consents: dict[int, int] = field(default_factory=dict)  # the same for the treatment records
    plans: dict[int, int] = field(default_factory=dict)
    sessions: dict[int, int] = field(default_factory=dict)
    kills: int = 0

    def treatment(self, kind: str) -> dict[int, int]:
        """The acknowledged consents, plans or sessions (id -> client id)."""
        records: dict[int, int] = {"consent": self.consents, "plan": self.plans, "session": self.sessions}[kind]
        return records


def _kill_cycle(server: _Server, tag: str, delay: float, ledger: _Ledger) -> None:
    """Fork a writer, SIGKILL it ``delay`` seconds after its first acknowledgement, record its acks."""
    server.send(f"write {tag}")
    pid: int | None = None
    kill_at: float | None = None
    killed = False
    while True:
        armed = kill_at is not None and pid is not None and not killed
        timeout = max(0.0, kill_at - time.monotonic()) if armed and kill_at is not None else STEP_TIMEOUT_S
        line = server.poll(timeout) if armed else server.expect(timeout)
        if line is None:  # the kill delay is up
            assert pid is not None
            os.kill(pid, signal.SIGKILL)
            killed = True
            continue
        match line.split():
            case ["pid", number]:
                pid = int(number)
            case ["ack", "client", client_id]:
                ledger.clients.add(int(client_id))
            case ["ack", "screening", screening_id, client_id]:
                ledger.screenings[int(screening_id)] = int(client_id)
            case ["ack", ("consent" | "plan" | "session") as kind, record_id, client_id]:
                ledger.treatment(kind)[int(record_id)] = int(client_id)
            case ["exit", number, *how]:
                assert number == str(pid)
                assert killed, f"cycle {tag}: the writer stopped before it was killed ({how}):\n{server.stderr()}"
                assert how == ["signal", str(int(signal.SIGKILL))], f"cycle {tag}: {how}"
                ledger.kills += 1
                return
            case _:
                pytest.fail(f"cycle {tag}: unexpected line {line!r}")
        if kill_at is None and line.startswith("ack "):
            kill_at = time.monotonic() + delay


# --- the checks, from outside Django ---


def _check_records(rows: Rows, ledger: _Ledger) -> list[str]:
    problems = []
    clients = {row[0] for row in rows("SELECT id FROM client")}
    screenings = {row[0]: row[1] for row in rows("SELECT id, client_id FROM screening")}
    if lost := ledger.clients - clients:
        problems.append(f"acknowledged clients lost: {sorted(lost)[:10]}")
    if lost := {s for s, c in ledger.screenings.items() if screenings.get(s) != c}:
        problems.append(f"acknowledged screenings lost or changed: {sorted(lost)[:10]}")
    queries = {kind: f"SELECT id, client_id FROM {table}" for kind, table in TREATMENT_TABLES.items()}  # noqa: S608 - fixed table names
    treatment = {kind: dict(rows(query)) for kind, query in queries.items()}
    for kind, found in treatment.items():
        if lost := {r for r, c in ledger.treatment(kind).items() if found.get(r) != c}:
            problems.append(f"acknowledged {kind}s lost or changed: {sorted(lost)[:10]}")
    unacknowledged = len(clients) - len(ledger.clients) + len(screenings) - len(ledger.screenings)
    unacknowledged += sum(len(found) - len(ledger.treatment(kind)) for kind, found in treatment.items())
    if not problems and not 0 <= unacknowledged <= ledger.kills:
        problems.append(f"{unacknowledged} operations committed without acknowledgement in {ledger.kills} kills")
    dangling = rows(
        "SELECT s.id FROM screening s LEFT JOIN client c ON c.id = s.client_id"
        " LEFT JOIN assessment_document d ON d.id = s.document_id WHERE c.id IS NULL OR d.id IS NULL"
    )
    if dangling:
        problems.append(f"screenings without their client or document: {dangling[:10]}")
    orphans = rows(
        "SELECT d.id FROM assessment_document d"
        " WHERE NOT EXISTS (SELECT 1 FROM screening s WHERE s.document_id = d.id)"
        " AND NOT EXISTS (SELECT 1 FROM consultation_request r WHERE r.document_id = d.id)"
    )
    if orphans:
        problems.append(f"documents left by a half-done screening: {orphans[:10]}")
    problems += _check_treatment_whole(rows)
    return (
        problems
        + _check_audit_rows(rows, "client", {c: c for c in clients})
        + _check_audit_rows(rows, "screening", screenings)
        + [problem for kind, found in treatment.items() for problem in _check_audit_rows(rows, kind, found)]
    )


def _check_treatment_whole(rows: Rows) -> list[str]:
    """No half-written treatment record: every session has its zone and its check-ins, every plan its
    zone; no cartridge used twice."""
    problems = []
    partial = rows(
        "SELECT s.id FROM treatment_session s"
        " WHERE (SELECT COUNT(*) FROM session_zone z WHERE z.session_id = s.id) <> 1"
        " OR (SELECT COUNT(*) FROM checkin c WHERE c.session_id = s.id) <> 3"
    )
    if partial:
        problems.append(f"sessions without their zone or their three check-ins: {partial[:10]}")
    if bare := rows(
        "SELECT p.id FROM treatment_plan p WHERE NOT EXISTS (SELECT 1 FROM plan_zone z WHERE z.plan_id = p.id)"
    ):
        problems.append(f"plans without their zone: {bare[:10]}")
    if twice := rows("SELECT cartridge_lot, cartridge_serial FROM treatment_session GROUP BY 1, 2 HAVING COUNT(*) > 1"):
        problems.append(f"cartridges used twice: {twice[:10]}")
    return problems


def _check_audit_rows(rows: Rows, kind: str, records: dict[int, int]) -> list[str]:
    """Each record (id -> client id) has exactly the one 'create' audit row, naming the same client."""
    query = f"SELECT object_type, object_id, client_id FROM audit_entry WHERE action = 'create' AND outcome = 'success' AND object_type = '{kind}'"  # noqa: E501, S608 - a fixed kind
    audited = rows(query)
    ids = [int(object_id) for object_type, object_id, _ in audited if object_type == kind]
    by_id = {int(object_id): client_id for object_type, object_id, client_id in audited if object_type == kind}
    problems = []
    if unaudited := set(records) - set(by_id):
        problems.append(f"{kind}s without their 'create {kind}' audit row: {sorted(unaudited)[:10]}")
    if phantom := set(by_id) - set(records):
        problems.append(f"'create {kind}' audit rows for {kind}s that are not there: {sorted(phantom)[:10]}")
    if twice := len(ids) - len(by_id):
        problems.append(f"{twice} {kind}s audited twice")
    if wrong := sorted(i for i, client_id in by_id.items() if i in records and records[i] != client_id):
        problems.append(f"'create {kind}' audit rows naming another client: {wrong[:10]}")
    return problems


def _check_chain_links(rows: Rows) -> list[str]:
    heads = {chain: (seq, digest) for chain, seq, digest in rows("SELECT chain, seq, hash FROM audit_head")}
    links: dict[int, list[tuple[int, str, str]]] = {}
    for chain, seq, prev_hash, row_hash in rows(
        "SELECT chain, seq, prev_hash, hash FROM audit_entry ORDER BY chain, seq"
    ):
        links.setdefault(chain, []).append((seq, prev_hash, row_hash))
    for chain, chain_rows in links.items():
        previous = "0" * 64
        for expected, (seq, prev_hash, row_hash) in enumerate(chain_rows, start=1):
            if seq != expected or prev_hash != previous:
                return [f"audit chain {chain} broken at row {expected} (seq {seq})"]
            previous = row_hash
        if heads.get(chain) != (len(chain_rows), previous):
            return [f"audit head of chain {chain} {heads.get(chain)} is not at its last row ({len(chain_rows)})"]
    return []


# --- the backends ---


@dataclass
class _Backend:
    name: str
    data_dir: Path
    database_url: str | None
    open_rows: Callable[[], contextlib.AbstractContextManager[Rows]]
    extra_checks: Callable[[Rows], list[str]] = lambda _rows: []

    @property
    def env(self) -> dict[str, str]:
        return _child_env(self.data_dir, self.database_url)


def _sqlite_backend(data_dir: Path) -> _Backend:
    path = data_dir / "needlewise.sqlite3"

    @contextlib.contextmanager
    def open_rows() -> Iterator[Rows]:
        with contextlib.closing(sqlite3.connect(path)) as connection:
            yield lambda query: connection.execute(query).fetchall()

    def pragmas(rows: Rows) -> list[str]:
        problems = []
        if (integrity := rows("PRAGMA integrity_check")) != [("ok",)]:
            problems.append(f"PRAGMA integrity_check: {integrity[:10]}")
        if foreign := rows("PRAGMA foreign_key_check"):
            problems.append(f"PRAGMA foreign_key_check: {foreign[:10]}")
        if (mode := rows("PRAGMA journal_mode")) != [("wal",)]:
            problems.append(f"journal_mode is {mode}, not wal")
        return problems

    return _Backend("sqlite", data_dir, None, open_rows, pragmas)


def _postgres_backend(data_dir: Path, url: str) -> _Backend:
    @contextlib.contextmanager
    def open_rows() -> Iterator[Rows]:
        with psycopg.connect(url, autocommit=True) as connection:
            yield lambda query: connection.execute(query).fetchall()

    return _Backend("postgresql", data_dir, url, open_rows)


def _run_kill9(backend: _Backend, tmp_path: Path) -> None:
    started = time.monotonic()
    rng = random.Random(f"{SEED}-{backend.name}")  # noqa: S311 - kill timings, not cryptography
    setup = _run_child([str(WRITER), "setup"], backend.env, tmp_path)
    assert setup.returncode == 0, setup.stderr[-4000:]
    ids = json.loads(setup.stdout.strip().splitlines()[-1])
    stderr_path = tmp_path / f"{backend.name}-server.stderr"
    ledger = _Ledger()
    args = [sys.executable, str(WRITER), "serve", str(ids["clinic_id"]), str(ids["provider_user_id"])]
    with (
        stderr_path.open("wb") as stderr,
        subprocess.Popen(  # noqa: S603 - the venv's own python on this repository's script, no shell
            args,
            env=backend.env,
            cwd=tmp_path,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            start_new_session=True,  # its own process group: a failed cycle ends the server and its writer
        ) as process,
    ):
        try:
            server = _Server(process, stderr_path)
            for cycle in range(1, CYCLES + 1):
                _kill_cycle(server, str(cycle), rng.uniform(*KILL_DELAY_S), ledger)
                with backend.open_rows() as rows:
                    problems = backend.extra_checks(rows) + _check_records(rows, ledger) + _check_chain_links(rows)
                report = server.check_chain()
                if not report.get("ok"):
                    problems.append(f"audit.verify(): {report}")
                assert not problems, f"{backend.name}, cycle {cycle} (seed {SEED}): {problems}"
            server.send("quit")
            assert process.wait(timeout=STEP_TIMEOUT_S) == 0, server.stderr()
        finally:
            if process.poll() is None:  # still running, so the group is still ours: the server and any writer
                os.killpg(process.pid, signal.SIGKILL)
    verified = _run_child(["-m", "needlewise", "audit", "verify"], backend.env, tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr[-4000:]
    sys.stdout.write(
        f"\nkill -9 on {backend.name}: {ledger.kills} kills, {len(ledger.clients)} clients,"
        f" {len(ledger.screenings)} screenings, {len(ledger.consents)} consents, {len(ledger.plans)} plans and"
        f" {len(ledger.sessions)} sessions acknowledged and found;"
        f" needlewise audit verify: {verified.stdout.strip()}; {time.monotonic() - started:.1f} s\n"
    )
    assert ledger.kills == CYCLES


def test_kill9_sqlite(tmp_path: Path) -> None:
    _run_kill9(_sqlite_backend(tmp_path), tmp_path)


def test_kill9_postgresql(tmp_path: Path, postgres_url: str) -> None:
    _run_kill9(_postgres_backend(tmp_path, postgres_url), tmp_path)
