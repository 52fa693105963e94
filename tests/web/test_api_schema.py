"""schemathesis against the OpenAPI document: no server error, no response outside the schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings

MAX_EXAMPLES = 40
# Django's request signals look at the database connection on every request; let them.
pytestmark = pytest.mark.django_db

with override_settings(RATE_LIMIT_PER_MINUTE=0):  # the limiter reads its setting when the app is built
    APPLICATION = WSGIHandler()

schema = schemathesis.openapi.from_wsgi("/openapi.json", APPLICATION)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    # As Django's own test client does: at the end of a request Django closes a connection older than
    # CONN_MAX_AGE (60 s on PostgreSQL), which would close the test's transaction under it once the
    # session has run for a minute.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate()
