"""The Messages page: owners see the clinic's messages without their text, filter them, and resend a failed one."""

from __future__ import annotations

import pytest
from django.test import Client

from needlewise.adapters.mail import LOG_ONLY_BACKEND
from needlewise.clinic import messages
from needlewise.clinic.access.actor import Actor
from needlewise.domain.permissions import Role
from needlewise.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from needlewise.storage.models import AuditEntry, QueuedMessage
from web.clinic.messages_support import failed_message, queued_message
from web.clinic.support import Site, actor_for, body, staff_client

pytestmark = pytest.mark.django_db

ALLOWED = [Role.OWNER]
REFUSED = [Role.PROVIDER, Role.NURSE, Role.AESTHETICIAN, Role.FRONT_DESK]


def owner_of(site: Site) -> Client:
    return staff_client(site.members[Role.OWNER])


def test_the_owner_sees_each_message_without_its_text_and_with_masked_addresses(site_a: Site, site_b: Site):
    failed = failed_message(site_a.clinic.pk, "a:failed")
    queued_message(site_a.clinic.pk, "a:retrying", "retrying", attempts=2, last_error="ConnectionRefusedError")
    queued_message(site_a.clinic.pk, "a:sent", "sent", attempts=1)
    failed_message(site_b.clinic.pk, "b:failed")
    page = body(owner_of(site_a).get("/clinic/messages/"))
    assert page.count("<tr data-status=") == 3  # the other clinic's message is not listed
    for status in ("failed", "retrying", "sent"):
        assert f'data-status="{status}"' in page
    assert "n…@example.org, p…@example.org" in page
    assert "check-in alert to staff" in page
    assert "the mail server refused the message (code 554)" in page
    assert "the mail server could not be reached" in page
    assert f"/clinic/messages/{failed.pk}/resend/" in page
    for private in ("nurse.quill", "secret-link-words", "A check-in needs attention"):
        assert private not in page


def test_the_list_filters_by_status_and_refuses_an_unknown_one(site_a: Site):
    failed_message(site_a.clinic.pk, "a:failed")
    queued_message(site_a.clinic.pk, "a:sent", "sent", attempts=1)
    browser = owner_of(site_a)
    page = body(browser.get("/clinic/messages/?status=sent"))
    assert (page.count("<tr data-status="), 'data-status="sent"' in page) == (1, True)
    assert '<option value="sent" selected>' in page
    assert "No messages here." in body(browser.get("/clinic/messages/?status=queued"))
    assert browser.get("/clinic/messages/?status=lost").status_code == 400


def test_resending_a_failed_message_queues_it_again_on_the_record(site_a: Site):
    failed = failed_message(site_a.clinic.pk, "a:failed")
    browser = owner_of(site_a)
    response = browser.post(f"/clinic/messages/{failed.pk}/resend/")
    assert (response.status_code, response["Location"]) == (302, f"/clinic/messages/?resent={failed.pk}")
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.lease_until) == ("queued", 0, None)
    entry = AuditEntry.objects.get(action="message_resend")
    assert (entry.object_id, entry.outcome, entry.detail) == (
        str(failed.pk),
        "success",
        {"purpose": "staff_alert", "recipients": 2},
    )
    page = body(browser.get(response["Location"]))
    assert "The message is queued again" in page
    assert browser.post(f"/clinic/messages/{failed.pk}/resend/").status_code == 409  # only a failed one


def test_another_clinics_message_is_not_found(site_a: Site, site_b: Site):
    other = failed_message(site_b.clinic.pk, "b:failed")
    assert owner_of(site_a).post(f"/clinic/messages/{other.pk}/resend/").status_code == 404
    assert QueuedMessage.objects.get(pk=other.pk).status == "failed"


@pytest.mark.parametrize("role", REFUSED)
def test_roles_that_do_not_manage_staff_are_refused(site_a: Site, role: Role):
    failed = failed_message(site_a.clinic.pk, "a:failed")
    browser = staff_client(site_a.members[role])
    assert browser.get("/clinic/messages/").status_code == 403
    assert browser.post(f"/clinic/messages/{failed.pk}/resend/").status_code == 403
    assert QueuedMessage.objects.get(pk=failed.pk).status == "failed"
    assert 'href="/clinic/messages/"' not in body(browser.get("/clinic/"))


@pytest.mark.parametrize("role", ALLOWED)
def test_a_failed_message_shows_on_every_workspace_page_for_the_owner(site_a: Site, role: Role):
    browser = staff_client(site_a.members[role])
    assert "could not be sent" not in body(browser.get("/clinic/"))
    failed_message(site_a.clinic.pk, "a:failed")
    for path in ("/clinic/", "/clinic/clients/", "/clinic/staff/"):
        page = body(browser.get(path))
        assert "1 message could not be sent" in page
        assert 'href="/clinic/messages/?status=failed"' in page
    nurse = staff_client(site_a.members[Role.NURSE])
    assert "could not be sent" not in body(nurse.get("/clinic/"))


def test_an_old_failure_leaves_the_banner(site_a: Site):
    from datetime import timedelta  # noqa: PLC0415 - only this test moves the clock

    from django.utils import timezone  # noqa: PLC0415 - only this test moves the clock

    failed = failed_message(site_a.clinic.pk, "a:failed")
    QueuedMessage.objects.filter(pk=failed.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert "could not be sent" not in body(owner_of(site_a).get("/clinic/"))


def test_the_page_is_in_spanish(site_a: Site):
    failed_message(site_a.clinic.pk, "a:failed")
    browser = owner_of(site_a)
    page = body(browser.get("/clinic/messages/", HTTP_ACCEPT_LANGUAGE="es"))
    assert "Mensajes" in page
    assert "Reenviar" in page


def test_the_use_cases_guard_and_word_what_they_return(site_a: Site):
    owner = actor_for(site_a.members[Role.OWNER])
    with pytest.raises(InvalidInputError):
        messages.clinic_messages(owner, "lost")
    with pytest.raises(NotFoundError):
        messages.resend(owner, 987654)
    sent = queued_message(site_a.clinic.pk, "a:sent", "sent", attempts=1)
    with pytest.raises(ConflictError):
        messages.resend(owner, sent.pk)
    with pytest.raises(NotAllowedError):
        messages.clinic_messages(actor_for(site_a.members[Role.FRONT_DESK]))
    assert messages.failed_message_count_for(Actor.system("worker")) is None
    assert messages.masked("no-at-sign") == "…"
    assert messages.error_words("") == ""
    assert messages.error_words("SMTPNotSupportedError") == "the message could not be handed to the mail server"
    (row,) = messages.clinic_messages(owner)
    assert (row.status, row.next_attempt_at, row.error, row.error_code) == ("sent", None, "", "")


@pytest.mark.parametrize(
    ("backend", "debug", "shown"),
    [
        (LOG_ONLY_BACKEND, False, True),
        (LOG_ONLY_BACKEND, True, False),
        ("django.core.mail.backends.smtp.EmailBackend", False, False),
    ],
)
def test_a_missing_mail_server_is_an_error_on_the_settings_and_messages_pages_outside_development(
    site_a: Site, settings, backend: str, debug: bool, shown: bool
):
    settings.EMAIL_BACKEND, settings.DEBUG = backend, debug
    browser = owner_of(site_a)
    for path in ("/clinic/settings/", "/clinic/messages/"):
        page = body(browser.get(path))
        assert ('id="mail-missing"' in page) == shown
        assert ("No mail server is set up." in page) == shown
    if shown:
        spanish = body(browser.get("/clinic/settings/", HTTP_ACCEPT_LANGUAGE="es"))
        assert "No hay ningún servidor de correo configurado." in spanish


def test_invitations_are_listed_with_the_inviting_clinic(site_a: Site, site_b: Site):
    owner = owner_of(site_a)
    owner.post("/clinic/staff/", {"email": "nadia@alpha.example.org", "display_name": "Nadia New", "role": "nurse"})
    elsewhere = site_b.owner.user.email  # an address with an account at another clinic: told without a link
    owner.post("/clinic/staff/", {"email": elsewhere, "display_name": "Barnaby Held", "role": "nurse"})
    listed = {(m.purpose, m.clinic_id) for m in QueuedMessage.objects.all()}
    assert listed == {("password_link", site_a.clinic.pk), ("invitation", site_a.clinic.pk)}
    page = body(owner.get("/clinic/messages/"))
    assert ("invitation or password link" in page, "<td>invitation</td>" in page) == (True, True)
    assert "n…@alpha.example.org" in page
    assert "nadia@alpha" not in page
