"""``needlewise keys``: check that the configured data key opens the database, and rotate it.

Rotation makes a new key the current one (the old one stays in the ring for reading), re-encrypts every
sealed value under it, table by table, each in one transaction, and only then drops the old key from
the key file. Stop the app first: a running server still holds the old ring. An interrupted rotation
is finished by running it again (it then re-encrypts under the key it had made, making no other).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from needlewise.errors import DataKeyError, Problem
from needlewise.storage import data_keys
from needlewise.storage.encrypted_fields import EncryptedBinaryField, EncryptedJSONField, EncryptedTextField
from needlewise.storage.resealing import SealedColumn, Stored, check, key_of, rewrite
from needlewise.storage.sealing import seal, seal_text, unseal, unseal_text

_SEALED = (EncryptedTextField, EncryptedJSONField, EncryptedBinaryField)


def sealed_columns() -> list[SealedColumn]:
    """Every sealed column of needlewise's tables."""
    return [
        SealedColumn(model._meta.db_table, field.column, binary=isinstance(field, EncryptedBinaryField))  # noqa: SLF001 - Django's model options
        for model in apps.get_app_config("storage").get_models()
        for field in model._meta.get_fields()  # noqa: SLF001 - Django's model options
        if isinstance(field, _SEALED)
    ]


def _fetch(statement: str) -> Sequence[tuple[Any, ...]]:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(statement)
        return list(cursor.fetchall())


def check_keys() -> None:
    """Raise DataKeyError, naming the column and the key, when the configured keys cannot open the database."""
    check(_fetch, sealed_columns())


@dataclass(frozen=True, slots=True)
class Rotation:
    """What a rotation did: the new current key's id, the ids dropped, the values re-encrypted per column."""

    key_id: str
    dropped: tuple[str, ...]
    changed: dict[str, int]
    source: str


def _resealer(column: SealedColumn, current: bytes) -> Callable[[Stored], Stored | None]:
    def change(stored: Stored) -> Stored | None:
        if key_of(column, stored) == current:
            return None
        if isinstance(stored, bytes):
            return seal(unseal(stored, column.name), column.name)
        return seal_text(unseal_text(stored, column.name), column.name)

    return change


def rotate() -> Rotation:
    """Re-encrypt every sealed value under a new key (with ``NEEDLEWISE_DATA_KEY``: under its first key).

    Raises:
        DataKeyError: ``NEEDLEWISE_DATA_KEY`` holds a single key (put the new one in front of it), or a
            stored value does not open with any configured key (nothing of that table was changed).
    """
    ring, path = data_keys.key_ring(), data_keys.key_file()
    if path is None and len(ring.keys) == 1:
        message = (
            "holds one key: put a new key in front of it (`needlewise keys new` prints one), "
            "comma-separated, keep the old one after it, and run this again"
        )
        raise DataKeyError([Problem(data_keys.ENVIRONMENT, message)])
    if path is not None and len(ring.keys) == 1:
        data_keys.write_key_file(path, [data_keys.parse_keys(data_keys.new_key(), "new key", ",")[0], *ring.keys])
        data_keys.forget()
        ring = data_keys.key_ring()
    current = ring.current_id
    connection = connections[DEFAULT_DB_ALIAS]
    changed = {}
    for column in sealed_columns():
        with transaction.atomic():
            changed[column.name] = rewrite(connection, column, _resealer(column, current))
    dropped = tuple(data_keys.key_id(key).hex() for key in ring.keys[1:])
    if path is not None:
        data_keys.write_key_file(path, ring.keys[:1])
        data_keys.forget()
    return Rotation(current.hex(), dropped, changed, ring.source)
