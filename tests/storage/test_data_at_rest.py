"""Health data is absent from the bytes of a real SQLite database, its WAL and its backup; the wrong key stops.

A subprocess migrates a fresh data folder, builds a clinic through its use cases and writes a canary into
every encrypted column (``clinic.canaries``), then, with its connection still open, reads the database
file and its WAL as bytes. ``needlewise backup`` then writes a backup, read as bytes too. The app reads
every canary back. With another data key, ``needlewise keys check`` and ``needlewise restore`` refuse,
naming the problem, with no traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

NEEDLEWISE = Path(sys.executable).with_name("needlewise")
TESTS = Path(__file__).resolve().parent.parent
KEY = "dGVzdC1vbmx5LWNhbmFyeS1rZXktb2YtMzItYnl0ZXM="  # 32 bytes, tests only
OTHER_KEY = "b3RoZXItaW5zdGFsbGF0aW9uLWtleS0zMi1ieXRlcy4="

WRITE = """
import json
import sys
from pathlib import Path

import django

django.setup()
from django.conf import settings
from django.core.management import call_command

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests only: fast accounts
call_command("migrate", interactive=False, verbosity=0)
sys.path.insert(0, sys.argv[1])
from clinic.canaries import read_back, write_canaries
from clinic_factories import make_site
from needlewise.bootstrap import knowledge_base

canaries = write_canaries(make_site("Canary Clinic", "canary", "Cora", "Nary"), knowledge_base())
database = Path(settings.DATABASES["default"]["NAME"])
wal = Path(f"{database}-wal")
raw = {"database": database.read_bytes(), "wal": wal.read_bytes()}
shown = read_back()
print(json.dumps({
    "wal_bytes": len(raw["wal"]),
    "found": {name: [c for c, v in canaries.items() if v.encode() in data] for name, data in raw.items()},
    "not_shown": [c for c, v in canaries.items() if v not in shown],
    "canaries": canaries,
}))
"""


def _env(data: Path, key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEEDLEWISE_") and k != "DATABASE_URL"}
    return env | {
        "DJANGO_SETTINGS_MODULE": "needlewise.web.settings",
        "NEEDLEWISE_DATA_DIR": str(data),
        "NEEDLEWISE_SECRET_KEY": "test-only-" + "k" * 40,
        "NEEDLEWISE_DATA_KEY": key,
    }


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=300)  # noqa: S603 - our own interpreter and command


def test_no_canary_in_the_database_its_wal_or_its_backup_and_the_wrong_key_is_refused(tmp_path: Path) -> None:
    env = _env(tmp_path / "data", KEY)
    written = _run([sys.executable, "-c", WRITE, str(TESTS)], env)
    assert written.returncode == 0, written.stderr
    report = json.loads(written.stdout.strip().splitlines()[-1])
    assert report["wal_bytes"] > 0
    assert report["found"] == {"database": [], "wal": []}
    assert report["not_shown"] == []
    backup_file = tmp_path / "backup.sqlite3"
    made = _run([str(NEEDLEWISE), "backup", str(backup_file)], env)
    assert made.returncode == 0, made.stderr
    raw = backup_file.read_bytes()
    assert [column for column, canary in report["canaries"].items() if canary.encode() in raw] == []
    assert _run([str(NEEDLEWISE), "keys", "check"], env).returncode == 0

    other = _env(tmp_path / "data", OTHER_KEY)
    checked = _run([str(NEEDLEWISE), "keys", "check"], other)
    assert checked.returncode == 2
    assert checked.stderr.startswith("error: ")
    assert "was encrypted with data key" in checked.stderr
    assert "Traceback" not in checked.stderr
    restored = _run([str(NEEDLEWISE), "restore", "--yes", str(backup_file)], other)
    assert restored.returncode == 2
    assert restored.stderr.startswith(f"error: {backup_file}: holds health data the configured data key cannot read")
    assert "Traceback" not in restored.stderr
    assert _run([str(NEEDLEWISE), "keys", "check"], env).returncode == 0  # the refused restore changed nothing
