"""Checking the audit chains: recompute every row's hash, chain by chain, and name the first that differs.

The legacy chain (the rows written before the chains were keyed) is checked by its own rule, plain
SHA-256; every clinic's chain, and chain 0 for rows of no clinic, by HMAC under the audit key that
each row names. Rows of a chain that has no head, or after the head, were added outside the
application; a head beyond the last row means rows were cut off the end. Deleting a whole chain
together with its head shows only against a checkpoint (:mod:`needlewise.clinic.audit.checkpoint`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from needlewise.clinic.audit.log import GENESIS, LEGACY, NO_CLINIC, expected_hash
from needlewise.storage.audit_keys import audit_keys
from needlewise.storage.models import AuditEntry, AuditHead


def chain_label(chain: int) -> str:
    """A chain as messages name it."""
    if chain == LEGACY:
        return "legacy chain"
    return "chain of no clinic" if chain == NO_CLINIC else f"chain of clinic {chain}"


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of checking every chain: rows checked, and the first break (chain, row, why) if any."""

    rows: int
    chains: int
    legacy_rows: int
    broken_chain: int | None = None
    broken_at: int | None = None
    reason: str = ""
    heads: dict[int, tuple[int, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether every row and every head match."""
        return self.broken_chain is None


@dataclass(frozen=True, slots=True)
class _Break:
    rows: int
    seq: int | None = None
    reason: str = ""


def _row_problem(entry: AuditEntry, expected: int, prev: str, keys: Mapping[str, bytes]) -> tuple[int, str] | None:
    """Why a row does not belong where it stands (the position to name and the reason), or None."""
    if entry.seq != expected:
        return expected, f"row {expected} is missing (next row is {entry.seq})"
    if entry.prev_hash != prev:
        return entry.seq, f"row {entry.seq} does not follow row {entry.seq - 1}"
    recomputed = expected_hash(entry, keys)
    if recomputed is None:
        return entry.seq, f"row {entry.seq} names audit key {entry.key_id}, which is not configured"
    if recomputed != entry.hash:
        return entry.seq, f"row {entry.seq} was changed after it was written"
    return None


def _check_chain(chain: int, head: tuple[int, str], keys: Mapping[str, bytes]) -> _Break:
    """Recompute one chain from its first row; the rows counted and the first break, if any."""
    head_seq, head_hash = head
    prev, expected, rows = GENESIS, 1, 0
    for entry in AuditEntry.objects.filter(chain=chain).order_by("seq").iterator(chunk_size=2000):
        rows += 1
        problem = _row_problem(entry, expected, prev, keys)
        if problem is not None:
            return _Break(rows, *problem)
        prev, expected = entry.hash, expected + 1
    last = expected - 1
    if last > head_seq:
        return _Break(rows, head_seq + 1, f"rows after {head_seq} were added outside the application")
    if (last, prev) != (head_seq, head_hash):
        return _Break(rows, expected, f"rows after {last} are missing (head is at {head_seq})")
    return _Break(rows)


def verify() -> ChainReport:
    """Check the legacy chain, then each clinic's chain; report the first break (chain, row, why)."""
    _, keys = audit_keys()
    heads = {chain: (seq, digest) for chain, seq, digest in AuditHead.objects.values_list("chain", "seq", "hash")}
    heads.setdefault(LEGACY, (0, GENESIS))
    total, legacy_rows = 0, 0
    for chain in sorted(heads):
        checked = _check_chain(chain, heads[chain], keys)
        total += checked.rows
        legacy_rows += checked.rows if chain == LEGACY else 0
        if checked.seq is not None:
            return ChainReport(total, len(heads) - 1, legacy_rows, chain, checked.seq, checked.reason, heads)
    headless = AuditEntry.objects.exclude(chain__in=list(heads)).order_by("chain", "seq").first()
    if headless is not None:
        reason = f"rows of {chain_label(headless.chain)} have no head: added outside the application"
        return ChainReport(total, len(heads) - 1, legacy_rows, headless.chain, headless.seq, reason, heads)
    return ChainReport(total, len(heads) - 1, legacy_rows, heads=heads)
