"""Invitations: the page a new colleague's link opens, the link shown to the owner without a mail server, resending.

Without a mail server (the default backend writes messages to the server log only) nobody receives
the welcome e-mail, so the Staff page shows its link to the owner, once, with a copy button.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from clinic_factories import actor_for
from needlewise import bootstrap
from needlewise.adapters.mail import LOG_ONLY_BACKEND, delivers
from needlewise.clinic.sign_in import passwords
from needlewise.domain.permissions import Role
from needlewise.errors import ConflictError
from needlewise.storage.models import AuditEntry, StaffMember
from web.clinic.support import Site, body, staff_client

pytestmark = pytest.mark.django_db

COLLEAGUE = {"email": "nadia@alpha.example.org", "display_name": "Nadia New", "role": "nurse"}
SHOWN_LINK = re.compile(
    r'<input type="text" id="invite-link" readonly value="http://testserver(/clinic/password-reset/\S+/)"'
)
NEW = "nadia's own long passphrase"


@pytest.fixture
def no_mail_server(settings):
    settings.EMAIL_BACKEND = LOG_ONLY_BACKEND


def browser() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def shown_link(page: str) -> str:
    found = SHOWN_LINK.search(page)
    assert found, "the Staff page shows the invitation link"
    return found.group(1)


def test_mail_is_delivered_only_once_a_mail_backend_is_set_up(settings):
    settings.EMAIL_BACKEND = LOG_ONLY_BACKEND
    assert not delivers()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert delivers()


@pytest.mark.usefixtures("no_mail_server")
def test_without_a_mail_server_the_owner_is_shown_the_link_with_a_copy_button(site_a: Site):
    page = body(staff_client(site_a.owner).post("/clinic/staff/", COLLEAGUE))
    assert "Nadia New was added." in page
    assert "No mail server is set up, so nothing was sent: give them this link yourself." in page
    assert "It works once, for 60 minutes." in page
    assert 'class="secondary copy-button" data-copy="invite-link" data-copied="Copied" hidden>Copy the link' in page
    link = shown_link(page)

    invitation = body(browser().get(link))
    assert "<h1>Choose your password</h1>" in invitation
    assert "Welcome to Clinic Alpha." in invitation
    assert "Choose a new password" not in invitation
    assert browser().post(link, {"password": NEW, "password_again": NEW})["Location"] == "/clinic/sign-in/?reset=1"
    assert StaffMember.objects.get(user__username=COLLEAGUE["email"]).user.check_password(NEW)


def test_with_a_mail_server_the_link_is_sent_and_not_shown(site_a: Site, delivered_mail):
    page = body(staff_client(site_a.owner).post("/clinic/staff/", COLLEAGUE))
    assert "Nadia New was added. A link to choose a password was sent to them." in page
    assert 'id="invite-link"' not in page
    assert len(delivered_mail) == 1


@pytest.mark.usefixtures("no_mail_server")
def test_resending_makes_a_new_link_and_the_old_one_stops_working(site_a: Site):
    owner = staff_client(site_a.owner)
    first = shown_link(body(owner.post("/clinic/staff/", COLLEAGUE)))
    nadia = StaffMember.objects.get(user__username=COLLEAGUE["email"])
    listing = body(owner.get("/clinic/staff/"))
    assert listing.count("invited: no password yet") == 1  # the others chose theirs
    assert f'action="/clinic/staff/{nadia.pk}/invitation/"' in listing

    page = body(owner.post(f"/clinic/staff/{nadia.pk}/invitation/"))
    assert "A new link was made for Nadia New. Earlier links no longer work." in page
    second = shown_link(page)
    assert second != first
    old = browser().get(first)
    assert old.status_code == 400
    assert "This link is not valid any more" in body(old)
    assert "Choose your password" in body(browser().get(second))
    row = AuditEntry.objects.filter(action="update").order_by("-pk").first()
    assert (row.actor, row.action, row.object_type, row.object_id, row.detail) == (
        f"user:{site_a.owner.user_id}",
        "update",
        "staff",
        str(nadia.pk),
        {"invitation": "resent"},
    )


def test_resending_with_a_mail_server_sends_the_new_link(site_a: Site, delivered_mail):
    owner = staff_client(site_a.owner)
    owner.post("/clinic/staff/", COLLEAGUE)
    nadia = StaffMember.objects.get(user__username=COLLEAGUE["email"])
    page = body(owner.post(f"/clinic/staff/{nadia.pk}/invitation/"))
    assert "A new link was made for Nadia New. Earlier links no longer work." in page
    assert "A link to choose a password was sent to them." in page
    assert [m.to for m in delivered_mail] == [[COLLEAGUE["email"]]] * 2


@pytest.mark.usefixtures("site_b")
def test_no_resend_for_someone_with_a_password_another_clinic_or_a_non_owner(site_a: Site, delivered_mail):
    owner = staff_client(site_a.owner)
    nurse = site_a.members[Role.NURSE]
    has_password = owner.post(f"/clinic/staff/{nurse.pk}/invitation/")
    assert has_password.status_code == 409
    assert "already chosen a password" in body(has_password)
    other = StaffMember.objects.get(user__username="nurse@beta.example.org")
    assert owner.post(f"/clinic/staff/{other.pk}/invitation/").status_code == 404
    assert staff_client(nurse).post(f"/clinic/staff/{nurse.pk}/invitation/").status_code == 403
    assert delivered_mail == []
    assert StaffMember.objects.get(pk=nurse.pk).user.has_usable_password()


def test_a_deactivated_colleague_gets_no_new_link_until_reactivated(site_a: Site, delivered_mail):
    owner = staff_client(site_a.owner)
    nurse = site_a.members[Role.NURSE]
    owner.post(f"/clinic/staff/{nurse.pk}/active/", {"active": "0"})
    with pytest.raises(ConflictError):
        passwords.resend_invitation(
            actor_for(site_a.owner),
            nurse.pk,
            sender=bootstrap.message_sender(),
            link_to=lambda uid, token: f"/{uid}/{token}/",
            mail=passwords.LinkMail("s", "%(link)s"),
        )
    assert "invited: no password yet" not in body(owner.get("/clinic/staff/"))
    assert delivered_mail == []


def test_a_reset_link_names_the_clinic_and_asks_for_a_new_password(site_a: Site, delivered_mail):
    browser().post("/clinic/password-reset/", {"email": site_a.members[Role.NURSE].user.username})
    link = re.search(r"http://testserver(/clinic/password-reset/\S+/)", delivered_mail[0].body).group(1)
    page = body(browser().get(link))
    assert "<h1>Choose a new password</h1>" in page
    assert "For your staff account at Clinic Alpha." in page
    refused = browser().post(link, {"password": "short", "password_again": "short"})
    assert refused.status_code == 422
    assert "For your staff account at Clinic Alpha." in body(refused)


def test_the_public_site_links_to_staff_sign_in_and_the_workspace_does_not_repeat_it(site_a: Site):
    landing = body(browser().get("/"))
    assert '<a href="/clinic/sign-in/">Staff sign-in</a>' in landing
    assert 'href="/clinic/sign-in/">Staff sign-in' in body(browser().get(f"/clinics/{site_a.clinic.slug}/"))
    assert "Staff sign-in" not in body(staff_client(site_a.owner).get("/clinic/"))
    assert "Staff sign-in" not in body(browser().get("/clinic/sign-in/"))
    spanish = body(Client(HTTP_ACCEPT_LANGUAGE="es").get("/"))
    assert "Acceso del personal" in spanish
