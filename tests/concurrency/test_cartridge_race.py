"""A single-use cartridge is used once, even when two sessions claim it at the same instant.

Each round forks one process per claim from a warmed-up parent (``racer.py``); every process opens
its own database connection and records a session through the real use case at the same moment.
Exactly one claim of each cartridge must succeed, and the other must be told the cartridge was
already used. A second race sends two sessions with different cartridges for one client: the
minimum interval lets exactly one through. Both backends: SQLite (a file in a temporary folder)
and PostgreSQL (a scratch database on ``NEEDLEWISE_POSTGRES_URL``, skipped without a server unless
``NEEDLEWISE_REQUIRE_POSTGRES=1``).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg

RACER = Path(__file__).with_name("racer.py")
ROUNDS = int(os.environ.get("NEEDLEWISE_RACE_ROUNDS", "6"))

Rows = Callable[[str], Sequence[tuple[Any, ...]]]


def _env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env |= {"DJANGO_SETTINGS_MODULE": "needlewise.web.settings", "NEEDLEWISE_DATA_DIR": str(data_dir)}
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> list[dict[str, Any]]:
    done = subprocess.run(  # noqa: S603 - the venv's own python on this repository's script, no shell
        [sys.executable, str(RACER), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def _race(env: dict[str, str], tmp_path: Path, rows: Callable[[], contextlib.AbstractContextManager[Rows]]) -> None:
    [made] = _run(["setup", str(2 * ROUNDS + 1)], env, tmp_path)
    pairs = made["clients"]
    same_cartridge = [
        [[*pairs[2 * r], "LOT-RACE", f"SN-{r}"], [*pairs[2 * r + 1], "LOT-RACE", f"SN-{r}"]] for r in range(ROUNDS)
    ]
    lone = pairs[-1]
    same_client = [[[*lone, "LOT-RACE", "SN-A"], [*lone, "LOT-RACE", "SN-B"]]]
    outcomes = _run(
        ["race", str(made["clinic_id"]), str(made["nurse_user_id"]), json.dumps(same_cartridge)], env, tmp_path
    )
    assert len(outcomes) == 2 * ROUNDS
    by_client = {o["client"]: o for o in outcomes}
    for r in range(ROUNDS):
        pair = [by_client[pairs[2 * r][0]], by_client[pairs[2 * r + 1][0]]]
        assert sorted(o["ok"] for o in pair) == [False, True], pair
        [loser] = [o for o in pair if not o["ok"]]
        assert loser["blocked"] == ["cartridge_unused"]
    interval = _run(
        ["race", str(made["clinic_id"]), str(made["nurse_user_id"]), json.dumps(same_client)], env, tmp_path
    )
    assert sorted(o["ok"] for o in interval) == [False, True], interval
    assert next(o for o in interval if not o["ok"])["blocked"] == ["interval"]
    with rows() as query:
        per_cartridge = query(
            "SELECT cartridge_serial, COUNT(*) FROM treatment_session GROUP BY cartridge_serial ORDER BY 1"
        )
        assert [count for _, count in per_cartridge] == [1] * (ROUNDS + 1)
        assert query("SELECT COUNT(*) FROM treatment_session WHERE client_id = %d" % lone[0]) == [(1,)]  # noqa: S608, UP031 - an int from the racer
        assert query("SELECT COUNT(*) FROM checkin") == [((ROUNDS + 1) * 3,)]


def test_cartridge_race_sqlite(tmp_path: Path) -> None:
    @contextlib.contextmanager
    def rows() -> Iterator[Rows]:
        with contextlib.closing(sqlite3.connect(tmp_path / "needlewise.sqlite3")) as connection:
            yield lambda query: connection.execute(query).fetchall()

    _race(_env(tmp_path, None), tmp_path, rows)


def test_cartridge_race_postgresql(tmp_path: Path, postgres_url: str) -> None:
    @contextlib.contextmanager
    def rows() -> Iterator[Rows]:
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            yield lambda query: connection.execute(query).fetchall()

    _race(_env(tmp_path, postgres_url), tmp_path, rows)
