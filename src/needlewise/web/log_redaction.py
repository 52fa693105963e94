"""Secrets never reach the server log: tokens in paths and in query strings are replaced by ``[redacted]``.

Django's request logger writes the path of every 4xx and 5xx response (``Conflict: /checkin/<token>/``),
the CSRF logger the path it refused, and a development server the whole request line. A check-in
link, a saved result's link and a password-reset or invitation link each let whoever holds them in
(to someone's answers, or to an account), and a result's state (``?s=``) carries the answers
themselves. :class:`RedactTokens` is attached to those loggers and to the console handler
(``LOGGING`` in :mod:`needlewise.web.settings`).
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
_SEGMENT = r"[^/\s?#\"']+"
#: The private links (``web/urls.py``): a check-in (long and short), a saved result, a password reset
#: or invitation (its account id and token).
_PATHS = re.compile(rf"(?P<route>/(?:checkin|c|r)/){_SEGMENT}|(?P<reset>/clinic/password-reset/){_SEGMENT}/{_SEGMENT}")
#: Query parameters that carry a state with answers, or a token.
_QUERY = re.compile(r"(?P<name>[?&](?:s|state|token)=)[^&\s\"'#]+")


def redact(text: str) -> str:
    """``text`` with every private link's token, and every answer-carrying query value, replaced."""

    def path(match: re.Match[str]) -> str:
        if match.group("route"):
            return f"{match.group('route')}{REDACTED}"
        return f"{match.group('reset')}{REDACTED}/{REDACTED}"

    return _QUERY.sub(rf"\g<name>{REDACTED}", _PATHS.sub(path, text))


class RedactTokens(logging.Filter):
    """A logging filter that rewrites a record's message with :func:`redact` (it never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; keep it."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):  # a malformed call: logging reports it when it writes
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
