"""Model fields whose values are encrypted in the database (AES-256-GCM, :mod:`needlewise.storage.sealing`).

The application reads and writes plain values; the database, its WAL and its backups hold only sealed
ones, bound to their column. An empty text stays empty (it tells nothing a sealed value's length would
not) and NULL stays NULL. Such a column cannot be searched or sorted in SQL: the only lookup allowed is
``isnull``, so a query that would silently match nothing fails loudly instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Combinable
from django.db.models.lookups import IsNull, Lookup

from needlewise.storage.sealing import seal, seal_text, unseal, unseal_text

if TYPE_CHECKING:  # django-stubs' fields are generic in their set and get types; Django's are not subscriptable
    _TextColumn = models.TextField[str | Combinable, str]
    _JSONColumn = models.TextField[Any, Any]
else:
    _TextColumn = _JSONColumn = models.TextField


class _Sealed:
    """What the encrypted fields share: the column the associated data names, and ``isnull`` only."""

    model: type[models.Model]
    column: str

    def sealed_column(self) -> str:
        """``table.column``, the associated data of this column's sealed values."""
        return f"{self.model._meta.db_table}.{self.column}"  # noqa: SLF001 - Django's documented model options

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        """Only ``isnull``: sealed values cannot be compared in SQL."""
        return IsNull if lookup_name == "isnull" else None


class EncryptedTextField(_Sealed, _TextColumn):  # type: ignore[misc]
    """A text column stored sealed."""

    def from_db_value(self, value: str | None, expression: object, connection: BaseDatabaseWrapper) -> str | None:
        """The plain text."""
        del expression, connection
        return value if not value else unseal_text(value, self.sealed_column())

    def get_db_prep_save(self, value: Any, connection: BaseDatabaseWrapper) -> Any:  # noqa: ANN401 - Django's field API
        """The sealed text (empty and NULL as they are)."""
        del connection
        plain = self.get_prep_value(value)
        return plain if not plain else seal_text(plain, self.sealed_column())


class EncryptedJSONField(_Sealed, _JSONColumn):  # type: ignore[misc]
    """A JSON document stored sealed in a text column (NULL stays NULL where the field allows it)."""

    if TYPE_CHECKING:  # what django-stubs reads: any JSON value in and out, as JSONField
        _pyi_private_set_type: Any
        _pyi_private_get_type: Any

    def from_db_value(self, value: str | None, expression: object, connection: BaseDatabaseWrapper) -> Any:  # noqa: ANN401 - Django's field API  # noqa: ANN401 - Django's field API
        """The document."""
        del expression, connection
        return None if value is None else orjson.loads(unseal_text(value, self.sealed_column()))

    def to_python(self, value: Any) -> Any:  # noqa: ANN401 - Django's field API
        """The document as it is."""
        return value

    def get_db_prep_save(self, value: Any, connection: BaseDatabaseWrapper) -> Any:  # noqa: ANN401 - Django's field API
        """The document as sealed JSON text."""
        del connection
        if value is None and self.null:
            return None
        return seal_text(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode(), self.sealed_column())


class EncryptedBinaryField(_Sealed, models.BinaryField):  # type: ignore[misc,type-arg]
    """Bytes (a photo, a scan) stored sealed."""

    if TYPE_CHECKING:  # what django-stubs reads (the get type becomes optional where the field is nullable)
        _pyi_private_set_type: bytes | Combinable
        _pyi_private_get_type: bytes

    def from_db_value(
        self, value: bytes | memoryview | None, expression: object, connection: BaseDatabaseWrapper
    ) -> bytes | None:
        """The plain bytes."""
        del expression, connection
        return None if value is None else unseal(bytes(value), self.sealed_column())

    def get_db_prep_save(self, value: Any, connection: BaseDatabaseWrapper) -> Any:  # noqa: ANN401 - Django's field API
        """The sealed bytes."""
        if value is None:
            return None
        return super().get_db_prep_save(seal(bytes(value), self.sealed_column()), connection)
