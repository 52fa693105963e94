"""One CSRF token a page: every form of a rendered page carries the same masked token.

Django's Jinja2 backend gives templates a ``csrf_input`` that masks the token afresh each time it is
written (32 random characters and a cipher pass): a clinic page with a sign-out form, an archive form
and a consent form paid for three. This context processor replaces it with one that masks once, on
first use, so a page that has no form still never asks for a token (nor sets the cookie).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.backends.utils import csrf_input
from django.utils.safestring import SafeString


class OnceCsrfInput:
    """The hidden CSRF field of ``request``, worked out the first time a template writes it."""

    __slots__ = ("_html", "_request")

    def __init__(self, request: HttpRequest) -> None:
        """Keep ``request``; nothing is worked out yet."""
        self._request = request
        self._html: SafeString | None = None

    def __html__(self) -> SafeString:
        """The field as markup (what ``{{ csrf_input }}`` writes)."""
        if self._html is None:
            self._html = csrf_input(self._request)
        return self._html

    def __str__(self) -> str:
        """The field as text (what ``csrf_input|string`` gives)."""
        return self.__html__()


def one_token(request: HttpRequest) -> dict[str, object]:
    """The template context's ``csrf_input``, masked once a page."""
    return {"csrf_input": OnceCsrfInput(request)}
