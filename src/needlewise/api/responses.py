"""How the API writes bodies: JSON by orjson, its one error shape, and the renderer of declared schemas."""

from __future__ import annotations

import orjson
from django.http import HttpRequest, HttpResponse
from ninja.renderers import BaseRenderer

from needlewise.api.schemas import ErrorOut, ProblemOut
from needlewise.domain.json_types import JsonValue
from needlewise.errors import Problem

CONTENT_TYPE = "application/json"


class OrjsonRenderer(BaseRenderer):
    """Writes what an operation's declared response schema dumped, with orjson (dates in ISO 8601)."""

    media_type = CONTENT_TYPE

    def render(self, request: HttpRequest, data: object, *, response_status: int) -> bytes:
        """``data`` as JSON."""
        del request, response_status
        return orjson.dumps(data)


def json_response(data: JsonValue, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    """Write ``data`` as JSON with orjson."""
    return HttpResponse(orjson.dumps(data), status=status, content_type=CONTENT_TYPE, headers=headers)


def error_response(status: int, code: str, message: str, problems: tuple[Problem, ...] = ()) -> HttpResponse:
    """The one error shape of the API, written by its schema (:class:`ErrorOut`)."""
    body = ErrorOut(
        error=code,
        message=message,
        problems=[ProblemOut(field=p.where, message=p.message, suggestion=p.suggestion) for p in problems],
    )
    return HttpResponse(orjson.dumps(body.model_dump()), status=status, content_type=CONTENT_TYPE)
