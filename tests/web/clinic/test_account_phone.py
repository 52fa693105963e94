"""Staff set their own mobile number for red-flag alerts on their account page; the owner sees it on the Staff page."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from needlewise.domain.permissions import Role
from needlewise.storage.models import AuditEntry, StaffMember
from web.clinic.support import Site, signed_in, staff_client

pytestmark = pytest.mark.django_db

ACCOUNT = "/clinic/account/"
LONG = "(600) " + "- " * 20 + "111"  # 6 digits, but over 40 characters


def phone_of(member: StaffMember) -> str:
    return StaffMember.objects.get(pk=member.pk).alert_phone


def phone_rows() -> list[dict[str, object]]:
    return [e.detail for e in AuditEntry.objects.filter(action="update", object_type="staff").order_by("seq")]


def test_a_nurse_sets_their_mobile_number_on_the_account_page_and_it_is_audited_without_it(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    client = staff_client(nurse)
    page = client.get(ACCOUNT).content.decode()
    assert "Red-flag alerts by text message" in page
    assert 'id="f-alert_phone"' in page
    assert 'value=""' in page
    response = client.post(ACCOUNT, {"form": "alert_phone", "alert_phone": "  +34 600-333 (444) "})
    assert (response.status_code, response["Location"]) == (302, "/clinic/account/?phone=set")
    assert phone_of(nurse) == "+34 600-333 (444)"
    page = client.get(response["Location"]).content.decode()
    assert "Your mobile number for alerts is saved." in page
    assert 'value="+34 600-333 (444)"' in page
    assert phone_rows() == [{"alert_phone": "set"}]
    entry = AuditEntry.objects.filter(action="update", object_type="staff").get()
    assert (entry.object_id, entry.outcome) == (str(nurse.pk), "success")
    assert "600" not in str(entry.detail)


def test_a_practitioner_clears_their_number_in_spanish(site_a: Site):
    provider = site_a.members[Role.PROVIDER]
    StaffMember.objects.filter(pk=provider.pk).update(alert_phone="600 111 222")
    client = signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), provider)
    page = client.get(ACCOUNT).content.decode()
    assert "Alertas de señales de alarma por mensaje de texto" in page
    assert "Teléfono móvil para alertas" in page
    assert 'value="600 111 222"' in page
    response = client.post(ACCOUNT, {"form": "alert_phone", "alert_phone": "   "})
    assert response["Location"] == "/clinic/account/?phone=cleared"
    assert phone_of(provider) == ""
    page = client.get(response["Location"]).content.decode()
    assert "Tu número de móvil para alertas se ha quitado" in page
    assert phone_rows() == [{"alert_phone": "cleared"}]


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "enter a phone number of 6 to 20 digits"),
        ("es", "escribe un número de teléfono de 6 a 20 dígitos"),
    ],
)
@pytest.mark.parametrize(
    "typed", ["12345", "call me", "+34 600 111 222 333 444 555 666", "(600) " + "- " * 20 + "111 222"]
)
def test_a_bad_number_is_refused_at_its_field_and_changes_nothing(site_a: Site, language, words, typed):
    nurse = site_a.members[Role.NURSE]
    StaffMember.objects.filter(pk=nurse.pk).update(alert_phone="600 111 222")
    client = signed_in(Client(HTTP_ACCEPT_LANGUAGE=language), nurse)
    response = client.post(ACCOUNT, {"form": "alert_phone", "alert_phone": typed})
    assert response.status_code == 422
    page = html.unescape(response.content.decode())
    assert f'<p class="error" id="f-alert_phone-error-1">{words}' in page.lower()
    assert 'aria-invalid="true"' in page
    assert f'value="{typed}"' in page  # kept as typed, to correct
    assert phone_of(nurse) == "600 111 222"
    assert phone_rows() == []


def test_the_owner_sees_each_colleague_s_number_on_the_staff_page(site_a: Site):
    StaffMember.objects.filter(pk=site_a.members[Role.NURSE].pk).update(alert_phone="+34 600 333 444")
    page = staff_client(site_a.owner).get("/clinic/staff/").content.decode()
    assert '<th scope="col">Mobile for alerts</th>' in page
    assert "<td>+34 600 333 444</td>" in page
    assert page.count("<td>none: e-mail only</td>") == len(Role) - 1
    spanish = signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), site_a.owner).get("/clinic/staff/").content.decode()
    assert "Móvil para alertas" in spanish
    assert "ninguno: solo correo electrónico" in spanish
