"""Signed checkpoints of the audit chains' heads, to keep outside the server.

``needlewise audit checkpoint`` writes every chain's head (chain, clinic, last row, its hash, its
time) as JSON signed with the Ed25519 checkpoint key (:func:`needlewise.storage.audit_keys.signing_key`).
Kept elsewhere (another machine, a printout), it lets ``needlewise audit verify --checkpoint`` show
what the chains alone cannot: a whole chain deleted with its head, or every chain rewritten by
someone who holds the audit key. Each chain named in the checkpoint must still hold that row at that
position with that hash. The signature is checked against the public key given, or else the one of
this server's own signing key, never against a key the file carries.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.utils import timezone

from needlewise.clinic.audit.chain import chain_label
from needlewise.clinic.audit.log import LEGACY, NO_CLINIC
from needlewise.errors import InvalidInputError, Problem
from needlewise.storage.audit_keys import signing_key
from needlewise.storage.models import AuditEntry, AuditHead

FORMAT = "needlewise-audit-checkpoint/1"
NOT_A_CHECKPOINT = f"is not a {FORMAT} file (JSON with the checkpoint, its chains and its signature)"
BAD_SIGNATURE = "the signature does not match: the file was changed, or signed with another key"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii")


def public_key() -> str:
    """This server's checkpoint public key (raw Ed25519, URL-safe base64), to keep with its checkpoints."""
    return _b64(signing_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def _heads() -> list[dict[str, object]]:
    chains: list[dict[str, object]] = []
    for chain, seq, digest in AuditHead.objects.order_by("chain").values_list("chain", "seq", "hash"):
        last = AuditEntry.objects.filter(chain=chain, seq=seq).values_list("at", flat=True).first()
        chains.append(
            {
                "chain": chain,
                "clinic_id": None if chain in {LEGACY, NO_CLINIC} else chain,
                "seq": seq,
                "hash": digest,
                "at": last.astimezone(UTC).isoformat() if last else None,
            }
        )
    return chains


def make() -> bytes:
    """A signed checkpoint of every chain's head, as JSON bytes."""
    body = {"format": FORMAT, "made_at": timezone.now().astimezone(UTC).isoformat(), "chains": _heads()}
    signature = signing_key().sign(orjson.dumps(body, option=orjson.OPT_SORT_KEYS))
    document = {"checkpoint": body, "signature": _b64(signature), "public_key": public_key()}
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


@dataclass(frozen=True, slots=True)
class CheckpointReport:
    """What a checkpoint check found: the chains it names, and the first that no longer holds its head."""

    chains: int
    made_at: str
    broken_chain: int | None = None
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """Whether every chain still holds the head the checkpoint recorded."""
        return self.broken_chain is None


def _refuse(message: str) -> InvalidInputError:
    return InvalidInputError([Problem("checkpoint", message)])


def _key(given: str | None) -> Ed25519PublicKey:
    if given is None:
        return signing_key().public_key()
    try:
        raw = base64.urlsafe_b64decode(given.strip().encode("ascii"))
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise InvalidInputError([Problem("public key", "must be 32 bytes in URL-safe base64")]) from None


def _signed_body(document: bytes, key: Ed25519PublicKey) -> dict[str, Any]:
    try:
        parsed = orjson.loads(document)
        body, signature = parsed["checkpoint"], base64.urlsafe_b64decode(parsed["signature"].encode("ascii"))
        chains = [(int(c["chain"]), int(c["seq"]), str(c["hash"])) for c in body["chains"]]
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError, binascii.Error):
        raise _refuse(NOT_A_CHECKPOINT) from None
    if not isinstance(body, dict) or body.get("format") != FORMAT or not chains:
        raise _refuse(NOT_A_CHECKPOINT)
    try:
        key.verify(signature, orjson.dumps(body, option=orjson.OPT_SORT_KEYS))
    except InvalidSignature:
        raise _refuse(BAD_SIGNATURE) from None
    return body


def check(document: bytes, given_key: str | None = None) -> CheckpointReport:
    """Check a checkpoint's signature, then that every chain it names still holds that head; the first that does not."""
    body = _signed_body(document, _key(given_key))
    chains = [(int(c["chain"]), int(c["seq"]), str(c["hash"])) for c in body["chains"]]
    made_at = str(body.get("made_at", ""))
    for chain, seq, digest in chains:
        if seq == 0:
            continue
        found = AuditEntry.objects.filter(chain=chain, seq=seq).values_list("hash", flat=True).first()
        if found is None:
            reason = f"row {seq} is gone from the {chain_label(chain)} (the checkpoint of {made_at} has it)"
            return CheckpointReport(len(chains), made_at, chain, seq, reason)
        if found != digest:
            reason = f"row {seq} of the {chain_label(chain)} is not the row the checkpoint of {made_at} recorded"
            return CheckpointReport(len(chains), made_at, chain, seq, reason)
    return CheckpointReport(len(chains), made_at)
