"""The race tests' scratch PostgreSQL database (``NEEDLEWISE_POSTGRES_URL``; skipped without a server unless
``NEEDLEWISE_REQUIRE_POSTGRES=1``)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

ADMIN_URL = os.environ.get("NEEDLEWISE_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A scratch database on the server at ADMIN_URL, dropped afterwards."""
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as unreachable:
        reason = f"no PostgreSQL reachable at {ADMIN_URL} ({str(unreachable).splitlines()[0]})"
        if os.environ.get("NEEDLEWISE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"NEEDLEWISE_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    name = f"needlewise_race_{secrets.token_hex(4)}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield urlunsplit(urlsplit(ADMIN_URL)._replace(path=f"/{name}"))
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
