"""Password reset by one-time link, and the mailer that writes e-mails to the server log."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pyotp
import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import signals
from django.core.mail import EmailMessage
from django.db import close_old_connections, connection
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from needlewise import bootstrap
from needlewise.domain.permissions import Role
from needlewise.storage.models import AuditEntry, LoginFailure
from needlewise.web.mail import LogEmailBackend
from needlewise.web.views import clinic_password
from web.clinic.support import PASSWORD, Site, plain_user, staff_client, without_tokens

pytestmark = pytest.mark.django_db

RESET = "/clinic/password-reset/"
NEW = "a brand new passphrase 77"
SENT = "If a staff account uses that address, a one-time link to choose a new password is on its way."
NOT_VALID = "This link is not valid any more"
LINK = re.compile(r"http://testserver(/clinic/password-reset/[^/\s]+/[^/\s]+/)")


def browser() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def request_link(email: str) -> str:
    response = browser().post(RESET, {"email": email})
    assert response.status_code == 200
    return response.content.decode()


def link_from(delivered_mail) -> str:
    (message,) = delivered_mail
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def test_the_reset_page_asks_for_an_address(client):
    page = client.get(RESET).content.decode()
    assert 'name="email"' in page
    assert SENT not in page


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(site_a: Site, delivered_mail):
    known = request_link(site_a.members[Role.NURSE].user.username)
    unknown = request_link("nobody@alpha.example.org")
    assert SENT in known
    assert without_tokens(known) == without_tokens(unknown)
    assert len(delivered_mail) == 1


def test_an_address_no_account_can_have_gets_the_same_answer_and_no_link(site_a: Site, delivered_mail, settings):
    settings.PUBLIC_LIMITS = {**settings.PUBLIC_LIMITS, "reset_account": (100, 3600)}  # counted, never reached
    known = site_a.members[Role.NURSE].user.username
    for email in (known + "\x00", known + "\u200b", "n" * 300 + "@alpha.example.org"):  # a NUL: a 500 on PostgreSQL
        assert without_tokens(request_link(email)) == without_tokens(request_link("nobody@alpha.example.org"))
    assert len(delivered_mail) == 0
    counted = {key for key in LoginFailure.objects.values_list("key", flat=True) if key.startswith("reset-account:")}
    assert len(counted) == 4
    assert all(key.startswith("reset-account:sha256:") for key in counted - {"reset-account:nobody@alpha.example.org"})


def test_a_known_address_gets_a_one_hour_link(site_a: Site, delivered_mail):
    nurse = site_a.members[Role.NURSE]
    request_link(" Nurse@Alpha.example.org ")
    (message,) = delivered_mail
    assert message.to == [nurse.user.email]
    assert message.subject == "Your needlewise password"
    assert "within 60 minutes" in message.body
    assert LINK.search(message.body)
    row = AuditEntry.objects.exclude(object_type="message").order_by("-pk").first()
    assert (row.action, row.object_type, row.object_id) == ("reset_requested", "staff", str(nurse.user_id))


def test_no_link_for_an_account_that_is_not_staff_or_is_deactivated(site_a: Site, delivered_mail):
    request_link(plain_user().username)
    nurse = site_a.members[Role.NURSE]
    nurse.user.is_active = False
    nurse.user.save(update_fields=["is_active"])
    request_link(nurse.user.username)
    assert delivered_mail == []


def test_the_link_sets_a_new_password_once(site_a: Site, delivered_mail):
    nurse = site_a.members[Role.NURSE]
    request_link(nurse.user.username)
    link, client = link_from(delivered_mail), browser()
    assert 'name="password_again"' in client.get(link).content.decode()

    response = client.post(link, {"password": NEW, "password_again": NEW})
    assert (response.status_code, response["Location"]) == (302, "/clinic/sign-in/?reset=1")
    assert "Your password is changed. Sign in with it." in client.get(response["Location"]).content.decode()
    row = AuditEntry.objects.order_by("-pk").first()
    assert (row.action, row.object_id) == ("password_reset", str(nurse.user_id))

    signed_in = browser().post("/clinic/sign-in/", {"email": nurse.user.username, "password": NEW})
    assert (signed_in.status_code, signed_in["Location"]) == (302, "/clinic/sign-in/second-factor/?next=/clinic/")
    assert browser().post("/clinic/sign-in/", {"email": nurse.user.username, "password": PASSWORD}).status_code == 401

    for second_use in (client.get(link), client.post(link, {"password": "x" + NEW, "password_again": "x" + NEW})):
        assert second_use.status_code == 400
        assert NOT_VALID in second_use.content.decode()


def test_a_reset_ends_the_sessions_signed_in_with_the_old_password(site_a: Site, delivered_mail):
    nurse = site_a.members[Role.NURSE]
    old_session = staff_client(nurse)
    request_link(nurse.user.username)
    browser().post(link_from(delivered_mail), {"password": NEW, "password_again": NEW})
    assert old_session.get("/clinic/")["Location"] == "/clinic/sign-in/?next=%2Fclinic%2F"


@pytest.mark.parametrize(
    ("password", "again", "message"),
    [
        (NEW, NEW + "!", "The two new passwords are not the same."),
        ("short 1", "short 1", "This password is too short."),
        ("password1234", "password1234", "This password is too common."),
        ("nurse@alpha.example.org", "nurse@alpha.example.org", "The password is too similar to the"),
    ],
)
def test_a_refused_new_password_is_explained_and_the_link_still_works(
    site_a: Site, delivered_mail, password, again, message
):
    nurse = site_a.members[Role.NURSE]
    request_link(nurse.user.username)
    link, client = link_from(delivered_mail), browser()
    response = client.post(link, {"password": password, "password_again": again})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert client.post(link, {"password": NEW, "password_again": NEW}).status_code == 302


@pytest.mark.parametrize(
    ("uid", "token"),
    [
        ("!!!!", "abc-def"),  # not base64
        ("enp6", "abc-def"),  # base64 of "zzz": not a number
        (urlsafe_base64_encode(force_bytes(987654)), "abc-def"),  # no such account
    ],
)
def test_a_garbled_link_is_not_valid(uid, token):
    for response in (browser().get(f"{RESET}{uid}/{token}/"), browser().post(f"{RESET}{uid}/{token}/", {})):
        assert response.status_code == 400
        assert NOT_VALID in response.content.decode()


def test_a_link_with_a_wrong_token_is_not_valid(site_a: Site):
    uid = urlsafe_base64_encode(force_bytes(site_a.members[Role.NURSE].user_id))
    response = browser().get(f"{RESET}{uid}/{'a' * 6}-{'b' * 32}/")
    assert response.status_code == 400


def test_a_link_for_another_account_does_not_carry_over(site_a: Site):
    nurse, provider = site_a.members[Role.NURSE], site_a.members[Role.PROVIDER]
    uid = urlsafe_base64_encode(force_bytes(provider.user_id))
    token = default_token_generator.make_token(nurse.user)
    assert browser().get(f"{RESET}{uid}/{token}/").status_code == 400


def test_a_reset_does_not_skip_the_second_factor(site_a: Site, delivered_mail):
    owner = site_a.owner
    owner.totp_secret = pyotp.random_base32(32)
    owner.save(update_fields=["totp_secret"])
    request_link(owner.user.username)
    browser().post(link_from(delivered_mail), {"password": NEW, "password_again": NEW})
    client = browser()
    response = client.post("/clinic/sign-in/", {"email": owner.user.username, "password": NEW})
    assert response["Location"] == "/clinic/sign-in/code/?next=/clinic/"
    assert client.get("/clinic/").status_code == 302
    assert client.post("/clinic/sign-in/code/", {"code": pyotp.TOTP(owner.totp_secret).now()}).status_code == 302
    assert client.get("/clinic/").status_code == 200


def test_the_default_mailer_logs_no_link_outside_development(site_a: Site, caplog, deliver_queue):
    with override_settings(EMAIL_BACKEND="needlewise.web.mail.LogEmailBackend"), caplog.at_level(logging.DEBUG):
        request_link(site_a.members[Role.NURSE].user.username)
        deliver_queue()
    (record,) = [r for r in caplog.records if r.name == "needlewise.mail"]
    assert record.getMessage() == (
        "mail to nurse@alpha.example.org: Your needlewise password"
        " (not sent: no mail server is set up; body not logged)"
    )
    assert "password-reset/" not in caplog.text


def test_in_development_the_default_mailer_logs_the_whole_message(site_a: Site, caplog, deliver_queue):
    backend = "needlewise.web.mail.LogEmailBackend"
    with override_settings(EMAIL_BACKEND=backend, DEBUG=True), caplog.at_level(logging.INFO):
        request_link(site_a.members[Role.NURSE].user.username)
        deliver_queue()
    (record,) = [r for r in caplog.records if r.name == "needlewise.mail"]
    text = record.getMessage()
    assert text.startswith("mail to nurse@alpha.example.org: Your needlewise password\n")
    assert "/clinic/password-reset/[redacted]/[redacted]/" in text  # the log still hides its token


def test_the_default_mailer_counts_every_message_as_sent():
    messages = [EmailMessage("s", "b", "from@example.org", [f"to{n}@example.org"]) for n in range(3)]
    assert LogEmailBackend().send_messages(messages) == 3
    assert LogEmailBackend().send_messages([]) == 0


# --- limits and timing (security review L5) ---


def reset_request(email: str, address: str = "198.51.100.60"):
    request = RequestFactory().post(RESET, {"email": email}, REMOTE_ADDR=address)
    request.META["NEEDLEWISE_REQUEST_ID"] = "req-reset"
    return request


def test_links_to_one_account_are_limited_whoever_asks(site_a: Site, delivered_mail, settings):
    nurse, limit = site_a.members[Role.NURSE].user.username, 3
    settings.PUBLIC_LIMITS = {**settings.PUBLIC_LIMITS, "reset_account": (limit, 3600)}
    for n in range(limit + 2):
        assert browser().post(RESET, {"email": nurse}, REMOTE_ADDR=f"198.51.100.{n}").status_code == 200
    assert len(delivered_mail) == limit
    for _ in range(limit + 2):
        request_link("nobody@alpha.example.org")  # unknown addresses are counted the same way
    assert LoginFailure.objects.filter(key="reset-account:nobody@alpha.example.org").count() == limit


@pytest.fixture
def _keep_the_test_connection() -> Iterator[None]:
    """Closing a response by hand sends ``request_finished``, whose ``close_old_connections`` would end the
    test's transaction on PostgreSQL; Django's test client disconnects it the same way around its requests."""
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("_keep_the_test_connection")
def test_the_answer_does_the_same_work_for_known_and_unknown_addresses_and_mails_after_it(site_a: Site, delivered_mail):
    answers, responses = [], []
    for email in (site_a.members[Role.NURSE].user.username, "nobody@alpha.example.org"):
        with CaptureQueriesContext(connection) as queries:
            responses.append(clinic_password.password_reset(reset_request(email)))
        answers.append((responses[-1].status_code, len(queries), without_tokens(responses[-1].content.decode())))
    assert delivered_mail == []  # nothing is looked up or sent before the answer has gone
    assert answers[0] == answers[1]
    for response in responses:
        response.close()
    assert len(delivered_mail) == 1
    assert delivered_mail[0].to == [site_a.members[Role.NURSE].user.email]


@pytest.mark.usefixtures("_keep_the_test_connection")
def test_a_mail_that_cannot_go_after_the_answer_is_logged_without_the_address(site_a: Site, caplog, monkeypatch):
    class Broken:
        def send(self, message) -> None:
            raise ConnectionRefusedError(message.to)

    monkeypatch.setattr(bootstrap, "message_sender", Broken)
    seq = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    response = clinic_password.password_reset(reset_request(site_a.members[Role.NURSE].user.username))
    with caplog.at_level(logging.ERROR, logger="needlewise.after_response"):
        response.close()
        response.close()  # the work runs once
    assert [r.getMessage() for r in caplog.records] == ["work after the response failed: ConnectionRefusedError"]
    assert not AuditEntry.objects.filter(pk__gt=seq, action="reset_requested").exists()
