"""Ports: what the services need from storage, as Protocols the storage layer implements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from needlewise.domain.assessment import JsonValue


@dataclass(frozen=True, slots=True)
class SavedResultRecord:
    """An assessment a person chose to keep, found again by the digest of its secret link."""

    token_digest: str
    lang: str
    profile: dict[str, JsonValue]
    kb_version: str
    kb_hash: str
    tier: str
    assessment: dict[str, JsonValue]
    created_at: datetime | None = None


class SavedResults(Protocol):
    """Where saved results live."""

    def add(self, record: SavedResultRecord) -> None:
        """Store ``record`` durably (committed when this returns)."""

    def get(self, token_digest: str) -> SavedResultRecord | None:
        """The record with this digest, if it exists."""

    def delete(self, token_digest: str) -> bool:
        """Delete the record; whether one existed."""
