"""How the API writes bodies: JSON by orjson, and its one error shape."""

from __future__ import annotations

import orjson
from django.http import HttpResponse

from needlewise.domain.assessment import JsonValue
from needlewise.errors import Problem


def json_response(data: JsonValue, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    """Write ``data`` as JSON with orjson."""
    return HttpResponse(orjson.dumps(data), status=status, content_type="application/json", headers=headers)


def error_response(status: int, code: str, message: str, problems: tuple[Problem, ...] = ()) -> HttpResponse:
    """The one error shape of the API."""
    body: JsonValue = {
        "error": code,
        "message": message,
        "problems": [{"field": p.where, "message": p.message, "suggestion": p.suggestion} for p in problems],
    }
    return json_response(body, status)
