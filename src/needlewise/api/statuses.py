"""The one table of HTTP statuses: which status each deliberate error becomes, in the API and on the pages.

Both edges look the status up here: the JSON API (with the ``code`` of its error object) and the web
pages (the clinic pages' refusal page, the check-in page). A class not listed takes the entry of its
nearest listed base class; every class of :mod:`needlewise.errors` is listed (a test keeps it so).

Errors that no request can fix are 500: the knowledge base being invalid, a backup failing, or a
bare :class:`ClinicError` (raised without a subclass it is a bug, not a refusal). A page that finds
its own hidden state damaged (a forged or truncated questionnaire ``state``) answers 400: that is
the page's own judgement about a field it wrote, not a status of the error class.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from needlewise.errors import (
    BackupError,
    ClinicError,
    ConflictError,
    DataKeyError,
    InvalidInputError,
    KnowledgeBaseError,
    LikelyDuplicateError,
    NeedlewiseError,
    NotAllowedError,
    NotFoundError,
    ProfileError,
    SessionBlockedError,
    TooManyAttemptsError,
)


@dataclass(frozen=True, slots=True)
class ErrorStatus:
    """An HTTP status and the API's ``error`` code for it."""

    status: int
    code: str


SERVER_ERROR: Final = ErrorStatus(500, "server_error")

#: Error class -> status and API code. Keep one entry per class of ``needlewise.errors``.
ERROR_STATUSES: Final[Mapping[type[NeedlewiseError], ErrorStatus]] = MappingProxyType(
    {
        NeedlewiseError: SERVER_ERROR,
        KnowledgeBaseError: SERVER_ERROR,
        BackupError: SERVER_ERROR,
        DataKeyError: SERVER_ERROR,  # the server cannot read its own data: nothing the request can change
        ProfileError: ErrorStatus(422, "invalid_input"),
        ClinicError: SERVER_ERROR,
        InvalidInputError: ErrorStatus(422, "invalid_input"),
        NotAllowedError: ErrorStatus(403, "not_allowed"),
        NotFoundError: ErrorStatus(404, "not_found"),
        ConflictError: ErrorStatus(409, "conflict"),
        SessionBlockedError: ErrorStatus(409, "conflict"),
        LikelyDuplicateError: ErrorStatus(409, "conflict"),
        TooManyAttemptsError: ErrorStatus(429, "too_many_attempts"),
    }
)


def status_of(error: NeedlewiseError | type[NeedlewiseError]) -> ErrorStatus:
    """The entry of ``error``'s class, or of its nearest listed base class."""
    kind = error if isinstance(error, type) else type(error)
    return next(ERROR_STATUSES[k] for k in kind.__mro__ if k in ERROR_STATUSES)
