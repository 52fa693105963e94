"""JSON objects and arrays that many assessments share, read-only so that sharing them is safe.

A finding, a cited source, a plan section or a schedule says the same thing in every assessment that
holds it, so its JSON form is built once and the same object goes into each assessment's JSON. Reading
works as for any ``dict`` or ``list`` (``json``, ``orjson``, Django and pydantic see one); changing one
raises ``TypeError`` instead of changing every assessment at once. ``copy.copy`` and ``copy.deepcopy`` give
plain, changeable ``dict`` and ``list`` objects.
"""

# ruff: noqa: ARG002 - a refusing method keeps the parameters of the method it refuses

from __future__ import annotations

import copy
from typing import Any, NoReturn, overload

_READ_ONLY = "this part of an assessment's JSON is shared with other assessments and read-only: copy.deepcopy it"


def _refuse() -> NoReturn:
    raise TypeError(_READ_ONLY)


class SharedObject(dict[str, Any]):
    """A read-only JSON object."""

    __slots__ = ()

    def __setitem__(self, key: str, value: object) -> NoReturn:
        """Refused: shared."""
        _refuse()

    def __delitem__(self, key: str) -> NoReturn:
        """Refused: shared."""
        _refuse()

    def __ior__(self, other: object) -> NoReturn:  # type: ignore[misc] # refusing: no result to match |'s
        """Refused: shared."""
        _refuse()

    def clear(self) -> NoReturn:
        """Refused: shared."""
        _refuse()

    def pop(self, *args: object) -> NoReturn:
        """Refused: shared."""
        _refuse()

    def popitem(self) -> NoReturn:
        """Refused: shared."""
        _refuse()

    def setdefault(self, *args: object) -> NoReturn:
        """Refused: shared."""
        _refuse()

    def update(self, *args: object, **kwargs: object) -> NoReturn:
        """Refused: shared."""
        _refuse()

    def __copy__(self) -> dict[str, Any]:
        """A plain, changeable copy."""
        return dict(self)

    def __deepcopy__(self, memo: dict[int, object]) -> dict[str, Any]:
        """A plain, changeable deep copy."""
        return {key: copy.deepcopy(value, memo) for key, value in self.items()}


class SharedArray(list[Any]):
    """A read-only JSON array."""

    __slots__ = ()

    def __setitem__(self, index: object, value: object) -> NoReturn:
        """Refused: shared."""
        _refuse()

    def __delitem__(self, index: object) -> NoReturn:
        """Refused: shared."""
        _refuse()

    def __iadd__(self, other: object) -> NoReturn:  # type: ignore[misc] # refusing: no result to match +'s
        """Refused: shared."""
        _refuse()

    def __imul__(self, other: object) -> NoReturn:
        """Refused: shared."""
        _refuse()

    def append(self, value: object) -> NoReturn:
        """Refused: shared."""
        _refuse()

    def extend(self, values: object) -> NoReturn:
        """Refused: shared."""
        _refuse()

    def insert(self, index: object, value: object) -> NoReturn:
        """Refused: shared."""
        _refuse()

    def pop(self, *args: object) -> NoReturn:
        """Refused: shared."""
        _refuse()

    def remove(self, value: object) -> NoReturn:
        """Refused: shared."""
        _refuse()

    def clear(self) -> NoReturn:
        """Refused: shared."""
        _refuse()

    def sort(self, *args: object, **kwargs: object) -> NoReturn:
        """Refused: shared."""
        _refuse()

    def reverse(self) -> NoReturn:
        """Refused: shared."""
        _refuse()

    def __copy__(self) -> list[Any]:
        """A plain, changeable copy."""
        return list(self)

    def __deepcopy__(self, memo: dict[int, object]) -> list[Any]:
        """A plain, changeable deep copy."""
        return [copy.deepcopy(value, memo) for value in self]


@overload
def shared(value: dict[str, Any]) -> SharedObject: ...
@overload
def shared(value: list[Any] | tuple[Any, ...]) -> SharedArray: ...
@overload
def shared(value: object) -> object: ...
def shared(value: object) -> object:
    """``value`` (plain JSON) as shared, read-only JSON, all the way down."""
    if isinstance(value, dict):
        return SharedObject({key: shared(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return SharedArray(shared(item) for item in value)
    return value
