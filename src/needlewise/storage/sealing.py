"""Seal and open stored values with AES-256-GCM under the data key ring (:mod:`needlewise.storage.data_keys`).

A sealed value is ``MAGIC``, the sealing key's 4-byte id, a random 12-byte nonce, then the ciphertext
with its 16-byte tag; text columns hold ``nw1:`` and that (after the magic) in URL-safe base64. The
column (``table.column``) is the associated data: a value moved to another column does not open.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag

from needlewise.errors import DataKeyError, Problem
from needlewise.storage.data_keys import key_ring

MAGIC = b"nw1\x00"
TEXT_PREFIX = "nw1:"
_ID, _NONCE = 4, 12
_HEAD = len(MAGIC) + _ID + _NONCE


def seal(plain: bytes, column: str) -> bytes:
    """``plain`` sealed with the current key, bound to ``column``."""
    ring = key_ring()
    current = ring.current_id
    nonce = os.urandom(_NONCE)
    return MAGIC + current + nonce + ring.ciphers[current].encrypt(nonce, plain, column.encode())


def _not_sealed(column: str) -> DataKeyError:
    message = "holds a value that is not encrypted (written behind the application's back, or not migrated)"
    return DataKeyError([Problem(column, message)])


def sealed_by(sealed: bytes, column: str) -> bytes:
    """The id of the key that sealed ``sealed``; DataKeyError when it is not a sealed value."""
    if not sealed.startswith(MAGIC) or len(sealed) < _HEAD:
        raise _not_sealed(column)
    return sealed[len(MAGIC) : len(MAGIC) + _ID]


def unseal(sealed: bytes, column: str) -> bytes:
    """The plain bytes of ``sealed``; DataKeyError naming the column and the key when it does not open."""
    ring = key_ring()
    found = sealed_by(sealed, column)
    cipher = ring.ciphers.get(found)
    if cipher is None:
        message = (
            f"was encrypted with data key {found.hex()}, which is not among the configured keys "
            f"({ring.source}: {ring.ids()}); configure the key this database was made with"
        )
        raise DataKeyError([Problem(column, message)])
    nonce = sealed[len(MAGIC) + _ID : _HEAD]
    try:
        return cipher.decrypt(nonce, sealed[_HEAD:], column.encode())
    except InvalidTag:
        message = f"holds a value that does not decrypt with data key {found.hex()}: it was altered"
        raise DataKeyError([Problem(column, message)]) from None


def seal_text(plain: str, column: str) -> str:
    """``plain`` sealed, as text for a text column."""
    return TEXT_PREFIX + base64.urlsafe_b64encode(seal(plain.encode(), column)[len(MAGIC) :]).decode("ascii")


def text_to_sealed(stored: str, column: str) -> bytes:
    """The sealed bytes a text column holds; DataKeyError when it holds something else."""
    if stored.startswith(TEXT_PREFIX):
        try:
            return MAGIC + base64.urlsafe_b64decode(stored[len(TEXT_PREFIX) :].encode("ascii"))
        except (binascii.Error, UnicodeEncodeError):
            pass
    raise _not_sealed(column)


def unseal_text(stored: str, column: str) -> str:
    """The plain text of a text column's sealed value."""
    return unseal(text_to_sealed(stored, column), column).decode()
