"""A request to a clinic as a person's browser sends it (a result's, a home journal's referral), opened by staff."""

from __future__ import annotations

import re

from django.test import Client

from needlewise.domain.permissions import Role
from needlewise.storage.models import ConsultationRequest
from web.clinic.support import Site, signed_in

#: The contact details a person gives with a request.
CONTACT = {
    "given_name": "Ottoline",
    "family_name": "Marchbanks",
    "birth_date": "1988-02-03",
    "email": "otto@example.org",
    "phone": "",
    "message": "Mornings, please.",
}
DIGEST = re.compile(r'name="consent_digest" value="([0-9a-f]{64})"')


def browser(lang: str = "en") -> Client:
    """A fresh browser asking for pages in ``lang``."""
    return Client(HTTP_ACCEPT_LANGUAGE=lang)


def form_of(page: str) -> dict[str, str]:
    """The referral form shown on ``page``, filled in with ``CONTACT`` and consent given."""
    return {**CONTACT, "consent": "yes", "consent_digest": DIGEST.search(page).group(1)}  # type: ignore[union-attr]


def sent_and_opened(
    site: Site, url: str, page: str, role: Role = Role.NURSE, *, langs: tuple[str, str] = ("en", "en")
) -> tuple[int, str]:
    """Send the referral form shown on ``page``; the status and text of its intake page as ``role`` opens it.

    ``langs``: the person's browser's language and the staff member's.
    """
    person, staff = langs
    browser(person).post(url, form_of(page))
    row = ConsultationRequest.objects.get(journal_summary__isnull=False)
    response = signed_in(browser(staff), site.members[role]).get(f"/clinic/intake/{row.pk}/")
    return response.status_code, response.content.decode()
