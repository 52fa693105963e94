"""schemathesis against the OpenAPI document: no server error, no response outside the schema.

Every operation runs anonymously (the clinic ones then answer 401), and the clinic operations run
again signed in as a provider of a clinic (staff session cookie and CSRF token), so that their
successes and refusals are checked too: no 5xx, every status documented, every body as declared.
"""

from __future__ import annotations

import secrets
import string

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from needlewise.domain.permissions import Role
from web.clinic.support import Site, make_site, staff_client

MAX_EXAMPLES = 40
SIGNED_IN_EXAMPLES = 25  # per clinic operation
# Signed in, the checks that matter: no 5xx, every status documented, every body and content type as
# declared. (Whether schema-violating input is refused is the anonymous run's job; "ignored auth"
# would take the session this test injects for a generated one.)
SIGNED_IN_CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]
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


@pytest.fixture
def staff_site(settings) -> Site:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests only
    return make_site("Clinic Schema", "schema", "Ottoline", "Vexworth")


@pytest.fixture
def provider_cookies(staff_site: Site) -> dict[str, str]:
    """A provider's verified staff session and a CSRF token, as a browser holds them."""
    browser = staff_client(staff_site.members[Role.PROVIDER])
    token = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    return {
        django_settings.SESSION_COOKIE_NAME: browser.cookies[django_settings.SESSION_COOKIE_NAME].value,
        django_settings.CSRF_COOKIE_NAME: token,
    }


@schema.include(tag="clinic").parametrize()
@settings(max_examples=SIGNED_IN_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_clinic_operation_conforms_signed_in(
    case: schemathesis.Case, staff_site: Site, provider_cookies: dict[str, str]
) -> None:
    # Cases that leave out or blank the session cookie get the provider's: this test is about signed-in answers.
    case.cookies = {**(case.cookies or {}), **provider_cookies}
    client_id = str((case.path_parameters or {}).get("client_id", ""))
    if client_id.isdigit() and int(client_id) % 2 == 0:  # half the ids name the clinic's own client
        case.path_parameters["client_id"] = staff_site.client.pk
    csrf = {"X-CSRFToken": provider_cookies[django_settings.CSRF_COOKIE_NAME]}
    response = case.call_and_validate(headers=csrf, checks=SIGNED_IN_CHECKS)
    assert response.status_code != 401, "the staff session was not accepted"
