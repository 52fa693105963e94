"""The language switcher's view: Django's ``set_language``, never sending anyone back to a POST-only address.

The switcher posts the current page's path as ``next``. A page that answered a form's POST (a ``422``
with its errors) has a path that only takes POST: going back there by GET would be a bare ``405``.
Such a ``next`` is replaced by the nearest address above it that answers GET (``/clinic/clients/5/archive/``
→ ``/clinic/clients/5/``); Django's own checks (a safe, same-host address) still apply first.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.views.i18n import set_language


def allowed_methods(view: Callable[..., Any]) -> frozenset[str] | None:
    """The methods ``view`` takes, read from its ``require_http_methods`` decorator; ``None``: any."""
    func: Any = view
    while inspect.isfunction(func):
        methods = inspect.getclosurevars(func).nonlocals.get("request_method_list")
        if methods is not None:
            return frozenset(methods)
        func = getattr(func, "__wrapped__", None)
    return None


def answers_get(path: str) -> bool:
    """Whether ``path`` is a page of the site that a GET may ask for."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    methods = allowed_methods(match.func)
    return methods is None or "GET" in methods


def back_to(path: str) -> str:
    """``path``, or the nearest address above it that answers GET (the site's root at worst)."""
    while path != "/" and not answers_get(path):
        head = path.rstrip("/").rsplit("/", 1)[0]
        path = f"{head}/" if head.startswith("/") else "/"
    return path


def switch(request: HttpRequest) -> HttpResponse:
    """Set the language (Django's view), then go back to a page that answers GET."""
    response = set_language(request)
    if response.has_header("Location"):  # none when nothing asked where to go (204)
        where = urlsplit(response["Location"]).path
        if not answers_get(where):
            response["Location"] = back_to(where)
    return response
