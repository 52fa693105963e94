"""The data folder is private (review H1): ``0700``, its files ``0600``; a folder others can read is refused."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from needlewise.cli import clinic_commands
from needlewise.cli.app import app
from needlewise.web import data_folder
from needlewise.web.data_folder import UnsafeDataFolderError

NEEDLEWISE = Path(sys.executable).with_name("needlewise")
#: A fresh start: migrate, write, and list every file's mode while the connection (and so the WAL) is open.
FRESH_START = """
import os, stat, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.db import connection
call_command("migrate", interactive=False, verbosity=0)
with connection.cursor() as cursor:
    cursor.execute("insert into django_session values ('k', 'd', '2099-01-01')")
for path in sorted([settings.DATA_DIR, *settings.DATA_DIR.iterdir()]):
    print(path.name, oct(stat.S_IMODE(path.stat().st_mode)))
"""


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def environment(data: Path) -> dict[str, str]:
    """This environment without the developer's own needlewise or database settings, on ``data``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("NEEDLEWISE_") and key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    return env | {"NEEDLEWISE_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "needlewise.web.settings"}


def run(*command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603


def shared_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o755)
    return folder


def test_a_folder_others_can_read_is_refused_naming_it_and_the_fix(tmp_path: Path) -> None:
    folder = shared_folder(tmp_path)
    with pytest.raises(UnsafeDataFolderError) as refused:
        data_folder.prepare(folder)
    assert str(refused.value) == (
        f"the data folder {folder} can be read or written by other users (mode 0755); "
        f"make it private with `chmod 700 {folder}` and start again"
    )
    folder.chmod(0o770)  # group-writable is refused as well
    with pytest.raises(UnsafeDataFolderError, match="mode 0770"):
        data_folder.prepare(folder)


def test_a_missing_folder_is_created_private_and_an_old_one_is_tightened(tmp_path: Path) -> None:
    fresh = data_folder.prepare(tmp_path / "new" / "data")
    assert mode(fresh) == 0o700
    old = tmp_path / "old"
    old.mkdir(mode=0o700)
    (old / "needlewise.sqlite3").write_bytes(b"db")
    (old / "needlewise.sqlite3").chmod(0o644)
    (old / "photos").mkdir()
    (old / "photos" / "1.jpg").write_bytes(b"jpeg")
    (old / "photos").chmod(0o755)
    (old / "photos" / "1.jpg").chmod(0o664)
    (old / "link").symlink_to(tmp_path)
    data_folder.prepare(old)
    assert [mode(old / "needlewise.sqlite3"), mode(old / "photos"), mode(old / "photos" / "1.jpg")] == [
        0o600,
        0o700,
        0o600,
    ]
    assert os.umask(0o077) == 0o077  # the process now creates private files


def test_a_file_that_cannot_be_made_private_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    (folder / "backup.sqlite3").write_bytes(b"x")
    (folder / "backup.sqlite3").chmod(0o644)

    def refuse(*_: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(Path, "chmod", refuse)
    with pytest.raises(UnsafeDataFolderError, match=r"backup\.sqlite3 can be read by other users .*`chmod 600 "):
        data_folder.prepare(folder)


def test_a_fresh_start_keeps_the_database_wal_shm_keys_and_backups_private(tmp_path: Path) -> None:
    data = tmp_path / "var"
    env = environment(data)
    started = run(sys.executable, "-c", FRESH_START, env=env)
    assert started.returncode == 0, started.stderr
    modes = dict(line.split() for line in started.stdout.splitlines())
    assert modes == {
        "var": "0o700",
        "needlewise.sqlite3": "0o600",
        "needlewise.sqlite3-shm": "0o600",
        "needlewise.sqlite3-wal": "0o600",
        "secret_key": "0o600",
    }
    backed_up = run(str(NEEDLEWISE), "backup", str(data / "backup.sqlite3"), env=env)
    assert backed_up.returncode == 0, backed_up.stderr
    assert mode(data / "backup.sqlite3") == 0o600


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["audit", "verify"], ["backup", "b.sqlite3"]])
def test_serve_and_the_commands_refuse_a_shared_data_folder(tmp_path: Path, command: list[str]) -> None:
    folder = shared_folder(tmp_path)
    refused = run(str(NEEDLEWISE), *command, env=environment(folder))
    assert refused.returncode == 2
    assert f"make it private with `chmod 700 {folder}`" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert list(folder.iterdir()) == []  # nothing written there


def test_the_refusal_is_reported_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def unsafe() -> None:
        message = "the data folder /x can be read or written by other users (mode 0755); ..."
        raise UnsafeDataFolderError(message)

    monkeypatch.setattr("django.setup", unsafe)
    monkeypatch.setattr(clinic_commands, "setup_django", unsafe)
    runner = CliRunner()
    for command in (["serve"], ["audit", "verify"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2
        assert "error: configuration: the data folder /x can be read" in result.output
