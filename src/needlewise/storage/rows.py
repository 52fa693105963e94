"""Model instances from the columns of a fixed SQL statement, for the busiest reads.

Building an ORM query costs more CPU than running it; a page read on every view can use one fixed
statement instead and still hand its callers model instances.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Model

M = TypeVar("M", bound=Model)


def loaded(model: type[M], fields: Sequence[str], values: Sequence[Any], using: str) -> M:
    """The instance of ``model`` with these field values, as the ORM would have loaded them.

    ``fields`` are attribute names in the model's field order and ``values`` the statement's columns for
    them, read through database ``using``; each value goes through the converters the ORM applies to that
    field's column (dates from SQLite's text, JSON documents). The other fields are deferred, as with
    ``QuerySet.only``: reading one costs a query.
    """
    connection = connections[using]
    converted = []
    for name, value in zip(fields, values, strict=True):
        field = model._meta.get_field(name)  # noqa: SLF001 - Django's documented model options
        column = field.cached_col  # type: ignore[union-attr]
        for convert in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
            value = convert(value, column, connection)  # noqa: PLW2901 - each converter takes the last one's output
        converted.append(value)
    return model.from_db(using, list(fields), converted)


def columns(model: type[Model], alias: str, *, without: Sequence[str] = ()) -> tuple[tuple[str, ...], str]:
    """The attribute names of ``model``'s columns (in field order, less ``without``) and their SELECT list."""
    fields = tuple(f.attname for f in model._meta.concrete_fields if f.name not in without)  # noqa: SLF001
    names = {f.attname: f.column for f in model._meta.concrete_fields}  # noqa: SLF001
    return fields, ", ".join(f'{alias}."{names[name]}"' for name in fields)


def cache(instance: Model, name: str, related: Model | None) -> None:
    """Store ``related`` as ``instance``'s related object ``name``, as ``select_related`` does (no query)."""
    instance._state.fields_cache[name] = related  # noqa: SLF001 - the ORM's own cache of related objects
