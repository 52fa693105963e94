"""Adding a colleague whose e-mail address has an account with another clinic does not reveal it (issue 13).

The owner gets the same page, status and staff list as for a new address; the existing account is
neither linked nor changed; the address is told a clinic invited it, with no link; the invitation's
held account never signs in and its link chooses no password.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from needlewise.adapters.mail import LOG_ONLY_BACKEND
from needlewise.clinic.accounts.staff import is_held
from needlewise.clinic.sign_in import passwords
from needlewise.services.ports import OutboundMessage
from needlewise.storage.models import AuditEntry, StaffMember
from web.clinic.support import Site, body, staff_client

pytestmark = pytest.mark.django_db

ELSEWHERE = "owner@beta.example.org"  # clinic B's owner
NEW = "nadia@elsewhere.example.org"
LINK = re.compile(r'value="http://testserver(/clinic/password-reset/[^"]+/)"')
PASSWORD = "a held invitation's own passphrase"  # noqa: S105 - a test password


def _add(site: Site, email: str, name: str) -> tuple[int, str]:
    response = staff_client(site.owner).post("/clinic/staff/", {"email": email, "display_name": name, "role": "nurse"})
    return response.status_code, body(response)


def _added(page: str, email: str, name: str) -> str:
    """The notice and the row of the colleague just added, with their address, name, id and link blanked."""
    shaped = LINK.sub('value="LINK"', page.replace(email, "EMAIL").replace(name, "NAME"))
    shaped = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", re.sub(r"/clinic/staff/\d+/", "/ID/", shaped))
    start = shaped.index('<div class="notice"')
    row = shaped.index("<tr><td>NAME</td>")
    return shaped[start : shaped.index("</div>", start)] + shaped[row : shaped.index("</tr>", row)]


@pytest.mark.parametrize("mail_server", [True, False], ids=["mail-server", "no-mail-server"])
def test_an_address_of_another_clinic_gets_the_answer_a_new_address_gets(
    site_a: Site, site_b: Site, settings, mail_server
):
    del site_b  # made, so that its owner's address has an account
    if not mail_server:
        settings.EMAIL_BACKEND = LOG_ONLY_BACKEND
    theirs = User.objects.get(username=ELSEWHERE)
    before = (theirs.password, theirs.staff.clinic_id, theirs.staff.role)
    new_status, new_page = _add(site_a, NEW, "Nadia New")
    held_status, held_page = _add(site_a, ELSEWHERE, "Barnaby Held")
    assert new_status == held_status == 200
    # the notice and the new colleague's row read the same, but for the address, the name and the link
    assert _added(held_page, ELSEWHERE, "Barnaby Held") == _added(new_page, NEW, "Nadia New")
    assert "Barnaby Held was added." in held_page
    assert "an account with this e-mail address already exists" not in held_page
    theirs.refresh_from_db()
    assert (theirs.password, theirs.staff.clinic_id, theirs.staff.role) == before  # never linked or changed
    held = StaffMember.objects.get(clinic=site_a.clinic, display_name="Barnaby Held")
    assert is_held(held.user)
    assert held.user.email == ELSEWHERE
    assert not held.user.has_usable_password()
    rows = AuditEntry.objects.filter(action="create", object_type="staff", clinic_id=site_a.clinic.pk)
    assert sorted(str(r.detail) for r in rows.order_by("-pk")[:2]) == sorted([str({"role": "nurse"})] * 2)


def test_the_address_is_told_of_the_invitation_without_a_link(site_a: Site, site_b: Site, delivered_mail):
    del site_b
    _add(site_a, ELSEWHERE, "Barnaby Held")
    (mail,) = delivered_mail
    assert mail.to == [ELSEWHERE]
    assert mail.subject == "A clinic invited you to needlewise"
    assert "Clinic Alpha added this e-mail address to its staff" in mail.body
    assert "already has a needlewise account with another clinic" in mail.body
    assert "http" not in mail.body
    held = StaffMember.objects.get(display_name="Barnaby Held")
    owner = staff_client(site_a.owner)
    assert owner.post(f"/clinic/staff/{held.pk}/invitation/").status_code == 200  # sent again, the same way
    assert [m.subject for m in delivered_mail] == ["A clinic invited you to needlewise"] * 2


def test_the_held_link_opens_like_an_invitation_and_chooses_no_password(site_a: Site, site_b: Site, settings):
    del site_b
    settings.EMAIL_BACKEND = LOG_ONLY_BACKEND
    _, page = _add(site_a, ELSEWHERE, "Barnaby Held")
    link = LINK.search(page)
    assert link
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    opened = visitor.get(link.group(1))
    assert opened.status_code == 200
    assert "Welcome to Clinic Alpha." in body(opened)
    refused = visitor.post(link.group(1), {"password": PASSWORD, "password_again": PASSWORD})
    assert refused.status_code == 400
    held = StaffMember.objects.get(display_name="Barnaby Held").user
    assert not held.has_usable_password()
    assert not User.objects.get(username=ELSEWHERE).check_password(PASSWORD)
    signing_in = visitor.post("/clinic/sign-in/", {"email": ELSEWHERE, "password": PASSWORD})
    assert signing_in.status_code != 302  # neither account opens with it


def test_an_address_already_on_this_clinics_staff_is_still_refused(site_a: Site, site_b: Site):
    del site_b
    _add(site_a, ELSEWHERE, "Barnaby Held")
    status, page = _add(site_a, ELSEWHERE.upper(), "Barnaby Again")
    assert status == 422
    assert "an account with this e-mail address already exists" in page
    assert StaffMember.objects.filter(clinic=site_a.clinic, user__email=ELSEWHERE).count() == 1


def test_a_held_account_without_held_wording_is_sent_nothing(site_a: Site, site_b: Site):
    del site_b
    _add(site_a, ELSEWHERE, "Barnaby Held")
    held = StaffMember.objects.get(display_name="Barnaby Held").user
    sent: list[OutboundMessage] = []

    class Sender:
        def send(self, message: OutboundMessage) -> None:
            sent.append(message)

    link = passwords.send_password_link(
        Sender(), held, lambda uid, token: f"/x/{uid}/{token}/", passwords.LinkMail("s", "%(link)s")
    )
    assert link.startswith("/x/")
    assert sent == []
