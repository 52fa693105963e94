"""The keys that make the audit chain tamper-evident, kept outside the database with the data key.

- The audit key(s): each audit row's hash is an HMAC-SHA256 under the current one, so someone who can
  write the database but not read the key file cannot recompute a chain they changed. From
  ``NEEDLEWISE_AUDIT_KEY`` (one key or several, comma-separated, current first; ``needlewise keys new``
  prints one) or else the key file ``settings.AUDIT_KEY_FILE`` (``<data folder>/keys/audit_key``, one
  key a line, current first, made on first use mode ``0600``). A row stores the id of the key that
  made its HMAC, so a new key goes first and the old ones stay listed: old rows still verify. It is
  its own key, not derived from the data key: ``needlewise keys rotate`` forgets old data keys, and
  the audit chain must outlive them.
- The checkpoint signing key (Ed25519): signs ``needlewise audit checkpoint``'s chain heads. In
  ``settings.CHECKPOINT_SIGNING_KEY_FILE`` (``<data folder>/keys/checkpoint_signing_key``), made on
  first use, mode ``0600``; its public key is printed with each checkpoint, to keep elsewhere.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from needlewise.errors import DataKeyError, Problem
from needlewise.storage.data_keys import KEY_BYTES, create_key_file, parse_keys

ENVIRONMENT = "NEEDLEWISE_AUDIT_KEY"
_ID_LABEL = b"needlewise audit key id\x00"
_keys: list[dict[str, bytes]] = []
_current: list[str] = []


def audit_key_id(key: bytes) -> str:
    """The 8-hex-digit id of an audit key, stored in each row it made."""
    return hashlib.sha256(_ID_LABEL + key).digest()[:4].hex()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise DataKeyError([Problem(str(path), f"cannot be read ({error})")]) from None


def _load() -> list[bytes]:
    configured: str | None = settings.AUDIT_KEY
    if configured:
        return parse_keys(configured, ENVIRONMENT, ",", "audit key")
    path = Path(settings.AUDIT_KEY_FILE)
    if not path.exists():
        create_key_file(path, [secrets.token_bytes(KEY_BYTES)])
    return parse_keys(_read(path), str(path), "\n", "audit key")


def audit_keys() -> tuple[str, dict[str, bytes]]:
    """The current key's id and every configured key by id, read (and on first run made) once per process."""
    if not _keys:
        keys = _load()
        _keys.append({audit_key_id(key): key for key in keys})
        _current.append(audit_key_id(keys[0]))
    return _current[0], _keys[0]


def forget() -> None:
    """Read the keys again on next use (when the settings change)."""
    _keys.clear()
    _current.clear()


def signing_key() -> Ed25519PrivateKey:
    """The checkpoint signing key, made on first use (mode 0600 in the keys folder)."""
    path = Path(settings.CHECKPOINT_SIGNING_KEY_FILE)
    if not path.exists():
        create_key_file(path, [secrets.token_bytes(KEY_BYTES)])
    text = _read(path).strip()
    try:
        seed = base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        seed = b""
    if len(seed) != KEY_BYTES:
        raise DataKeyError([Problem(str(path), f"must hold one {KEY_BYTES}-byte key in URL-safe base64")])
    return Ed25519PrivateKey.from_private_bytes(seed)
