"""Break-glass on the client page, and the owners' list on the Audit page."""

from __future__ import annotations

import pytest

from needlewise.domain.permissions import Role
from needlewise.storage.models import EmergencyAccess
from web.clinic.support import Site, staff_client

pytestmark = pytest.mark.django_db

REASON = "Client fainted in the waiting room; paramedics ask what she was screened for."
HIDDEN = "shown to clinical staff only"


def test_front_desk_opens_the_health_record_with_a_reason_and_the_owner_sees_it(site_a: Site):
    desk, url = staff_client(site_a.members[Role.FRONT_DESK]), f"/clinic/clients/{site_a.client.pk}/"
    before = desk.get(url).content.decode()
    assert HIDDEN in before
    assert "Emergency access" in before
    response = desk.post(f"{url}emergency/", {"reason": REASON})
    assert (response.status_code, response["Location"]) == (302, url)
    after = desk.get(url).content.decode()
    assert HIDDEN not in after
    assert "Emergency access until" in after
    audit = staff_client(site_a.owner).get("/clinic/audit/").content.decode()
    assert REASON in audit
    assert site_a.members[Role.FRONT_DESK].display_name in audit


def test_a_short_reason_is_explained_and_opens_nothing(site_a: Site):
    desk = staff_client(site_a.members[Role.FRONT_DESK])
    response = desk.post(f"/clinic/clients/{site_a.client.pk}/emergency/", {"reason": "urgent"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Write why, in at least 20 characters." in page
    assert 'aria-invalid="true"' in page
    assert not EmergencyAccess.objects.exists()


def test_a_clinical_role_is_simply_shown_the_record(site_a: Site):
    nurse = staff_client(site_a.members[Role.NURSE])
    page = nurse.get(f"/clinic/clients/{site_a.client.pk}/").content.decode()
    assert "Emergency access" not in page
    response = nurse.post(f"/clinic/clients/{site_a.client.pk}/emergency/", {"reason": REASON})
    assert response.status_code == 302
    assert not EmergencyAccess.objects.exists()


def test_the_owners_list_says_when_there_is_none(site_a: Site):
    assert "No one has used emergency access" in staff_client(site_a.owner).get("/clinic/audit/").content.decode()
