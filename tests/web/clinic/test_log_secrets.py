"""No secrets in the server log (review M5): reset, invitation, check-in and saved-result links stay out.

Every record of every logger is captured at DEBUG on the root logger while the private links are used
the ways that make Django log a path (4xx answers, CSRF refusals, unknown links); no token appears.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import pytest
from django.test import Client

from clinic.checkin_support import answered_form
from clinic.followup_support import checkin_of, session_row, short_of
from needlewise.bootstrap import knowledge_base
from needlewise.web.log_redaction import REDACTED, RedactTokens, redact
from web.clinic.support import Site, body, staff_client
from web.questionnaire_support import state_of, walk

pytestmark = pytest.mark.django_db

CANARY = "CANARYtoken0123456789abcdefXYZ"
INVITATION = re.compile(r'id="invite-link" readonly value="http://testserver/clinic/password-reset/([^/"]+)/([^/"]+)/"')


@pytest.fixture(autouse=True)
def everything_logged(caplog: pytest.LogCaptureFixture, settings) -> pytest.LogCaptureFixture:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "needlewise.web.mail.LogEmailBackend"  # no mail server: the default
    caplog.set_level(logging.DEBUG)
    return caplog


def logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join([caplog.text, *(record.getMessage() for record in caplog.records)])


def test_invitation_and_reset_links_never_reach_the_log(
    site_a: Site, caplog: pytest.LogCaptureFixture, deliver_queue: Callable[[], int]
) -> None:
    colleague = {"email": "nadia@alpha.example.org", "display_name": "Nadia New", "role": "nurse"}
    page = body(staff_client(site_a.owner).post("/clinic/staff/", colleague))
    uid, token = INVITATION.search(page).groups()  # shown to the owner, since no mail server delivers it
    Client().post("/clinic/password-reset/", {"email": site_a.owner.user.username})
    assert Client().post(f"/clinic/password-reset/{uid}/{CANARY}/", {"password": "x"}).status_code in {200, 400}
    deliver_queue()  # the worker hands both messages to the mailer, which logs them
    text = logged(caplog)
    assert "mail to nadia@alpha.example.org" in text
    assert f"mail to {site_a.owner.user.username}" in text
    for secret in (token, CANARY, f"password-reset/{uid}"):
        assert secret not in text


def test_checkin_links_on_4xx_answers_never_reach_the_log(site_a: Site, caplog: pytest.LogCaptureFixture) -> None:
    session = session_row(site_a, knowledge_base())
    _, token = checkin_of(session, 1)
    _, printed = short_of(session, 3)
    person = Client(enforce_csrf_checks=True)
    assert person.post(f"/checkin/{token}/", {"answer-pus": "yes"}).status_code == 403  # no CSRF token
    form = person.get(f"/checkin/{token}/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode()).group(1)
    assert person.post(f"/checkin/{token}/", {"csrfmiddlewaretoken": csrf, "answer-made_up": "yes"}).status_code == 422
    assert person.post(f"/checkin/{token}/", {"csrfmiddlewaretoken": csrf}).status_code == 422  # nothing answered
    all_no = {"csrfmiddlewaretoken": csrf, **answered_form(form.content.decode())}
    assert person.post(f"/checkin/{token}/", all_no).status_code == 200
    assert person.post(f"/checkin/{token}/", all_no).status_code == 409
    assert person.post(f"/c/{printed}", {}).status_code == 403
    assert person.get(f"/checkin/{CANARY}/").status_code == 404
    text = logged(caplog)
    assert f"Conflict: /checkin/{REDACTED}/" in text
    assert (
        f"Unprocessable Content: /checkin/{REDACTED}/" in text or f"Unprocessable Entity: /checkin/{REDACTED}/" in text
    )
    for secret in (token, printed, CANARY):
        assert secret not in text


def test_saved_result_links_and_answers_never_reach_the_log(caplog: pytest.LogCaptureFixture) -> None:
    client = Client()
    result = walk(client, {"setting": {"answer": "home"}, "age": {"answer": "30"}})
    link = client.post("/save/", {"state": state_of(result)})["Location"]
    token = link.split("/")[2]
    assert Client(enforce_csrf_checks=True).post(f"{link}delete/").status_code == 403
    assert client.get(f"/r/{CANARY}/").status_code == 404
    assert client.get(f"/r/{CANARY}/pdf/").status_code == 404
    text = logged(caplog)
    assert f"Not Found: /r/{REDACTED}/" in text
    for secret in (token, CANARY):
        assert secret not in text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('"GET /checkin/abc/ HTTP/1.1" 409', f'"GET /checkin/{REDACTED}/ HTTP/1.1" 409'),
        ("Not Found: /c/7KQ4-M9XW-P2RT", f"Not Found: /c/{REDACTED}"),
        ("http://h/r/tok/pdf/", f"http://h/r/{REDACTED}/pdf/"),
        ("/clinic/password-reset/MQ/abc-123/", f"/clinic/password-reset/{REDACTED}/{REDACTED}/"),
        ('"GET /result/?s=%7B%22answers%22 HTTP/1.1"', f'"GET /result/?s={REDACTED} HTTP/1.1"'),
        ("/clinic/clients/3/?page=2&token=zz", f"/clinic/clients/3/?page=2&token={REDACTED}"),
        ("Not Found: /clinic/clients/3/", "Not Found: /clinic/clients/3/"),
    ],
)
def test_redact(line: str, expected: str) -> None:
    assert redact(line) == expected


def test_the_filter_keeps_every_record_and_leaves_a_malformed_one_to_logging() -> None:
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "%s: %s", ("Gone", "/r/t/"), None)
    assert RedactTokens().filter(record)
    assert (record.getMessage(), record.args) == (f"Gone: /r/{REDACTED}/", ())
    plain = logging.LogRecord("x", logging.WARNING, __file__, 1, "Not Found: %s", ("/sources/",), None)
    assert RedactTokens().filter(plain)
    assert plain.args == ("/sources/",)
    broken = logging.LogRecord("x", logging.WARNING, __file__, 1, "%d", ("not a number",), None)
    assert RedactTokens().filter(broken)
    assert broken.args == ("not a number",)
