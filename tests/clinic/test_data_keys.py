"""The data key ring, sealing, the encrypted fields, ``needlewise keys`` and key checks on start and restore."""

from __future__ import annotations

import base64
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction
from typer.testing import CliRunner

from needlewise.cli.app import app
from needlewise.errors import BackupError, DataKeyError, Problem
from needlewise.storage import backup, data_keys, key_rotation, resealing
from needlewise.storage.encrypted_fields import EncryptedJSONField
from needlewise.storage.models import CheckIn, Client, Clinic, SavedResult
from needlewise.storage.sealing import seal, seal_text, text_to_sealed, unseal, unseal_text

runner = CliRunner()
KEY_A, KEY_B, KEY_C = (base64.urlsafe_b64encode(bytes([n]) * 32).decode() for n in (1, 2, 3))


def _id(key: str) -> str:
    return data_keys.key_id(base64.urlsafe_b64decode(key)).hex()


@pytest.fixture
def key_file(settings, tmp_path: Path) -> Path:
    """The keys come from a key file in a fresh folder (made on first use)."""
    settings.DATA_KEY = None
    settings.DATA_KEY_FILE = tmp_path / "keys" / "data_key"
    return settings.DATA_KEY_FILE


@pytest.fixture
def key_a(settings) -> None:
    """The keys come from the environment: key A alone (set before any site is made)."""
    settings.DATA_KEY = KEY_A


def test_the_key_file_is_made_on_first_use_private_and_then_kept(key_file: Path) -> None:
    ring = data_keys.key_ring()
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.parent.stat().st_mode & 0o777 == 0o700
    assert len(ring.keys) == 1
    assert ring.source == str(key_file)
    data_keys.forget()
    assert data_keys.key_ring().keys == ring.keys
    assert data_keys.key_file() == key_file


def test_keys_from_the_environment_come_first_and_all_open(settings) -> None:
    settings.DATA_KEY = f"{KEY_B}, {KEY_A},"
    assert data_keys.key_ring().current_id.hex() == _id(KEY_B)
    assert data_keys.key_ring().ids() == f"{_id(KEY_B)}, {_id(KEY_A)}"
    assert data_keys.key_file() is None
    sealed = seal(b"x", "t.c")
    settings.DATA_KEY = KEY_A
    with pytest.raises(DataKeyError) as wrong:
        unseal(sealed, "t.c")
    assert str(wrong.value) == (
        f"t.c: was encrypted with data key {_id(KEY_B)}, which is not among the configured keys "
        f"(NEEDLEWISE_DATA_KEY: {_id(KEY_A)}); configure the key this database was made with"
    )


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("short", "NEEDLEWISE_DATA_KEY: each data key must be 32 bytes in URL-safe base64"),
        ("ñ" * 44, "NEEDLEWISE_DATA_KEY: each data key must be 32 bytes"),
        ("@@@@", "NEEDLEWISE_DATA_KEY: each data key must be 32 bytes"),
        (" , ", "NEEDLEWISE_DATA_KEY: holds no data key"),
    ],
)
def test_a_malformed_key_is_refused_by_name(settings, written: str, message: str) -> None:
    settings.DATA_KEY = written
    with pytest.raises(DataKeyError, match=message):
        data_keys.key_ring()


def test_an_unreadable_key_file_is_refused_by_name(key_file: Path) -> None:
    key_file.parent.mkdir(mode=0o700)
    key_file.write_bytes(b"\xff\xfe")
    with pytest.raises(DataKeyError, match=r"data_key: cannot be read"):
        data_keys.key_ring()


def test_a_sealed_value_opens_only_in_its_column_and_unaltered(settings) -> None:
    settings.DATA_KEY = KEY_A
    sealed = seal_text("pregnant", "client.notes")
    assert "pregnant" not in sealed
    assert unseal_text(sealed, "client.notes") == "pregnant"
    with pytest.raises(DataKeyError, match=r"treatment_session\.notes: holds a value that does not decrypt"):
        unseal_text(sealed, "treatment_session.notes")
    altered = bytearray(text_to_sealed(sealed, "client.notes"))
    altered[-1] ^= 1
    with pytest.raises(DataKeyError, match="it was altered"):
        unseal(bytes(altered), "client.notes")
    for plain in ("pregnant", "nw1:abc", "nw1:%%%", "nw1:"):
        with pytest.raises(DataKeyError, match=r"client\.notes: holds a value that is not encrypted"):
            unseal_text(plain, "client.notes")


@pytest.mark.django_db
@pytest.mark.usefixtures("key_a")
def test_empty_and_null_values_stay_as_they_are(site_a) -> None:
    Client.objects.filter(pk=site_a.client.pk).update(clinical_notes="")
    with connection.cursor() as cursor:
        cursor.execute("SELECT clinical_notes FROM client WHERE id = %s", [site_a.client.pk])
        assert cursor.fetchone() == ("",)
    assert Client.objects.get(pk=site_a.client.pk).clinical_notes == ""
    assert CheckIn.objects.filter(answers__isnull=False).count() == 0


def _raw(table: str, column: str, pk: int) -> object:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test constants
        return cursor.fetchone()[0]


@pytest.mark.django_db
@pytest.mark.usefixtures("key_file")
def test_rotation_re_encrypts_everything_under_a_new_key_then_drops_the_old_one(site_a, kb) -> None:
    from clinic.canaries import read_back, write_canaries  # noqa: PLC0415 - the clinic tests' helpers

    canaries = write_canaries(site_a, kb)
    old = data_keys.key_ring().current_id
    rotation = key_rotation.rotate()
    ring = data_keys.key_ring()
    assert len(ring.keys) == 1
    assert ring.current_id != old
    assert rotation.key_id == ring.current_id.hex()
    assert rotation.dropped == (old.hex(),)
    assert rotation.changed["consent.scan"] == 1
    assert rotation.changed["client.clinical_notes"] == 1
    column = resealing.SealedColumn("client", "clinical_notes")
    assert resealing.key_of(column, str(_raw("client", "clinical_notes", site_a.client.pk))) == ring.current_id
    shown = read_back()
    assert all(canary in shown for canary in canaries.values())
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        connection.cursor().execute("UPDATE consent SET version = 2")
    again = key_rotation.rotate()  # a second rotation makes a new key again
    assert again.key_id != rotation.key_id
    assert again.changed["client.clinical_notes"] == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("key_a")
def test_rotation_with_keys_from_the_environment_needs_the_new_key_in_front(settings, site_a) -> None:
    Client.objects.filter(pk=site_a.client.pk).update(clinical_notes="keloid")
    with pytest.raises(DataKeyError, match="NEEDLEWISE_DATA_KEY: holds one key: put a new key in front"):
        key_rotation.rotate()
    settings.DATA_KEY = f"{KEY_C},{KEY_A}"
    rotation = key_rotation.rotate()
    assert rotation.key_id == _id(KEY_C)
    assert rotation.changed["client.clinical_notes"] == 1
    assert key_rotation.rotate().changed["client.clinical_notes"] == 0  # already under the first key: left as it is
    settings.DATA_KEY = KEY_C
    assert Client.objects.get(pk=site_a.client.pk).clinical_notes == "keloid"


@pytest.mark.django_db
@pytest.mark.usefixtures("key_a")
def test_the_key_check_names_the_column_and_the_key_that_do_not_open(settings, site_a) -> None:
    key_rotation.check_keys()  # nothing sealed yet under another key
    Client.objects.filter(pk=site_a.client.pk).update(clinical_notes="on isotretinoin")
    key_rotation.check_keys()
    settings.DATA_KEY = KEY_B
    with pytest.raises(DataKeyError, match=f"client.clinical_notes: was encrypted with data key {_id(KEY_A)}"):
        key_rotation.check_keys()


def test_a_json_document_is_kept_as_it_is_when_cleaned() -> None:
    assert EncryptedJSONField().to_python({"answers": [1, 2]}) == {"answers": [1, 2]}


def test_a_database_from_before_encryption_has_nothing_to_check() -> None:
    resealing.check(lambda _statement: [], [resealing.SealedColumn("client", "notes")])


def test_keys_new_prints_a_usable_key(settings) -> None:
    result = runner.invoke(app, ["keys", "new"])
    assert result.exit_code == 0
    settings.DATA_KEY = result.stdout.strip()
    assert len(data_keys.key_ring().keys) == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("key_a")
def test_keys_check_and_rotate_commands(settings, site_a) -> None:
    SavedResult.objects.create(
        token_digest="f" * 64, lang="en", profile={}, kb_version="1", kb_hash="h", tier="home_ok", assessment={}
    )
    assert (
        runner.invoke(app, ["keys", "check"]).stdout == "data key OK: the health data in the database opens with it\n"
    )
    refused = runner.invoke(app, ["keys", "rotate"])
    assert refused.exit_code == 2
    assert refused.stderr.startswith("error: NEEDLEWISE_DATA_KEY: holds one key")
    settings.DATA_KEY = f"{KEY_B},{KEY_A}"
    rotated = runner.invoke(app, ["keys", "rotate"])
    assert rotated.exit_code == 0
    assert re.fullmatch(
        rf"re-encrypted \d+ value\(s\) under data key {_id(KEY_B)} \(NEEDLEWISE_DATA_KEY\)",
        rotated.stdout.splitlines()[0],
    )
    assert rotated.stdout.splitlines()[1].startswith(f"old key(s) no longer needed: {_id(KEY_A)}")
    settings.DATA_KEY = KEY_A
    wrong = runner.invoke(app, ["keys", "check"])
    assert wrong.exit_code == 2
    assert wrong.stderr.startswith("error: ")
    assert f"was encrypted with data key {_id(KEY_B)}" in wrong.stderr
    assert Clinic.objects.filter(pk=site_a.clinic.pk).exists()


def test_keys_commands_report_a_refused_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        message = "DATABASE_URL must start with postgresql://, not mysql://"
        raise ValueError(message)

    monkeypatch.setattr("needlewise.cli.key_commands.setup_django", refuse)
    result = runner.invoke(app, ["keys", "check"])
    assert result.exit_code == 2
    assert result.stderr == "error: configuration: DATABASE_URL must start with postgresql://, not mysql://\n"


def _sqlite_backup(path: Path, sealed: str) -> Path:
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE django_migrations (app TEXT, name TEXT)")
        db.execute("INSERT INTO django_migrations VALUES ('storage', '0019_encrypted_health_data')")
        db.execute("CREATE TABLE client (id INTEGER PRIMARY KEY, notes TEXT)")
        db.execute("INSERT INTO client VALUES (1, ?)", [sealed])
        db.commit()
    return path


def test_a_sqlite_backup_made_with_another_key_is_refused_before_anything_is_replaced(
    settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DATA_KEY = KEY_A
    source = _sqlite_backup(tmp_path / "other.sqlite3", seal_text("HIV+", "client.notes"))
    monkeypatch.setattr(key_rotation, "sealed_columns", lambda: [resealing.SealedColumn("client", "notes")])
    monkeypatch.setattr(backup, "sealed_columns", key_rotation.sealed_columns)
    backup._keys_open_file(source)  # the right key: nothing to say
    settings.DATA_KEY = KEY_B
    with pytest.raises(BackupError) as refused:
        backup._keys_open_file(source)
    assert str(refused.value).startswith(
        f"{source}: holds health data the configured data key cannot read (client.notes: was encrypted with data key "
        f"{_id(KEY_A)}"
    )
    assert str(refused.value).endswith("configure the data key of the installation the backup came from")
    (tmp_path / "junk").write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    backup._keys_open_file(tmp_path / "junk")  # not readable: the restore's own checks report it


def test_a_postgresql_restore_with_another_key_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    def wrong() -> None:
        raise DataKeyError([Problem("client.notes", "was encrypted with data key 01020304")])

    monkeypatch.setattr(backup, "check_keys", wrong)
    with pytest.raises(BackupError, match=r"the database now holds the backup$"):
        backup._keys_open_restored(Path("dump.pgdump"))
    monkeypatch.setattr(backup, "check_keys", lambda: None)
    backup._keys_open_restored(Path("dump.pgdump"))
