"""The audit chains: a keyed chain per clinic, the legacy unkeyed chain, and what verify names after tampering."""

from __future__ import annotations

import base64
import secrets
import stat
from datetime import UTC, datetime
from itertools import pairwise
from typing import Self

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.audit import chain as audit_chain
from needlewise.clinic.audit import log as audit_log
from needlewise.domain.permissions import Role
from needlewise.errors import DataKeyError
from needlewise.storage.audit_keys import audit_key_id, audit_keys
from needlewise.storage.data_keys import create_key_file
from needlewise.storage.models import AuditEntry, AuditHead

pytestmark = pytest.mark.django_db


def drop_triggers() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_entry_no_change ON audit_entry")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")
            cursor.execute("DROP TRIGGER audit_entry_no_delete")


def chain_rows(chain: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(chain=chain).order_by("seq"))


def broken(report: audit_chain.ChainReport) -> tuple[int | None, int | None, str]:
    return report.broken_chain, report.broken_at, report.reason


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def test_each_clinic_has_its_own_keyed_chain(sites):
    site_a, site_b = sites
    report = audit_chain.verify()
    assert report.ok
    assert (report.rows, report.legacy_rows) == (AuditEntry.objects.count(), 0)
    key_id, _ = audit_keys()
    for site in sites:
        rows = chain_rows(site.clinic.pk)
        assert [row.seq for row in rows] == list(range(1, len(rows) + 1))
        assert {row.clinic_id for row in rows} == {site.clinic.pk}
        assert {row.key_id for row in rows} == {key_id}
        assert rows[0].prev_hash == audit_log.GENESIS
        assert all(b.prev_hash == a.hash for a, b in pairwise(rows))
        head = AuditHead.objects.get(chain=site.clinic.pk)
        assert (head.seq, head.hash) == (rows[-1].seq, rows[-1].hash)
    assert report.heads[site_a.clinic.pk] != report.heads[site_b.clinic.pk]


def test_rows_of_no_clinic_go_to_chain_0_and_a_missing_head_is_made():
    AuditHead.objects.all().delete()
    assert audit_chain.verify() == audit_chain.ChainReport(0, 0, 0, heads={-1: (0, audit_log.GENESIS)})
    row = audit_log.record(Actor.anonymous("203.0.113.9", "r1"), "sign_in", "account", "x", outcome="denied")
    assert (row.chain, row.seq, row.prev_hash) == (audit_log.NO_CLINIC, 1, audit_log.GENESIS)
    assert AuditHead.objects.get(chain=audit_log.NO_CLINIC).seq == 1
    assert audit_chain.verify().ok
    assert audit_chain.chain_label(0) == "chain of no clinic"


class _Recording:
    """A cursor that notes each statement and runs it, except PostgreSQL's WITH that SQLite cannot run."""

    def __init__(self, real: object, statements: list[str]) -> None:
        self.real, self.statements = real, statements

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def execute(self, sql: str, params: list[object]) -> None:
        self.statements.append(sql)
        if sql.startswith("WITH added AS (INSERT") and connection.vendor == "sqlite":
            *row, new_hash, chain = params
            self.real.execute(audit_log._INSERT, row)  # the two statements the WITH joins
            self.real.execute(audit_log._STORE_HASH, [new_hash, chain])
        else:
            self.real.execute(sql, params)

    def fetchone(self) -> object:
        return self.real.fetchone()


def test_on_postgresql_the_row_and_the_new_hash_are_one_statement(monkeypatch):
    """One round trip less per audited request; the chain is the same (the PostgreSQL phase runs it for real)."""
    statements: list[str] = []

    class PostgreSQL:
        vendor = "postgresql"
        ops = connection.ops

        def cursor(self) -> _Recording:
            return _Recording(connection.cursor(), statements)

    if connection.vendor == "sqlite":
        monkeypatch.setattr(audit_log, "connection", PostgreSQL())
    else:
        monkeypatch.setattr(audit_log, "connection", type("Seen", (PostgreSQL,), {"vendor": connection.vendor})())
    audit_log.record(Actor.anonymous("203.0.113.9", "r1"), "sign_in", "account", "x", outcome="denied")
    row = audit_log.record(Actor.anonymous("203.0.113.9", "r2"), "sign_in", "account", "y", outcome="denied")
    assert statements[-2:] == [audit_log._MOVE_HEAD, audit_log._INSERT_AND_STORE_HASH]
    assert AuditHead.objects.get(chain=audit_log.NO_CLINIC).hash == row.hash
    assert audit_chain.verify().ok


def test_on_sqlite_the_row_and_the_new_hash_are_two_statements():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL joins them (the test above)")
    with CaptureQueriesContext(connection) as captured:
        audit_log.record(Actor.anonymous("203.0.113.9", "r1"), "sign_in", "account", "x", outcome="denied")
    sql = [query["sql"] for query in captured.captured_queries]
    assert sum(s.startswith("INSERT INTO audit_entry") for s in sql) == 1
    assert sum(s.startswith("UPDATE audit_head SET hash") for s in sql) == 1


@pytest.mark.usefixtures("site_a")
def test_update_and_delete_are_refused_while_the_triggers_stand():
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(seq=1).update(actor="user:999")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(seq=2).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_entry")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_entry")
    assert audit_chain.verify().ok


@pytest.mark.parametrize("field", ["actor", "detail", "at", "outcome", "client_id"])
def test_an_edited_row_is_named(site_a, field):
    k, chain = 4, site_a.clinic.pk
    changes = {
        "actor": "user:999",
        "detail": {"role": "owner"},
        "at": datetime(2020, 1, 1, tzinfo=UTC),
        "outcome": "denied",
        "client_id": 12345,
    }
    drop_triggers()
    AuditEntry.objects.filter(chain=chain, seq=k).update(**{field: changes[field]})
    assert broken(audit_chain.verify()) == (chain, k, f"row {k} was changed after it was written")


def test_a_relinked_row_is_named(site_a):
    drop_triggers()
    AuditEntry.objects.filter(chain=site_a.clinic.pk, seq=3).update(prev_hash="f" * 64)
    assert broken(audit_chain.verify()) == (site_a.clinic.pk, 3, "row 3 does not follow row 2")


def test_a_deleted_middle_row_is_named(site_a):
    drop_triggers()
    AuditEntry.objects.filter(chain=site_a.clinic.pk, seq=5).delete()
    assert broken(audit_chain.verify()) == (site_a.clinic.pk, 5, "row 5 is missing (next row is 6)")


def test_rows_cut_off_the_end_are_named(site_a):
    chain = site_a.clinic.pk
    n = AuditHead.objects.get(chain=chain).seq
    drop_triggers()
    AuditEntry.objects.filter(chain=chain, seq__gt=n - 2).delete()
    report = audit_chain.verify()
    assert broken(report) == (chain, n - 1, f"rows after {n - 2} are missing (head is at {n})")


def test_a_chain_rewritten_with_the_unkeyed_rule_is_caught(site_a):
    """Someone who drops the trigger and recomputes every hash, as the old unkeyed chain allowed, without the key."""
    chain = site_a.clinic.pk
    drop_triggers()
    prev = audit_log.GENESIS
    for row in chain_rows(chain):
        fields = {**audit_log.row_fields(row), "actor": "user:999"} if row.seq == 2 else audit_log.row_fields(row)
        digest = audit_log._row_hash(prev, fields)
        AuditEntry.objects.filter(pk=row.pk).update(prev_hash=prev, hash=digest, actor=fields["actor"])
        prev = digest
    AuditHead.objects.filter(chain=chain).update(hash=prev)
    assert broken(audit_chain.verify()) == (chain, 1, "row 1 was changed after it was written")


def test_a_row_forged_with_another_key_is_caught(site_a):
    chain = site_a.clinic.pk
    head = AuditHead.objects.get(chain=chain)
    forged = AuditEntry(
        chain=chain,
        seq=head.seq + 1,
        at=timezone.now(),
        actor="user:1",
        actor_role="owner",
        clinic_id=chain,
        action="read",
        object_type="client",
        prev_hash=head.hash,
        outcome="success",
        key_id=audit_keys()[0],
    )
    forged.hash = audit_log.keyed_hash(secrets.token_bytes(32), forged)
    forged.save()
    AuditHead.objects.filter(chain=chain).update(seq=forged.seq, hash=forged.hash)
    assert broken(audit_chain.verify()) == (chain, forged.seq, f"row {forged.seq} was changed after it was written")


def test_rows_of_a_chain_without_a_head_are_named(site_a):
    row = chain_rows(site_a.clinic.pk)[0]
    row.pk, row.chain, row.clinic_id = None, 999, 999
    row.save()
    report = audit_chain.verify()
    assert broken(report) == (999, 1, "rows of chain of clinic 999 have no head: added outside the application")


def test_a_new_audit_key_goes_first_and_old_rows_still_verify(site_a):
    _, keys = audit_keys()
    old = [base64.urlsafe_b64encode(key).decode() for key in keys.values()]
    fresh = new_key()
    with override_settings(AUDIT_KEY=",".join([fresh, *old])):
        row = audit_log.record(site_a.actor(Role.OWNER), "read", "client", 1)
        assert row.key_id == audit_key_id(base64.urlsafe_b64decode(fresh))
        assert audit_chain.verify().ok
    with override_settings(AUDIT_KEY=fresh):
        first = chain_rows(site_a.clinic.pk)[0]
        report = audit_chain.verify()
        assert broken(report) == (
            site_a.clinic.pk,
            1,
            f"row 1 names audit key {first.key_id}, which is not configured",
        )


def test_the_legacy_chain_is_verified_by_the_old_rule(site_a):
    prev, made = audit_log.GENESIS, []
    for seq in (1, 2, 3):
        row = AuditEntry(
            chain=audit_log.LEGACY,
            seq=seq,
            at=timezone.now(),
            actor="system:old",
            actor_role="",
            clinic_id=site_a.clinic.pk,
            action="read",
            object_type="client",
            outcome="success",
            prev_hash=prev,
        )
        row.hash = prev = audit_log._row_hash(prev, audit_log.row_fields(row))
        row.save()
        made.append(row)
    AuditHead.objects.filter(chain=audit_log.LEGACY).update(seq=3, hash=prev)
    report = audit_chain.verify()
    assert (report.ok, report.legacy_rows) == (True, 3)
    assert audit_chain.chain_label(audit_log.LEGACY) == "legacy chain"
    drop_triggers()
    AuditEntry.objects.filter(pk=made[1].pk).update(actor="user:999")
    assert broken(audit_chain.verify()) == (audit_log.LEGACY, 2, "row 2 was changed after it was written")


def test_the_audit_key_file_is_made_on_first_use_private_and_read_again(tmp_path):
    path = tmp_path / "keys" / "audit_key"
    with override_settings(AUDIT_KEY=None, AUDIT_KEY_FILE=path):
        row = audit_log.record(Actor.system("test"), "read", "client", 1)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert row.key_id == audit_key_id(base64.urlsafe_b64decode(path.read_text().strip()))
        assert audit_chain.verify().ok


def test_an_unreadable_or_malformed_audit_key_is_named(tmp_path):
    folder = tmp_path / "audit_key"
    folder.mkdir()
    with override_settings(AUDIT_KEY=None, AUDIT_KEY_FILE=folder), pytest.raises(DataKeyError, match="cannot be read"):
        audit_keys()
    with override_settings(AUDIT_KEY="short"), pytest.raises(DataKeyError, match="each audit key must be 32 bytes"):
        audit_keys()


def test_a_key_file_made_by_another_process_first_is_kept(tmp_path):
    """Two processes starting at once: the second to make the file reads the first one's key, never replaces it."""
    path = tmp_path / "keys" / "audit_key"
    first, second = secrets.token_bytes(32), secrets.token_bytes(32)
    create_key_file(path, [first])
    create_key_file(path, [second])
    assert base64.urlsafe_b64decode(path.read_text().strip()) == first
    assert [p.name for p in path.parent.iterdir()] == ["audit_key"]  # no draft left behind
