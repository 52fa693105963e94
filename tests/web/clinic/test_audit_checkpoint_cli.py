"""``needlewise audit checkpoint`` and ``needlewise audit verify --checkpoint``: signed chain heads kept elsewhere."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from typer.testing import CliRunner

from needlewise.cli.app import app
from needlewise.clinic.access.actor import Actor
from needlewise.clinic.audit import checkpoint
from needlewise.clinic.audit import log as audit_log
from needlewise.storage.models import AuditEntry, AuditHead, Screening

pytestmark = pytest.mark.django_db

runner = CliRunner()


@pytest.fixture(autouse=True)
def signing_key_file(tmp_path: Path):
    path = tmp_path / "keys" / "checkpoint_signing_key"
    with override_settings(CHECKPOINT_SIGNING_KEY_FILE=path):
        yield path


def run(args: list[str]):
    result = runner.invoke(app, args)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def written(site, tmp_path: Path) -> Path:
    del site  # the site's rows are what the checkpoint names
    out = tmp_path / "checkpoint.json"
    result = run(["audit", "checkpoint", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"checkpoint public key: {checkpoint.public_key()} ")
    return out


def test_a_checkpoint_names_every_chain_head_and_is_signed(site_a, tmp_path, signing_key_file):
    out = written(site_a, tmp_path)
    assert stat.S_IMODE(signing_key_file.stat().st_mode) == 0o600
    document = json.loads(out.read_text())
    heads = {c["chain"]: (c["seq"], c["hash"], c["clinic_id"]) for c in document["checkpoint"]["chains"]}
    head = AuditHead.objects.get(chain=site_a.clinic.pk)
    assert heads[site_a.clinic.pk] == (head.seq, head.hash, site_a.clinic.pk)
    assert heads[audit_log.LEGACY][2] is None
    assert document["public_key"] == checkpoint.public_key()
    result = run(["audit", "verify", "--checkpoint", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("checkpoint OK: signature good, ")


def test_checkpoint_to_standard_output(site_a):
    result = run(["audit", "checkpoint"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["checkpoint"]["format"] == checkpoint.FORMAT
    assert site_a.clinic.pk in {c["chain"] for c in json.loads(result.stdout)["checkpoint"]["chains"]}


def test_rows_appended_after_a_checkpoint_still_verify(site_a, tmp_path):
    out = written(site_a, tmp_path)
    audit_log.record(Actor.system("test"), "read", "client", 1, clinic_id=site_a.clinic.pk)
    assert run(["audit", "verify", "--checkpoint", str(out)]).exit_code == 0


def test_a_chain_deleted_with_its_head_is_named_against_the_checkpoint(site_a, tmp_path):
    out = written(site_a, tmp_path)
    chain = site_a.clinic.pk
    head = AuditHead.objects.get(chain=chain)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_entry_no_change ON audit_entry")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_delete")
    AuditEntry.objects.filter(chain=chain).delete()
    AuditHead.objects.filter(chain=chain).delete()
    result = run(["audit", "verify", "--checkpoint", str(out)])
    assert result.exit_code == 1
    assert f"audit checkpoint BROKEN: row {head.seq} is gone from the chain of clinic {chain}" in result.stderr


def test_a_rewritten_row_is_named_against_the_checkpoint(site_a, tmp_path):
    out = written(site_a, tmp_path)
    head = AuditHead.objects.get(chain=site_a.clinic.pk)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_entry_no_change ON audit_entry")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")
    AuditEntry.objects.filter(chain=head.chain, seq=head.seq).update(hash="e" * 64)
    result = run(["audit", "verify", "--checkpoint", str(out)])
    assert result.exit_code == 1
    assert f"row {head.seq} of the chain of clinic {head.chain} is not the row the checkpoint" in result.stderr


def test_a_tampered_checkpoint_fails_its_signature(site_a, tmp_path):
    out = written(site_a, tmp_path)
    document = json.loads(out.read_text())
    document["checkpoint"]["chains"][-1]["seq"] += 1
    out.write_text(json.dumps(document))
    result = run(["audit", "verify", "--checkpoint", str(out)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"audit checkpoint BROKEN: checkpoint: {checkpoint.BAD_SIGNATURE}"


def test_a_checkpoint_checked_with_another_public_key_fails(site_a, tmp_path):
    out = written(site_a, tmp_path)
    other = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    result = run(
        ["audit", "verify", "--checkpoint", str(out), "--public-key", base64.urlsafe_b64encode(other).decode()]
    )
    assert result.exit_code == 1
    assert checkpoint.BAD_SIGNATURE in result.stderr
    given = ["--public-key", checkpoint.public_key()]
    assert run(["audit", "verify", "--checkpoint", str(out), *given]).exit_code == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json", f"checkpoint: {checkpoint.NOT_A_CHECKPOINT}"),
        (
            b'{"checkpoint": {"format": "other", "chains": [{"chain": 1, "seq": 1, "hash": "x"}]}, "signature": ""}',
            f"checkpoint: {checkpoint.NOT_A_CHECKPOINT}",
        ),
        (
            b'{"checkpoint": {"chains": [{"chain": "x"}]}, "signature": "AA=="}',
            f"checkpoint: {checkpoint.NOT_A_CHECKPOINT}",
        ),
    ],
    ids=["not-json", "wrong-format", "wrong-chain"],
)
def test_a_file_that_is_no_checkpoint_is_refused_clearly(tmp_path, content, message):
    out = tmp_path / "checkpoint.json"
    out.write_bytes(content)
    result = run(["audit", "verify", "--checkpoint", str(out)])
    assert (result.exit_code, result.stderr.strip()) == (1, f"audit checkpoint BROKEN: {message}")


def test_a_missing_checkpoint_file_or_a_malformed_key_is_an_input_error(site_a, tmp_path):
    result = run(["audit", "verify", "--checkpoint", str(tmp_path / "none.json")])
    assert result.exit_code == 2
    assert (
        result.stderr.strip() == f"error: checkpoint: cannot read {tmp_path / 'none.json'} (No such file or directory)"
    )
    out = written(site_a, tmp_path)
    result = run(["audit", "verify", "--checkpoint", str(out), "--public-key", "short"])
    assert (result.exit_code, result.stderr.strip()) == (
        1,
        "audit checkpoint BROKEN: public key: must be 32 bytes in URL-safe base64",
    )


def test_a_checkpoint_that_cannot_be_written_is_an_input_error(tmp_path):
    result = run(["audit", "checkpoint", "--out", str(tmp_path / "no" / "such" / "folder.json")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot write ")


def test_a_damaged_signing_key_file_is_named(signing_key_file):
    signing_key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    signing_key_file.write_text("short\n")
    result = run(["audit", "checkpoint"])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {signing_key_file}: must hold one 32-byte key in URL-safe base64"


def test_verify_with_a_malformed_audit_key_is_an_input_error():
    with override_settings(AUDIT_KEY="short"):
        result = run(["audit", "verify"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: NEEDLEWISE_AUDIT_KEY: each audit key must be 32 bytes")


def test_verify_reports_the_legacy_chain_and_records_from_before_coverage(site_a):
    old = Screening.objects.filter(clinic=site_a.clinic).order_by("pk").first()
    assert old is not None
    old.pk = None
    old.save()  # a screening recorded before screenings carried digests
    row = AuditEntry(
        chain=audit_log.LEGACY,
        seq=1,
        at=timezone.now(),
        actor="system:old",
        actor_role="",
        clinic_id=site_a.clinic.pk,
        action="create",
        object_type="screening",
        object_id=str(old.pk),
        outcome="success",
        prev_hash=audit_log.GENESIS,
    )
    row.hash = audit_log._row_hash(audit_log.GENESIS, audit_log.row_fields(row))
    row.save()
    AuditHead.objects.filter(chain=audit_log.LEGACY).update(seq=1, hash=row.hash)
    result = run(["audit", "verify"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1:3] == [
        "legacy chain: 1 rows, unkeyed (written before the chains were keyed)",
        "not covered (recorded before they were): 1 screening",
    ]
