"""``needlewise backup`` and ``needlewise restore`` on SQLite and PostgreSQL.

End to end, the real command runs in a subprocess against a real database: a migrated SQLite file in
a temporary data folder, and (when a server is reachable) a scratch PostgreSQL database. A round trip
compares every row of every table, ordered by primary key, before the backup and after the restore.
In-process tests pin down each check and error path (PostgreSQL's tools faked) for coverage, since
subprocesses are not measured.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from psycopg import sql
from typer.testing import CliRunner

from needlewise.cli.app import app
from needlewise.errors import BackupError
from needlewise.storage import backup, backup_files, backup_postgresql, backup_sqlite
from needlewise.storage.backup_files import Kind

NEEDLEWISE = Path(sys.executable).with_name("needlewise")
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
TOC_WITH_MIGRATIONS = "215; 1259 16389 TABLE public django_migrations postgres"
runner = CliRunner()
TEST_DATA_KEY = "dGVzdC1vbmx5LWRhdGEta2V5LW9mLTMyLWJ5dGVzLi4="  # 32 bytes, tests only

# Run in a subprocess with the test's environment: migrate, then save COUNT results from FIRST on
# through the real storage port (so the rows are what the app itself writes).
POPULATE = """
import sys

import django

django.setup()
from django.core.management import call_command
from django.db import connections

from needlewise import bootstrap
from needlewise.services.ports import SavedResultRecord

call_command("migrate", interactive=False, verbosity=0)
saved = bootstrap.saved_results()
first, count = int(sys.argv[1]), int(sys.argv[2])
for i in range(first, first + count):
    saved.add(
        SavedResultRecord(
            token_digest=f"{i:064x}",
            lang="es" if i % 2 else "en",
            profile={"setting": "home", "age": 20 + i, "note": "ñandú ✓ 'quoted' \\"double\\""},
            kb_version="1.0.0",
            kb_hash=f"sha256:{i:08x}",
            tier=("home_ok", "clinic", "stop")[i % 3],
            assessment={"tier": "home_ok", "findings": [{"rule_id": f"rule-{i}"}], "n": i},
        )
    )
connections.close_all()
"""

FAKE_PG_DUMP = """#!/bin/sh
printf '%s\\n' "$@" > "$FAKE_PG_LOG/pg_dump.argv"
env | grep '^PG' | sort > "$FAKE_PG_LOG/pg_dump.env"
if [ -n "$FAKE_PG_DUMP_ERROR" ]; then printf '%s\\n' "$FAKE_PG_DUMP_ERROR" >&2; exit 1; fi
for argument in "$@"; do
  case "$argument" in --file=*) printf 'PGDMP fake dump' > "${argument#--file=}";; esac
done
"""
FAKE_PG_RESTORE = """#!/bin/sh
if [ "$1" = "--list" ]; then
  if [ -n "$FAKE_PG_LIST_ERROR" ]; then printf '%s\\n' "$FAKE_PG_LIST_ERROR" >&2; exit 1; fi
  printf '%s\\n' "$FAKE_PG_TOC"
  exit 0
fi
printf '%s\\n' "$@" > "$FAKE_PG_LOG/pg_restore.argv"
if [ -n "$FAKE_PG_RESTORE_ERROR" ]; then printf '%s\\n' "$FAKE_PG_RESTORE_ERROR" >&2; exit 1; fi
"""


# -- helpers ----------------------------------------------------------------------------------------


def subprocess_env(data: Path, database_url: str | None = None) -> dict[str, str]:
    """The test's environment without the developer's own needlewise or database settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("NEEDLEWISE_") and key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env |= {
        "NEEDLEWISE_DATA_DIR": str(data),
        "NEEDLEWISE_SECRET_KEY": "test",
        # one installation's key, as a restore needs: every data folder here holds that installation's data
        "NEEDLEWISE_DATA_KEY": TEST_DATA_KEY,
        "DJANGO_SETTINGS_MODULE": "needlewise.web.settings",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def populate(env: dict[str, str], first: int, count: int) -> None:
    completed = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", POPULATE, str(first), str(count)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr


def needlewise(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(  # noqa: S603 - the project's own command from this virtual environment
        [str(NEEDLEWISE), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert "Traceback" not in completed.stderr, completed.stderr
    return completed


def assert_one_line_error(completed: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert completed.returncode == 2, completed.stderr
    assert completed.stdout == ""
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def sqlite_snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (SQLite's own ``sqlite_sequence`` too), ordered by primary key."""
    with closing(sqlite3.connect(path)) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        snapshot: dict[str, list[tuple[Any, ...]]] = {}
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            columns = sorted((row for row in db.execute(f"PRAGMA table_info({quoted})") if row[5]), key=lambda r: r[5])
            order = ", ".join('"' + column[1] + '"' for column in columns)
            query = f"SELECT * FROM {quoted}" + (f" ORDER BY {order}" if order else "")  # noqa: S608 - catalogue names
            rows = db.execute(query).fetchall()
            snapshot[table] = rows if order else sorted(rows, key=repr)
        return snapshot


PRIMARY_KEY_COLUMNS = """
SELECT a.attname FROM pg_index i
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
WHERE i.indrelid = to_regclass(quote_ident(%s)) AND i.indisprimary
ORDER BY array_position(i.indkey::int2[], a.attnum)
"""


def postgres_snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table in the public schema ordered by primary key, and every sequence."""
    with psycopg.connect(url) as db:
        tables = [
            row[0] for row in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        ]
        snapshot: dict[str, list[tuple[Any, ...]]] = {}
        for table in tables:
            key = [sql.Identifier(row[0]) for row in db.execute(PRIMARY_KEY_COLUMNS, (table,))]
            query = sql.SQL("SELECT * FROM {}").format(sql.Identifier(table))
            if key:
                query = sql.SQL("{} ORDER BY {}").format(query, sql.SQL(", ").join(key))
            rows = db.execute(query).fetchall()
            snapshot[table] = rows if key else sorted(rows, key=repr)
        sequences = "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
        snapshot["<sequences>"] = db.execute(sequences).fetchall()
        return snapshot


def not_needlewise_sqlite(path: Path, *, with_migrations_table: bool = False) -> Path:
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        if with_migrations_table:
            db.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT, name TEXT, applied TEXT)")
            db.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('blog', '0001_initial', 'now')")
        db.commit()
    return path


def damaged_sqlite(path: Path) -> Path:
    """A database whose index pages are orphaned: it opens, but fails ``PRAGMA integrity_check``."""
    with closing(sqlite3.connect(path)) as db:
        db.executescript("CREATE TABLE t (a); CREATE INDEX t_a ON t (a);")
        db.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(2000)])
        db.commit()
        db.execute("PRAGMA writable_schema = ON")
        db.execute("DELETE FROM sqlite_master WHERE name = 't_a'")
        db.commit()
    return path


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".partial", "-wal", "-shm", "-journal")))


# -- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A needlewise SQLite database made by the app itself: migrated, with five saved results."""
    data = tmp_path_factory.mktemp("migrated")
    populate(subprocess_env(data), first=0, count=5)
    return data / "needlewise.sqlite3"


@pytest.fixture
def live(tmp_path: Path, migrated: Path) -> Path:
    """A private copy of the migrated database, as the live database of a data folder."""
    data = tmp_path / "data"
    data.mkdir()
    path = data / "needlewise.sqlite3"
    shutil.copyfile(migrated, path)
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA journal_mode=WAL")
    return path


class Posing:
    """The test database's connection, posing as another backend or database (nothing else changes)."""

    def __init__(self, vendor: str, **settings: object) -> None:
        self._real = connections[DEFAULT_DB_ALIAS]
        self.vendor = vendor
        self.settings_dict = {**self._real.settings_dict, **settings}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


@pytest.fixture
def pose(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """``pose(vendor, NAME=...)``: make ``storage.backup`` see the configured database that way."""

    def as_database(vendor: str, **settings: object) -> None:
        monkeypatch.setattr(backup, "connections", {DEFAULT_DB_ALIAS: Posing(vendor, **settings)})

    return as_database


@pytest.fixture(autouse=True)
def same_installation_key(settings) -> None:
    """In-process too, the data key is the one the subprocesses' installation uses."""
    settings.DATA_KEY = TEST_DATA_KEY


@pytest.fixture
def on_sqlite(pose: Callable[..., None], live: Path) -> Path:
    pose("sqlite", NAME=str(live))
    return live


@pytest.fixture
def fake_pg_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fake ``pg_dump`` and ``pg_restore`` first on PATH; they log their arguments in the returned folder."""
    bin_dir, log = tmp_path / "bin", tmp_path / "log"
    bin_dir.mkdir()
    log.mkdir()
    for name, script in (("pg_dump", FAKE_PG_DUMP), ("pg_restore", FAKE_PG_RESTORE)):
        (bin_dir / name).write_text(script, encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_PG_LOG", str(log))
    monkeypatch.setenv("FAKE_PG_TOC", TOC_WITH_MIGRATIONS)
    for variable in ("FAKE_PG_DUMP_ERROR", "FAKE_PG_LIST_ERROR", "FAKE_PG_RESTORE_ERROR"):
        monkeypatch.delenv(variable, raising=False)
    return log


@pytest.fixture
def on_fake_postgres(db: None, pose: Callable[..., None], fake_pg_tools: Path) -> Path:  # noqa: ARG001 - counts rows there
    """PostgreSQL as far as ``storage.backup`` can tell: fake tools, row counts from the test database."""
    pose("postgresql", NAME="needle'wise", USER="app", PASSWORD="s3cret", HOST="db.internal", PORT="6543")  # noqa: S106
    return fake_pg_tools


def postgres_admin_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url
    return os.environ.get("NEEDLEWISE_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def postgres_missing(reason: str) -> None:
    """Skip, or fail when the environment requires the PostgreSQL tests to run."""
    if os.environ.get("NEEDLEWISE_REQUIRE_POSTGRES") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def scratch_postgres() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    url = postgres_admin_url()
    parts = urlsplit(url)
    shown = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()  # no user or password
    try:
        admin = psycopg.connect(url, connect_timeout=3, autocommit=True)
    except psycopg.OperationalError as error:
        postgres_missing(f"no PostgreSQL server reachable at {shown} ({str(error).strip().splitlines()[0]})")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        postgres_missing("pg_dump and pg_restore are not on PATH (apt-get install postgresql-client)")
    name = f"needlewise_backup_test_{secrets.token_hex(4)}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield parts._replace(path=f"/{name}").geturl()
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# -- end to end: the real command in a subprocess ---------------------------------------------------


def test_sqlite_round_trip_restores_every_row_of_every_table(tmp_path: Path, live: Path) -> None:
    env = subprocess_env(live.parent)
    target = tmp_path / "backups" / "needlewise-backup.sqlite3"
    target.parent.mkdir()
    before = sqlite_snapshot(live)
    assert len(before["saved_result"]) == 5
    assert before["django_migrations"]
    # The app is running: a writer holds an uncommitted transaction while the backup is taken.
    with closing(sqlite3.connect(live, isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE saved_result SET tier = 'uncommitted'")
        made = needlewise("backup", str(target), env=env)
        writer.execute("ROLLBACK")
    assert made.returncode == 0, made.stderr
    assert f"Backed up the SQLite database to {target}" in made.stdout
    assert "saved_result" in made.stdout
    assert sqlite_snapshot(target) == before  # committed data only, consistent
    assert target.stat().st_mode & 0o077 == 0  # health data: private to its owner

    populate(env, first=100, count=3)  # the app goes on: new rows, the id sequence moves
    with closing(sqlite3.connect(live)) as db:
        db.execute("DELETE FROM saved_result WHERE id IN (SELECT id FROM saved_result ORDER BY id LIMIT 2)")
        db.execute("UPDATE saved_result SET tier = 'stop', profile = '{}'")
        db.execute("DELETE FROM django_migrations WHERE app = 'contenttypes'")
        db.commit()
    assert sqlite_snapshot(live) != before

    restored = needlewise("restore", "--yes", str(target), env=env)
    assert restored.returncode == 0, restored.stderr
    assert f"Restored the SQLite database from {target}" in restored.stdout
    assert sqlite_snapshot(live) == before
    assert leftovers(live.parent) == []
    populate(env, first=200, count=1)  # the restored database works, migrations and all


def test_restore_asks_first_and_changes_nothing_when_told_no(tmp_path: Path, live: Path, migrated: Path) -> None:
    env = subprocess_env(live.parent)
    backup_file = tmp_path / "b.sqlite3"
    shutil.copyfile(migrated, backup_file)
    with closing(sqlite3.connect(live)) as db:
        db.execute("DELETE FROM saved_result")
        db.commit()
    before = sqlite_snapshot(live)
    completed = subprocess.run(  # noqa: S603 - the project's own command
        [str(NEEDLEWISE), "restore", str(backup_file)],
        env=env,
        input="n\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert f"Replace all data in the SQLite database {live} with the backup {backup_file}?" in completed.stdout
    assert completed.stderr.strip() == "error: restore cancelled; nothing was changed"
    assert sqlite_snapshot(live) == before


@pytest.mark.parametrize(
    ("name", "content", "fragments"),
    [
        ("missing.sqlite3", None, ("missing.sqlite3: no such file",)),
        ("notes.txt", b"just some text\n", ("notes.txt: is not a needlewise backup",)),
        (
            "needlewise.dump",
            b"PGDMP\x01\x0e\x00" + bytes(100),
            ("is a PostgreSQL backup, but the configured database is SQLite", "set DATABASE_URL"),
        ),
    ],
)
def test_sqlite_restore_refuses_with_one_line(tmp_path: Path, live: Path, name: str, content, fragments) -> None:
    source = tmp_path / name
    if content is not None:
        source.write_bytes(content)
    before = sqlite_snapshot(live)
    assert_one_line_error(needlewise("restore", "--yes", str(source), env=subprocess_env(live.parent)), *fragments)
    assert sqlite_snapshot(live) == before


def test_sqlite_backup_into_a_missing_folder_fails_with_one_line(tmp_path: Path, live: Path) -> None:
    completed = needlewise("backup", str(tmp_path / "nowhere" / "b.sqlite3"), env=subprocess_env(live.parent))
    assert_one_line_error(completed, "nowhere: no such folder")


def test_postgresql_round_trip_restores_every_row_of_every_table(
    tmp_path: Path, scratch_postgres: str, migrated: Path
) -> None:
    env = subprocess_env(tmp_path / "data", scratch_postgres)
    dump = tmp_path / "needlewise.dump"
    # An empty database is not a needlewise one: the backup is refused and no file appears.
    assert_one_line_error(needlewise("backup", str(dump), env=env), "not of a needlewise database")
    assert not dump.exists()
    assert leftovers(tmp_path) == []

    populate(env, first=0, count=5)
    before = postgres_snapshot(scratch_postgres)
    assert len(before["saved_result"]) == 5
    made = needlewise("backup", str(dump), env=env)
    assert made.returncode == 0, made.stderr
    assert "Backed up the PostgreSQL database" in made.stdout
    assert dump.read_bytes().startswith(b"PGDMP")

    populate(env, first=100, count=3)
    with psycopg.connect(scratch_postgres, autocommit=True) as db:
        db.execute("DELETE FROM saved_result WHERE id IN (SELECT id FROM saved_result ORDER BY id LIMIT 2)")
        db.execute("UPDATE saved_result SET tier = 'stop', profile = '{}'")
        db.execute("DELETE FROM django_migrations WHERE app = 'contenttypes'")
    assert postgres_snapshot(scratch_postgres) != before

    restored = needlewise("restore", "--yes", str(dump), env=env)
    assert restored.returncode == 0, restored.stderr
    assert "Restored the PostgreSQL database" in restored.stdout
    assert postgres_snapshot(scratch_postgres) == before
    populate(env, first=200, count=1)  # sequences restored too: new rows get fresh ids

    sqlite_file = tmp_path / "needlewise.sqlite3"
    shutil.copyfile(migrated, sqlite_file)
    refused = needlewise("restore", "--yes", str(sqlite_file), env=env)
    assert_one_line_error(
        refused, "is a SQLite backup, but the configured database is PostgreSQL", "unset DATABASE_URL"
    )


# -- SQLite, in process -----------------------------------------------------------------------------


def test_copy_out_is_an_online_consistent_checked_copy(tmp_path: Path, live: Path) -> None:
    target = tmp_path / "copy.sqlite3"
    with closing(sqlite3.connect(live, isolation_level=None)) as writer:
        committed = sqlite_snapshot(live)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM saved_result")
        counts = backup_sqlite.copy_out(live, target)
        writer.execute("COMMIT")
    assert sqlite_snapshot(target) == committed
    assert counts["saved_result"] == 5
    assert counts["django_migrations"] == len(committed["django_migrations"])
    assert set(counts) == {name for name in committed if not name.startswith("sqlite_")}
    with closing(sqlite3.connect(target)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    assert leftovers(tmp_path) == []


def test_copy_out_replaces_an_existing_backup(tmp_path: Path, live: Path) -> None:
    target = tmp_path / "copy.sqlite3"
    target.write_bytes(b"an older backup")
    backup_sqlite.copy_out(live, target)
    assert sqlite_snapshot(target) == sqlite_snapshot(live)


def test_copy_in_replaces_the_live_database_and_its_side_files(tmp_path: Path, live: Path, migrated: Path) -> None:
    source = tmp_path / "b.sqlite3"
    shutil.copyfile(migrated, source)
    expected = sqlite_snapshot(source)
    with closing(sqlite3.connect(live)) as db:
        db.execute("DELETE FROM saved_result")
        db.commit()
    for suffix in backup_sqlite.SIDE_FILES:
        Path(f"{live}{suffix}").write_bytes(b"stale")
    asked: list[bool] = []
    counts = backup_sqlite.copy_in(source, live, lambda: asked.append(True))
    assert asked == [True]
    assert counts["saved_result"] == 5
    assert sqlite_snapshot(live) == expected
    assert leftovers(live.parent) == []


def test_copy_in_stops_before_replacing_when_told_to(tmp_path: Path, live: Path, migrated: Path) -> None:
    source = tmp_path / "b.sqlite3"
    shutil.copyfile(migrated, source)
    with closing(sqlite3.connect(live)) as db:
        db.execute("DELETE FROM saved_result")
        db.commit()
    before = sqlite_snapshot(live)

    def no() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        backup_sqlite.copy_in(source, live, no)
    assert sqlite_snapshot(live) == before
    assert leftovers(live.parent) == []


def test_copy_out_refuses_a_missing_database_and_writing_over_itself(tmp_path: Path, live: Path) -> None:
    with pytest.raises(BackupError, match=r"absent\.sqlite3: no database here yet"):
        backup_sqlite.copy_out(tmp_path / "absent.sqlite3", tmp_path / "b.sqlite3")
    with pytest.raises(BackupError, match="is the live database itself; name another file"):
        backup_sqlite.copy_out(live, live.parent / "." / live.name)
    with pytest.raises(BackupError, match="is the live database itself; nothing to restore"):
        backup_sqlite.copy_in(live, live, lambda: None)


def test_copy_out_of_a_file_that_is_no_database(tmp_path: Path) -> None:
    garbage = tmp_path / "needlewise.sqlite3"
    garbage.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match=r"cannot read the database \(file is not a database\)"):
        backup_sqlite.copy_out(garbage, tmp_path / "b.sqlite3")
    assert leftovers(tmp_path) == []
    assert not (tmp_path / "b.sqlite3").exists()


def test_a_damaged_database_fails_the_integrity_check_both_ways(tmp_path: Path, live: Path) -> None:
    damaged = damaged_sqlite(tmp_path / "damaged.sqlite3")
    with pytest.raises(BackupError, match=r"damaged\.sqlite3: failed SQLite's integrity check: Page \d+ is never used"):
        backup_sqlite.copy_out(damaged, tmp_path / "b.sqlite3")
    before = sqlite_snapshot(live)
    with pytest.raises(BackupError, match="failed SQLite's integrity check"):
        backup_sqlite.copy_in(damaged, live, lambda: None)
    assert sqlite_snapshot(live) == before
    assert leftovers(tmp_path) == []
    assert leftovers(live.parent) == []


@pytest.mark.parametrize("with_migrations_table", [False, True])
def test_a_sqlite_database_that_is_not_needlewise_is_refused(tmp_path: Path, live: Path, with_migrations_table) -> None:
    other = not_needlewise_sqlite(tmp_path / "other.sqlite3", with_migrations_table=with_migrations_table)
    with pytest.raises(BackupError, match="is a SQLite database, but not a needlewise one"):
        backup_sqlite.copy_in(other, live, lambda: None)
    with pytest.raises(BackupError, match="is a SQLite database, but not a needlewise one"):
        backup_sqlite.copy_out(other, tmp_path / "b.sqlite3")


def test_a_truncated_sqlite_file_is_not_readable(tmp_path: Path, live: Path) -> None:
    truncated = tmp_path / "truncated.sqlite3"
    truncated.write_bytes(backup_files.SQLITE_MAGIC + b"\xff" * 84)
    with pytest.raises(BackupError, match=r"truncated\.sqlite3: is not a readable SQLite database"):
        backup_sqlite.copy_in(truncated, live, lambda: None)


# -- files ------------------------------------------------------------------------------------------


def test_kind_of_reads_the_first_bytes(tmp_path: Path, migrated: Path) -> None:
    (tmp_path / "dump").write_bytes(b"PGDMP\x01\x0e")
    (tmp_path / "text").write_text("hello", encoding="utf-8")
    (tmp_path / "empty").write_bytes(b"")
    assert backup_files.kind_of(migrated) is Kind.SQLITE
    assert backup_files.kind_of(tmp_path / "dump") is Kind.POSTGRESQL
    assert backup_files.kind_of(tmp_path / "text") is None
    assert backup_files.kind_of(tmp_path / "empty") is None
    with pytest.raises(BackupError, match="absent: no such file"):
        backup_files.kind_of(tmp_path / "absent")
    with pytest.raises(BackupError, match=r"cannot read it \(Is a directory\)"):
        backup_files.kind_of(tmp_path)


def write_atomically(target: Path, text: str, *, fail: bool = False) -> None:
    with backup_files.replaced_atomically(target) as temporary:
        assert temporary.parent == target.parent
        assert temporary.stat().st_mode & 0o777 == 0o600
        temporary.write_text(text, encoding="utf-8")
        if fail:
            raise RuntimeError


def test_replaced_atomically_writes_all_or_nothing(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        write_atomically(target, "half", fail=True)
    assert target.read_text(encoding="utf-8") == "old"
    write_atomically(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
    with pytest.raises(BackupError, match="is a folder; name a file"):
        write_atomically(tmp_path, "x")
    with pytest.raises(BackupError, match="missing: no such folder"):
        write_atomically(tmp_path / "missing" / "file", "x")


# -- the backend dispatch, in process ---------------------------------------------------------------


def test_backup_and_restore_database_on_sqlite(tmp_path: Path, on_sqlite: Path) -> None:
    target = tmp_path / "b.sqlite3"
    made = backup.backup_database(target)
    assert made.backend is Kind.SQLITE
    assert made.path == target
    assert made.size_bytes == target.stat().st_size > 0
    assert made.tables["saved_result"] == 5
    assert made.rows == sum(made.tables.values())
    assert made.seconds >= 0
    expected = sqlite_snapshot(on_sqlite)
    with closing(sqlite3.connect(on_sqlite)) as db:
        db.execute("DELETE FROM saved_result")
        db.commit()
    restored = backup.restore_database(target)  # no confirmation asked: the default goes ahead
    assert isinstance(restored, backup.RestoreReport)
    assert restored.tables == made.tables
    assert sqlite_snapshot(on_sqlite) == expected
    assert backup.describe_database() == f"SQLite database {on_sqlite}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PGDMP\x01\x0e", "is a PostgreSQL backup, but the configured database is SQLite (set DATABASE_URL="),
        (b"{}", "is not a needlewise backup (neither a SQLite database nor a PostgreSQL custom-format dump)"),
    ],
)
@pytest.mark.usefixtures("on_sqlite")
def test_restore_database_refuses_files_of_another_kind(tmp_path: Path, content, message) -> None:
    source = tmp_path / "b"
    source.write_bytes(content)
    with pytest.raises(BackupError, match=message.replace("(", r"\(").replace(")", r"\)")):
        backup.restore_database(source)


def test_operating_system_errors_become_backup_errors(
    on_sqlite: Path, migrated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(_source: Path, target: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(backup_sqlite.shutil, "copyfile", disk_full)
    with pytest.raises(BackupError, match=r"\.partial: No space left on device") as raised:
        backup.restore_database(migrated)
    assert str(on_sqlite.parent) in raised.value.first.where
    monkeypatch.setattr(backup_sqlite.shutil, "copyfile", lambda *_: (_ for _ in ()).throw(OSError("odd")))
    with pytest.raises(BackupError) as raised:
        backup.restore_database(migrated)
    assert str(raised.value.first) == f"{migrated}: odd"
    assert leftovers(on_sqlite.parent) == []


def test_other_database_backends_are_refused(tmp_path: Path, pose: Callable[..., None], migrated: Path) -> None:
    pose("oracle", NAME="orcl")
    with pytest.raises(BackupError, match="orcl: backups support SQLite and PostgreSQL, not oracle"):
        backup.backup_database(tmp_path / "b")
    with pytest.raises(BackupError, match="not oracle"):
        backup.restore_database(migrated)


# -- PostgreSQL with fake tools, in process ---------------------------------------------------------


def test_backup_database_on_postgresql_runs_pg_dump_then_checks_the_dump(
    tmp_path: Path, on_fake_postgres: Path
) -> None:
    target = tmp_path / "needlewise.dump"
    made = backup.backup_database(target)
    assert made.backend is Kind.POSTGRESQL
    assert target.read_bytes() == b"PGDMP fake dump"
    assert made.size_bytes == len(b"PGDMP fake dump")
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_migrations")
        assert made.tables["django_migrations"] == cursor.fetchone()[0] > 0
    assert "saved_result" in made.tables
    argv = (on_fake_postgres / "pg_dump.argv").read_text(encoding="utf-8").splitlines()
    assert argv[:2] == ["--format=custom", "--no-password"]
    assert argv[2].startswith(f"--file={tmp_path}/.needlewise.dump.")
    assert argv[3] == "--dbname=dbname='needle\\'wise'"
    environment = (on_fake_postgres / "pg_dump.env").read_text(encoding="utf-8").splitlines()
    assert {"PGHOST=db.internal", "PGPORT=6543", "PGUSER=app", "PGPASSWORD=s3cret"} <= set(environment)
    assert leftovers(tmp_path) == []
    assert backup.describe_database() == "PostgreSQL database postgresql://app@db.internal:6543/needle'wise"


def test_restore_database_on_postgresql_checks_asks_then_runs_pg_restore(
    tmp_path: Path, on_fake_postgres: Path
) -> None:
    source = tmp_path / "needlewise.dump"
    source.write_bytes(b"PGDMP fake dump")
    asked: list[bool] = []
    restored = backup.restore_database(source, lambda: asked.append(True))
    assert asked == [True]
    assert restored.backend is Kind.POSTGRESQL
    assert restored.tables["django_migrations"] > 0
    argv = (on_fake_postgres / "pg_restore.argv").read_text(encoding="utf-8").splitlines()
    assert argv == [*backup_postgresql.RESTORE_OPTIONS, "--dbname=dbname='needle\\'wise'", str(source)]


def test_postgresql_refuses_a_sqlite_backup(on_fake_postgres: Path, migrated: Path) -> None:
    with pytest.raises(BackupError, match="is a SQLite backup, but the configured database is PostgreSQL"):
        backup.restore_database(migrated)
    assert not (on_fake_postgres / "pg_restore.argv").exists()


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "FAKE_PG_LIST_ERROR",
            "pg_restore: error: input file does not appear to be a valid archive",
            "b.dump: is not a dump pg_restore can read: pg_restore: error: input file does not appear",
        ),
        ("FAKE_PG_TOC", "216; 1259 16400 TABLE public notes postgres", "b.dump: is a PostgreSQL dump, but not of a"),
        (
            "FAKE_PG_RESTORE_ERROR",
            "pg_restore: error: could not execute query: ERROR:  permission denied\nCommand was: DROP TABLE x;",
            "6543/needle'wise: pg_restore failed; the database is unchanged: pg_restore: error: could not execute",
        ),
    ],
)
@pytest.mark.usefixtures("on_fake_postgres")
def test_postgresql_restore_failures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable, value, message) -> None:
    monkeypatch.setenv(variable, value)
    source = tmp_path / "b.dump"
    source.write_bytes(b"PGDMP fake dump")
    with pytest.raises(BackupError) as raised:
        backup.restore_database(source)
    assert message in str(raised.value.first)


@pytest.mark.usefixtures("on_fake_postgres")
def test_postgresql_backup_failures_leave_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "b.dump"
    monkeypatch.setenv("FAKE_PG_DUMP_ERROR", 'pg_dump: error: connection to server at "db.internal" failed')
    with pytest.raises(BackupError, match="6543/needle'wise: pg_dump failed: pg_dump: error: connection to server"):
        backup.backup_database(target)
    monkeypatch.delenv("FAKE_PG_DUMP_ERROR")
    monkeypatch.setenv("FAKE_PG_TOC", "")
    with pytest.raises(BackupError, match=r"b\.dump: is a PostgreSQL dump, but not of a needlewise database"):
        backup.backup_database(target)
    assert not target.exists()
    assert leftovers(tmp_path) == []


def test_postgresql_restore_stops_before_replacing_when_told_to(tmp_path: Path, on_fake_postgres: Path) -> None:
    source = tmp_path / "b.dump"
    source.write_bytes(b"PGDMP fake dump")

    def no() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        backup.restore_database(source, no)
    assert not (on_fake_postgres / "pg_restore.argv").exists()


def test_missing_postgresql_tools_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match="pg_dump: not found on PATH; install the PostgreSQL client programs"):
        backup_postgresql.dump({"NAME": "x"}, tmp_path / "b.dump")
    with pytest.raises(BackupError, match="pg_restore: not found on PATH"):
        backup_postgresql.restore({"NAME": "x"}, tmp_path / "b.dump", lambda: None)


def test_connection_settings_reach_libpq_through_its_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGHOST", "from-the-environment")
    monkeypatch.setenv("PGCONNECT_TIMEOUT", "3")
    kept = backup_postgresql.environment({"NAME": "db", "HOST": "", "PORT": "", "USER": "", "PASSWORD": ""})
    assert kept["PGHOST"] == "from-the-environment"  # as psycopg would connect: libpq's defaults apply
    assert kept["PGCONNECT_TIMEOUT"] == "3"
    given = backup_postgresql.environment({"NAME": "db", "HOST": "h", "PORT": 5433, "USER": "u", "PASSWORD": "p"})
    assert (given["PGHOST"], given["PGPORT"], given["PGUSER"], given["PGPASSWORD"]) == ("h", "5433", "u", "p")
    assert backup_postgresql.dbname({"NAME": "a\\b'c"}) == "--dbname=dbname='a\\\\b\\'c'"
    assert backup_postgresql.describe({"NAME": "db", "HOST": "", "USER": ""}) == "postgresql://localhost/db"


@pytest.mark.parametrize(
    ("script", "detail"),
    [
        (
            "echo 'pg_dump: notice' >&2; echo 'pg_dump: error: boom' >&2; echo 'detail' >&2; exit 1",
            "pg_dump: error: boom",
        ),
        ("echo 'something odd' >&2; exit 1", "something odd"),
        ("exit 3", "exit status 3"),
    ],
)
def test_a_failing_tool_is_reported_by_its_first_error_line(script: str, detail: str) -> None:
    with pytest.raises(BackupError) as raised:
        backup_postgresql._run(["/bin/sh", "-c", script], {"NAME": "x"}, where="w", failed="it failed")
    assert str(raised.value.first) == f"w: it failed: {detail}"


# -- the commands, in process -----------------------------------------------------------------------


@pytest.mark.usefixtures("on_sqlite")
def test_backup_and_restore_commands_print_a_summary(tmp_path: Path) -> None:
    target = tmp_path / "b.sqlite3"
    made = runner.invoke(app, ["backup", str(target)])
    assert made.exit_code == 0, made.output
    assert made.stdout.startswith(f"Backed up the SQLite database to {target}\n")
    assert "│ saved_result " in made.stdout
    tables = len(backup_sqlite.checked_row_counts(target, where=target))
    assert f"{tables} tables, " in made.stdout
    assert " kB, " in made.stdout
    restored = runner.invoke(app, ["restore", "--yes", str(target)])
    assert restored.exit_code == 0, restored.output
    assert restored.stdout.startswith(f"Restored the SQLite database from {target}\n")
    assert "Replace all data" not in restored.stdout


def test_restore_command_asks_for_confirmation(on_sqlite: Path, migrated: Path) -> None:
    with closing(sqlite3.connect(on_sqlite)) as db:
        db.execute("DELETE FROM saved_result")
        db.commit()
    declined = runner.invoke(app, ["restore", str(migrated)], input="n\n")
    assert declined.exit_code == 1
    assert f"Replace all data in the SQLite database {on_sqlite} with the backup {migrated}? [y/N]" in declined.stdout
    assert declined.stderr == "error: restore cancelled; nothing was changed\n"
    assert sqlite_snapshot(on_sqlite)["saved_result"] == []
    accepted = runner.invoke(app, ["restore", str(migrated)], input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert len(sqlite_snapshot(on_sqlite)["saved_result"]) == 5


@pytest.mark.usefixtures("on_sqlite")
def test_commands_fail_with_one_line_and_exit_2(tmp_path: Path) -> None:
    nowhere = tmp_path / "nowhere"
    for args, message in (
        (["backup", str(nowhere / "b.sqlite3")], f"{nowhere}: no such folder"),
        (["restore", "--yes", str(nowhere / "b.sqlite3")], f"{nowhere / 'b.sqlite3'}: no such file"),
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr == f"error: {message}\n"


def test_commands_report_a_bad_configuration_in_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def refuse() -> None:
        msg = "DATABASE_URL must start with postgresql://, not mysql://"
        raise ValueError(msg)

    monkeypatch.setattr("django.setup", refuse)
    result = runner.invoke(app, ["backup", str(tmp_path / "b")])
    assert result.exit_code == 2
    assert result.stderr == "error: configuration: DATABASE_URL must start with postgresql://, not mysql://\n"
