"""The same journal start form posted several times at the same instant starts one journal, and every post gets its key.

Each round forks one process per post from a warmed-up parent (``journal_racer.py``); every process
opens its own database connection and starts the journal of the same form at the same moment. The
unique mark of the form lets one post add the journal; the others wait on it, then find that journal.
Both backends: SQLite (a file in a temporary folder) and PostgreSQL (a scratch database).
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

RACER = Path(__file__).with_name("journal_racer.py")
SOURCE = Path(__file__).resolve().parents[2] / "src"  # this checkout's code, whatever the children's folder
ROUNDS = int(os.environ.get("NEEDLEWISE_RACE_ROUNDS", "6"))
POSTS = 3

Rows = Callable[[str], Sequence[tuple[Any, ...]]]


def _env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env |= {"DJANGO_SETTINGS_MODULE": "needlewise.web.settings", "NEEDLEWISE_DATA_DIR": str(data_dir)}
    env["PYTHONPATH"] = os.pathsep.join([str(SOURCE), *filter(None, [os.environ.get("PYTHONPATH")])])
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
    _run(["setup"], env, tmp_path)
    posts = _run(["race", str(ROUNDS), str(POSTS)], env, tmp_path)
    assert len(posts) == ROUNDS * POSTS
    keys = {r: {p["key"] for p in posts if p["round"] == r} for r in range(ROUNDS)}
    assert all(len(one) == 1 for one in keys.values()), keys  # every post of a form got the same key
    assert len(set.union(*keys.values())) == ROUNDS  # and each form its own journal
    with rows() as query:
        assert query("SELECT COUNT(*) FROM journal") == [(ROUNDS,)]
        assert query("SELECT COUNT(*) FROM journal_start") == [(ROUNDS,)]


def test_journal_start_race_sqlite(tmp_path: Path) -> None:
    @contextlib.contextmanager
    def rows() -> Iterator[Rows]:
        with contextlib.closing(sqlite3.connect(tmp_path / "needlewise.sqlite3")) as connection:
            yield lambda query: connection.execute(query).fetchall()

    _race(_env(tmp_path, None), tmp_path, rows)


def test_journal_start_race_postgresql(tmp_path: Path, postgres_url: str) -> None:
    @contextlib.contextmanager
    def rows() -> Iterator[Rows]:
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            yield lambda query: connection.execute(query).fetchall()

    _race(_env(tmp_path, postgres_url), tmp_path, rows)
