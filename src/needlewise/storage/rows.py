"""Model instances from the columns of a fixed SQL statement, for the busiest reads.

Building an ORM query costs more CPU than running it; a page read on every view can use one fixed
statement instead and still hand its callers model instances.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

M = TypeVar("M", bound=Model)
Converted = tuple[Any, list[Callable[..., Any]]]  # a field's column expression and its converters, in order


def loaded(model: type[M], fields: Sequence[str], values: Sequence[Any], using: str) -> M:
    """The instance of ``model`` with these field values, as the ORM would have loaded them.

    ``fields`` are attribute names in the model's field order and ``values`` the statement's columns for
    them, read through database ``using``; each value goes through the converters the ORM applies to that
    field's column (dates from SQLite's text, JSON documents). The other fields are deferred, as with
    ``QuerySet.only``: reading one costs a query.
    """
    connection = connections[using]
    converted = []
    for (column, converters), value in zip(_converters(connection, model, tuple(fields)), values, strict=True):
        for convert in converters:
            value = convert(value, column, connection)  # noqa: PLW2901 - each converter takes the last one's output
        converted.append(value)
    return model.from_db(using, list(fields), converted)


# Per connection (a thread's own; its converters are its methods): each field's column and converters,
# looked up once per model and list of fields instead of on every row.
_CONVERTERS: WeakKeyDictionary[BaseDatabaseWrapper, dict[tuple[type[Model], tuple[str, ...]], list[Converted]]] = (
    WeakKeyDictionary()
)


def _converters(connection: BaseDatabaseWrapper, model: type[Model], fields: tuple[str, ...]) -> list[Converted]:
    known = _CONVERTERS.setdefault(connection, {})
    found = known.get((model, fields))
    if found is None:
        found = []
        for name in fields:
            column = model._meta.get_field(name).cached_col  # type: ignore[union-attr]  # noqa: SLF001
            found.append((column, connection.ops.get_db_converters(column) + column.get_db_converters(connection)))
        known[(model, fields)] = found
    return found


def columns(
    model: type[Model], alias: str, *, without: Sequence[str] = (), only: Sequence[str] | None = None
) -> tuple[tuple[str, ...], str]:
    """The attribute names of ``model``'s columns (in field order, less ``without``) and their SELECT list.

    With ``only``, just those fields (by name, in field order): the rest are deferred, as with ``QuerySet.only``.
    """
    fields = tuple(
        f.attname
        for f in model._meta.concrete_fields  # noqa: SLF001
        if f.name not in without and (only is None or f.name in only)
    )
    names = {f.attname: f.column for f in model._meta.concrete_fields}  # noqa: SLF001
    return fields, ", ".join(f'{alias}."{names[name]}"' for name in fields)


def cache(instance: Model, name: str, related: Model | None) -> None:
    """Store ``related`` as ``instance``'s related object ``name``, as ``select_related`` does (no query)."""
    instance._state.fields_cache[name] = related  # noqa: SLF001 - the ORM's own cache of related objects
