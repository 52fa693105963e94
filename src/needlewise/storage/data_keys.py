"""The data key ring: the keys that encrypt health data in the database, kept outside the database.

Where the keys come from (settings, read from the environment):

- ``NEEDLEWISE_DATA_KEY``: one key, or several separated by commas; each is 32 random bytes in URL-safe
  base64. The first one encrypts; every one decrypts (an old key stays listed after a new one until
  ``needlewise keys rotate`` has re-encrypted everything).
- otherwise the key file ``settings.DATA_KEY_FILE`` (``NEEDLEWISE_DATA_KEY_FILE``, by default
  ``<data folder>/keys/data_key``): one key a line, the first the current one. On first use it is made
  with one new key, mode ``0600`` in a ``0700`` folder, as the secret key is.

Each key has an id, the first 4 bytes of a SHA-256 over a label and the key: a stored value names the key
that sealed it without telling anything about the key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from needlewise.errors import DataKeyError, Problem

KEY_BYTES = 32
ENVIRONMENT = "NEEDLEWISE_DATA_KEY"
_ID_LABEL = b"needlewise data key id\x00"


@dataclass(frozen=True, slots=True)
class KeyRing:
    """The configured keys: the current one seals, any one opens; ``source`` says where they came from."""

    keys: tuple[bytes, ...]
    source: str
    ciphers: Mapping[bytes, AESGCM]

    @property
    def current_id(self) -> bytes:
        """The id of the key that seals new values."""
        return key_id(self.keys[0])

    def ids(self) -> str:
        """Every key's id in hex, current first, for messages."""
        return ", ".join(key_id(key).hex() for key in self.keys)


def key_id(key: bytes) -> bytes:
    """The 4-byte id of ``key``."""
    return hashlib.sha256(_ID_LABEL + key).digest()[:4]


def new_key() -> str:
    """A new random key in the form the key file and ``NEEDLEWISE_DATA_KEY`` take."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def ring_of(keys: Sequence[bytes], source: str) -> KeyRing:
    """The key ring of ``keys`` (current first)."""
    return KeyRing(tuple(keys), source, {key_id(key): AESGCM(key) for key in keys})


def parse_keys(text: str, source: str, separator: str, kind: str = "data key") -> list[bytes]:
    """The keys written in ``text``, or DataKeyError naming ``source`` and what is wrong."""
    keys = []
    for written in (part.strip() for part in text.split(separator)):
        if not written:
            continue
        try:
            key = base64.urlsafe_b64decode(written.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            key = b""
        if len(key) != KEY_BYTES:
            message = f"each {kind} must be {KEY_BYTES} bytes in URL-safe base64 (`needlewise keys new` prints one)"
            raise DataKeyError([Problem(source, message)])
        keys.append(key)
    if not keys:
        raise DataKeyError([Problem(source, f"holds no {kind}")])
    return keys


def write_key_file(path: Path, keys: Sequence[bytes]) -> None:
    """Replace the key file at ``path`` with ``keys`` (current first), mode 0600, in one rename."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.writelines(base64.urlsafe_b64encode(key).decode("ascii") + "\n" for key in keys)
        handle.flush()
        os.fsync(handle.fileno())
    draft.replace(path)


def create_key_file(path: Path, keys: Sequence[bytes]) -> None:
    """Make the key file at ``path`` with ``keys`` unless one is there already (two processes starting at once).

    The draft is linked into place, which fails when the file exists: the first writer's key wins and
    every process reads that one, instead of each replacing it with its own.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    write_key_file(draft, keys)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()


def key_file() -> Path | None:
    """The key file in use, or None when the keys come from ``NEEDLEWISE_DATA_KEY``."""
    return None if settings.DATA_KEY else Path(settings.DATA_KEY_FILE)


def _load() -> KeyRing:
    configured: str | None = settings.DATA_KEY
    if configured:
        return ring_of(parse_keys(configured, ENVIRONMENT, ","), ENVIRONMENT)
    path = Path(settings.DATA_KEY_FILE)
    if not path.exists():
        create_key_file(path, [secrets.token_bytes(KEY_BYTES)])
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise DataKeyError([Problem(str(path), f"cannot be read ({error})")]) from None
    return ring_of(parse_keys(text, str(path), "\n"), str(path))


_ring: list[KeyRing] = []


def key_ring() -> KeyRing:
    """The configured key ring, read (and on first run made) once per process."""
    if not _ring:
        _ring.append(_load())
    return _ring[0]


def forget() -> None:
    """Read the keys again on next use (after a rotation, or when the settings change)."""
    _ring.clear()
