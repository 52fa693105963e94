"""File uploads: only to the pages that take a file, by a role that may send it, never larger than allowed.

A file is refused before its body is read wherever that can be known from the request's head: the
page takes no files, the person is not signed in or their role may not do what the page does, or the
``Content-Length`` is over the page's limit. While the body streams, :class:`LimitedUploadHandler`
stops at the first file of a page that takes none and at the first byte over the page's limit, so an
oversized or unwanted file never grows the worker's memory nor reaches the disk.

A page takes files by being decorated with :func:`takes_upload` (outermost, above ``require_POST``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from needlewise.clinic.access import gate
from needlewise.domain.permissions import Action
from needlewise.edge.request_actor import actor_of
from needlewise.errors import NotAllowedError
from needlewise.web.middleware import API_PREFIX
from needlewise.web.staff_session import sign_in_url
from needlewise.web.views.common import render, say

MB = 1024 * 1024
#: What a multipart body may carry besides its file: boundaries, part headers and the small fields.
FORM_OVERHEAD_BYTES = 64 * 1024
_LIMIT = "needlewise_upload_limit"  # request attribute: the bytes of files this request may carry
_REFUSED = "needlewise_upload_refused"  # request attribute: why the handler stopped ("no_files", "too_large")

View = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class UploadRule:
    """What a page that takes a file allows: its size, and the action a sender's role must allow."""

    max_bytes: int
    action: Action
    object_type: str


def takes_upload(max_bytes: int, action: Action, object_type: str) -> Callable[[View], View]:
    """Mark ``view`` as a page that takes files of at most ``max_bytes`` from a role allowed ``action``."""

    def mark(view: View) -> View:
        view.upload_rule = UploadRule(max_bytes, action, object_type)  # type: ignore[attr-defined]
        return view

    return mark


class LimitedUploadHandler(FileUploadHandler):
    """Stop reading at the first file of a request that may carry none, and at the first byte over its limit."""

    limit = 0
    received = 0

    def handle_raw_input(self, *args: object, **kwargs: object) -> None:  # noqa: ARG002 - Django's signature
        """Note the request's limit (none unless :class:`UploadGateMiddleware` set one) before parsing starts."""
        self.limit = int(getattr(self.request, _LIMIT, 0))
        self.received = 0

    def new_file(self, *args: object, **kwargs: object) -> None:  # noqa: ARG002 - Django's signature
        """Refuse any file where the page takes none, without reading it."""
        if self.limit <= 0:
            self._stop("no_files")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:  # noqa: ARG002 - Django's signature
        """Pass the chunk on to the next handler, unless the files together went over the limit."""
        self.received += len(raw_data)
        if self.received > self.limit:
            self._stop("too_large")
        return raw_data

    def file_complete(self, file_size: int) -> None:  # noqa: ARG002 - Django's signature
        """Leave the file to the handlers after this one (memory or a temporary file)."""
        return

    def _stop(self, why: str) -> None:
        setattr(self.request, _REFUSED, why)
        raise StopUpload(connection_reset=True)  # the rest of the body is not read


def _content_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    """The refusal as a staff page where a staff member sent it, otherwise as a public page."""
    actor = getattr(request, "actor", None)
    context = {"status": status, "title": title, "message": message, "actor": actor}
    return render(request, "clinic/refused.html" if actor else "upload_refused.html", context, status=status)


def _too_large(request: HttpRequest, max_bytes: int) -> HttpResponse:
    message = _("The file is larger than %(mb)s MB. Choose a smaller file, or take the photo again at a lower size.")
    return _page(request, 413, _("The file is too large"), message % {"mb": max_bytes // MB})


def _no_files(request: HttpRequest) -> HttpResponse:
    return _page(request, 415, _("This page takes no files"), _("Send the form again without a file."))


class UploadGateMiddleware:
    """Check who sends a file, to which page, and its size, before the body is read (list it before CSRF)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        """Wrap ``get_response``."""
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Nothing to do before the view is known."""
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: View,
        args: tuple[object, ...],  # noqa: ARG002 - Django's signature
        kwargs: dict[str, object],  # noqa: ARG002 - Django's signature
    ) -> HttpResponse | None:
        """Refuse a file the page does not take, a sender whose role may not send it, or too many bytes."""
        if not (request.content_type or "").startswith("multipart/") or request.path.startswith(API_PREFIX):
            return None  # the API takes JSON, and refuses any other body itself
        rule: UploadRule | None = getattr(view, "upload_rule", None)
        if rule is not None:
            refused = self._refused_before_reading(request, rule)
            if refused is not None:
                return refused
            setattr(request, _LIMIT, rule.max_bytes)
        request.POST  # noqa: B018 - parse now, through LimitedUploadHandler, so a stop is answered here
        why = getattr(request, _REFUSED, None)
        if why == "no_files":
            return _no_files(request)
        if why == "too_large":
            assert rule is not None  # noqa: S101 - only a page with a limit reads a file's bytes
            return _too_large(request, rule.max_bytes)
        return None

    @staticmethod
    def _refused_before_reading(request: HttpRequest, rule: UploadRule) -> HttpResponse | None:
        actor = actor_of(request)
        if actor is None:
            return HttpResponseRedirect(sign_in_url(request))
        request.actor = actor  # type: ignore[attr-defined]
        try:
            gate.require(actor, rule.action, rule.object_type)
        except NotAllowedError as error:
            return _page(request, 403, _("Your role does not allow this"), say(error.first))
        if _content_length(request) > rule.max_bytes + FORM_OVERHEAD_BYTES:
            return _too_large(request, rule.max_bytes)
        return None
