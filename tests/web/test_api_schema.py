"""schemathesis against the OpenAPI document: no server error, no response outside the schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.test import override_settings
from hypothesis import HealthCheck, settings

MAX_EXAMPLES = 40
# Django's request signals look at the database connection on every request; let them.
pytestmark = pytest.mark.django_db

with override_settings(RATE_LIMIT_PER_MINUTE=0):  # the limiter reads its setting when the app is built
    APPLICATION = WSGIHandler()

schema = schemathesis.openapi.from_wsgi("/openapi.json", APPLICATION)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate()
