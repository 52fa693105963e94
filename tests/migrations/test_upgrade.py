"""Migrations upgrade a populated database: rows written under every earlier schema survive, intact.

Each step runs in a subprocess against a real database (a SQLite file in a temporary data folder,
and a scratch PostgreSQL database when a server is reachable), so the schema changes run exactly as
``needlewise serve`` runs them, outside any test transaction.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"

STEP = """
import sys

import django

django.setup()
from django.core.management import call_command

target = sys.argv[1]
scope = () if target == "latest" else ("storage", target)
call_command("migrate", *scope, interactive=False, verbosity=0)
"""

WRITE_0001 = """
import django

django.setup()
from django.db import connection

with connection.cursor() as cursor:
    for i in range(25):
        cursor.execute(
            "INSERT INTO saved_result (token_digest, created_at, lang, profile, kb_version, kb_hash, tier, assessment)"
            " VALUES (%s, CURRENT_TIMESTAMP, 'en', %s, '1.0.0', 'sha256:x', 'home_ok', %s)",
            [f"{i:064d}", '{"setting": "home", "age": 30}', '{"tier": "home_ok"}'],
        )
"""

# Under 0017 (before encryption), health data in plain text, written with that schema's models: a
# clinic, its owner with a second factor, a client with notes and a signed consent with a scan.
WRITE_0017 = """
import datetime as dt

import django

django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

models = MigrationExecutor(connection).loader.project_state(("storage", "0017_recovery_codes")).apps
user = models.get_model("auth", "User").objects.create(username="plain@upgrade.org")
clinic = models.get_model("storage", "Clinic").objects.create(slug="plain", name="Plain", city="Lima")
models.get_model("storage", "StaffMember").objects.create(
    user=user, clinic=clinic, role="owner", display_name="P", totp_secret="PLAINTOTPSECRET"
)
client = models.get_model("storage", "Client").objects.create(
    clinic=clinic, given_name="P", family_name="Q", given_key="p", family_key="q", birth_date=dt.date(1990, 1, 1),
    notes="PLAIN-NOTES pregnant", created_by=user,
)
template = models.get_model("storage", "ConsentTemplate").objects.create(
    clinic=clinic, version=1, intro_en="i", intro_es="i", body_en="b", body_es="b", digest_en="0" * 64,
    digest_es="0" * 64, kb_version="1", kb_hash="h", created_by=user,
)
models.get_model("storage", "Consent").objects.create(
    clinic=clinic, client=client, template=template, version=1, lang="en", signed_text="PLAIN-CONSENT",
    text_digest="1" * 64, typed_name="P Q", method="paper", scan=b"%PDF-PLAIN-SCAN", signed_at=dt.datetime.now(dt.UTC),
    recorded_by=user,
)
import hashlib
import orjson
entry, head, prev = models.get_model("storage", "AuditEntry"), models.get_model("storage", "AuditHead"), "0" * 64
for seq in (1, 2):  # the single unkeyed chain as 0003-0022 wrote it: SHA-256 of the previous hash and the fields
    at = dt.datetime(2026, 1, seq, tzinfo=dt.UTC)
    fields = {"seq": seq, "at": at.isoformat(), "actor": f"user:{user.pk}", "actor_role": "owner",
              "clinic_id": clinic.pk, "action": "read", "object_type": "client", "object_id": str(client.pk),
              "client_id": client.pk, "outcome": "success", "ip": "", "request_id": "", "detail": {}}
    digest = hashlib.sha256(prev.encode() + orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)).hexdigest()
    entry.objects.create(**{**fields, "at": at, "prev_hash": prev, "hash": digest})
    prev = digest
head.objects.filter(pk=1).update(seq=2, hash=prev)
"""

CHECK_ENCRYPTED = """
import json

import django

django.setup()
from django.db import DatabaseError, connection, transaction

from needlewise.storage.models import Client, Consent, SavedResult, StaffMember

with connection.cursor() as cursor:
    cursor.execute("SELECT clinical_notes FROM client WHERE clinical_notes <> ''")
    raw_notes = [row[0] for row in cursor.fetchall()]
    cursor.execute("SELECT profile FROM saved_result")
    raw_profiles = [row[0] for row in cursor.fetchall()]
    cursor.execute("SELECT signed_text, scan FROM consent")
    raw_consents = [(text, bytes(scan)) for text, scan in cursor.fetchall()]
try:
    with transaction.atomic():
        connection.cursor().execute("UPDATE consent SET version = 2")
    append_only = False
except DatabaseError:
    append_only = True
consent = Consent.objects.get()
print(json.dumps({
    "raw_plain": [v for v in [*raw_notes, *raw_profiles] if not v.startswith("nw1:")],
    "raw_consent_plain": [t for t, scan in raw_consents if "PLAIN" in t or b"PLAIN" in scan],
    "notes": Client.objects.get(given_key="p").clinical_notes,
    "totp": StaffMember.objects.get(clinic__slug="plain").totp_secret,
    "consent": [consent.signed_text, bytes(consent.scan).decode()],
    "profiles": len(SavedResult.objects.all()),
    "append_only": append_only,
}))
"""

CHECK_LATEST = """
import datetime as dt
import json

import django

django.setup()
from needlewise.clinic.accounts import staff
from needlewise.clinic.audit import chain as audit_chain
from needlewise.clinic.clients import client_form, clients
from needlewise.clinic.access.actor import Actor
from needlewise.domain.permissions import Role
from needlewise.storage.models import SavedResult

rows = list(SavedResult.objects.order_by("token_digest"))
owner = staff.create_clinic(
    name="Upgrade", city="Madrid", owner_email="owner@upgrade.org", owner_name="O",
    owner_password="correct horse battery staple 42",
)
actor = Actor.staff(owner.user_id, owner.clinic_id, Role.OWNER)
client = clients.create(actor, client_form.ClientDetails("Ana", "Ruiz", dt.date(1990, 1, 1)))
print(json.dumps({
    "saved": [(r.token_digest, r.profile, r.tier, r.assessment) for r in rows],
    "client": client.pk,
    "chain_ok": audit_chain.verify().ok,
    "legacy_rows": audit_chain.verify().legacy_rows,
}))
"""


def _run(script: str, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed interpreter and script, no shell
        [sys.executable, "-c", script, *args], env=env, capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _upgrade_round(env: dict[str, str]) -> None:
    import json  # noqa: PLC0415

    _run(STEP, env, "0001")
    _run(WRITE_0001, env)
    _run(STEP, env, "0017_recovery_codes")
    _run(WRITE_0017, env)
    _run(STEP, env, "latest")
    encrypted = json.loads(_run(CHECK_ENCRYPTED, env).strip().splitlines()[-1])
    assert encrypted == {
        "raw_plain": [],
        "raw_consent_plain": [],
        "notes": "PLAIN-NOTES pregnant",
        "totp": "PLAINTOTPSECRET",
        "consent": ["PLAIN-CONSENT", "%PDF-PLAIN-SCAN"],
        "profiles": 25,
        "append_only": True,
    }
    checked = json.loads(_run(CHECK_LATEST, env).strip().splitlines()[-1])
    assert len(checked["saved"]) == 25
    digest, profile, tier, assessment = checked["saved"][7]
    assert (digest, profile, tier, assessment) == (
        f"{7:064d}",
        {"setting": "home", "age": 30},
        "home_ok",
        {"tier": "home_ok"},
    )
    assert checked["client"] >= 1
    assert (checked["chain_ok"], checked["legacy_rows"]) == (True, 2)


def _base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"DJANGO_SETTINGS_MODULE": "needlewise.web.settings", "NEEDLEWISE_DATA_DIR": str(tmp_path)}
    env["NEEDLEWISE_SECRET_KEY"] = "test-only-" + "k" * 40
    return env


def test_sqlite_database_written_under_0001_upgrades_to_the_clinic_schema(tmp_path: Path) -> None:
    _upgrade_round(_base_env(tmp_path))


@pytest.fixture
def scratch_postgres() -> Iterator[str]:
    url = os.environ.get("NEEDLEWISE_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    try:
        admin = psycopg.connect(url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("NEEDLEWISE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required (NEEDLEWISE_REQUIRE_POSTGRES=1) but {url} is not reachable: {error}")
        pytest.skip(f"no PostgreSQL reachable at {url}")
    name = f"needlewise_upgrade_{secrets.token_hex(4)}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield url.rsplit("/", 1)[0] + "/" + name
        finally:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def test_postgresql_database_written_under_0001_upgrades_to_the_clinic_schema(
    tmp_path: Path, scratch_postgres: str
) -> None:
    _upgrade_round(_base_env(tmp_path) | {"DATABASE_URL": scratch_postgres})
