"""What Profile v1 and v2 share: strict models, list fields, and errors that name the field."""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic_core import ErrorDetails

from needlewise.errors import Problem
from needlewise.kb.suggestions import closest

MAX_INPUT_BYTES = 64 * 1024

E = TypeVar("E", bound=Enum)


def unique_items(values: list[E]) -> list[E]:
    """A list validator: each value once."""
    if len(set(values)) != len(values):
        msg = "each value may appear only once"
        raise ValueError(msg)
    return values


UNIQUE_ITEMS = {"uniqueItems": True}


def _integral(value: object) -> object:
    """JSON Schema counts 24.0 as an integer; so do we. Anything else is left to strict validation."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WHOLE = BeforeValidator(_integral)


class StrictModel(BaseModel):
    """Unknown fields are refused, types are strict, values are frozen."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def problem_of(detail: ErrorDetails, fields_at: Mapping[str, type[BaseModel]], root: type[BaseModel]) -> Problem:
    """One pydantic error as a Problem naming the field path (with a did-you-mean where one helps).

    ``fields_at`` maps a nested object's field name (``device``) to its model, for unknown fields.
    """
    where = _path(detail["loc"])
    kind, value = detail["type"], detail.get("input")
    if kind == "extra_forbidden":
        name = str(detail["loc"][-1])
        named = [p for p in detail["loc"][:-1] if isinstance(p, str)]
        model = fields_at.get(named[0], root) if named else root
        allowed = list(model.model_fields)
        return Problem(where, f"unknown field (allowed: {', '.join(allowed)})", closest(name, allowed))
    if kind == "enum":
        allowed = [
            a.strip(" '") for a in str((detail.get("ctx") or {}).get("expected", "")).replace(" or ", ",").split(",")
        ]
        allowed = [a for a in allowed if a]
        hint = closest(value, allowed) if isinstance(value, str) else None
        return Problem(where, f"{value!r} is not allowed (allowed: {', '.join(allowed)})", hint)
    if kind == "missing":
        return Problem(where, "required field is missing")
    return Problem(where, f"{detail['msg']} (got {json.dumps(value)})")


def _path(loc: tuple[int | str, ...]) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc]
    return "".join(parts).lstrip(".") or "(input)"


def json_type(data: object) -> str:
    """How a JSON value's type is named in an error."""
    names = {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return names.get(type(data), "null")
