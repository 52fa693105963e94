"""Landing, sources, claims and error pages."""

from __future__ import annotations

import orjson
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from needlewise.api.routes import api
from needlewise.domain.tier import Grade
from needlewise.web.views.common import knowledge, render

KEY_FACTS = (
    "active-cold-sore",
    "shared-device",
    "vitamin-c-into-channels",
    "home-needle-clinic-only",
    "goal-needs-clinic",
)


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    """What microneedling is, what home devices can and cannot do, and what needlewise is."""
    kb = knowledge()
    by_id = {rule.rule_id: rule for rule in kb.rules}
    facts = [by_id[rule_id] for rule_id in KEY_FACTS]
    return render(request, "landing.html", {"facts": facts})


@require_safe
def sources(request: HttpRequest) -> HttpResponse:
    """The bibliography, filterable by evidence grade."""
    chosen = {g for g in Grade if g.value in request.GET.getlist("grade")}
    rows = [s for s in knowledge().sources.values() if not chosen or s.grade in chosen]
    context = {"sources": rows, "grades": list(Grade), "chosen": chosen, "gaps": knowledge().gaps}
    return render(request, "sources.html", context)


@require_safe
def claims(request: HttpRequest) -> HttpResponse:
    """Common marketing claims checked against the evidence."""
    return render(request, "claims.html", {"claims": knowledge().claims})


@require_safe
def api_docs(request: HttpRequest) -> HttpResponse:
    """The API reference, rendered from the OpenAPI document (same contract as ``/openapi.json``)."""
    schema = api.get_openapi_schema()
    operations = [
        {"method": method.upper(), "path": path, **operation}
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    components = {
        name: orjson.dumps(definition, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()
        for name, definition in schema["components"]["schemas"].items()
    }
    return render(
        request, "api_docs.html", {"info": schema["info"], "operations": operations, "components": components}
    )


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 without any detail of the request."""
    del exception
    return render(request, "error.html", {"status": 404}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500 without a stack trace."""
    return render(request, "error.html", {"status": 500}, status=500)
