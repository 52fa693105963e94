"""Database sessions that refuse malformed keys before they reach the database.

Django makes session keys of 32 lowercase letters and digits. A cookie holding anything else (a NUL
byte, for example, which PostgreSQL refuses in text) is treated as no session at all, never as a
server error.
"""

from __future__ import annotations

import re

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

_KEY = re.compile(r"[a-z0-9]{8,40}")


class SessionStore(DatabaseSessionStore):
    """Django's database session store with a strict key format."""

    def _validate_session_key(self, key: str | None) -> bool:
        return bool(key) and _KEY.fullmatch(key or "") is not None
