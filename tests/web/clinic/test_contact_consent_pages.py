"""Consent to be contacted (issue 14): read and recorded on the client page, the new-client form and the API."""

from __future__ import annotations

import orjson
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from needlewise.clinic.contact import answers, consent_to_contact
from needlewise.domain.permissions import Role
from needlewise.domain.statuses import Channel, ContactMethod
from needlewise.errors import InvalidInputError
from needlewise.storage.models import AuditEntry, ContactConsent
from needlewise.storage.models import Client as ClientRow
from web.clinic.support import Site, signed_in, staff_client

pytestmark = pytest.mark.django_db
API = "/api/v1/clinic/clients/{}/contact-consent"


@pytest.fixture(autouse=True)
def english_after():
    yield
    translation.deactivate()


def _page(browser: Client, site: Site) -> str:
    response = browser.get(f"/clinic/clients/{site.client.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _row(page: str, channel: str) -> str:
    start = page.index(f'<tr data-channel="{channel}">')
    return page[start : page.index("</tr>", start)]


def test_a_client_never_asked_agrees_to_nothing(site_a: Site):
    page = _page(staff_client(site_a.members[Role.FRONT_DESK]), site_a)
    assert "Messages to the client" in page
    assert "No: not asked yet" in _row(page, "email")
    assert "No: not asked yet" in _row(page, "sms")


def test_staff_record_an_answer_and_the_page_shows_it_with_its_history(site_a: Site):
    desk = site_a.members[Role.FRONT_DESK]
    browser = staff_client(desk)
    url = f"/clinic/clients/{site_a.client.pk}/contact-consent/"
    for granted, method in (("1", "on_paper"), ("0", "by_phone")):
        response = browser.post(url, {"channel": "sms", "granted": granted, "method": method})
        assert response.status_code == 302
        assert response["Location"] == f"/clinic/clients/{site_a.client.pk}/#contact"
    page = _page(browser, site_a)
    sms = _row(page, "sms")
    assert "<td>No</td>" in sms
    assert "by phone" in sms
    assert desk.display_name in sms
    assert "Every answer (2)" in page
    assert "agrees, on paper" in page
    assert "does not agree, by phone" in page
    assert not consent_to_contact.standing(site_a.client.pk)[Channel.SMS].granted
    entry = AuditEntry.objects.filter(object_type="contact_consent", action="record").latest("pk")
    assert entry.detail == {"channel": "sms", "granted": False, "method": "by_phone"}


def test_the_page_speaks_spanish(site_a: Site):
    consent_to_contact.record(
        site_a.actor(Role.NURSE), site_a.client.pk, Channel.EMAIL, granted=True, method=ContactMethod.BY_EMAIL
    )
    browser = signed_in(Client(HTTP_ACCEPT_LANGUAGE="es"), site_a.members[Role.NURSE])
    page = _page(browser, site_a)
    assert "Mensajes al cliente" in page
    email = _row(page, "email")
    assert "<td>Sí</td>" in email
    assert "por correo electrónico" in email
    assert "No: aún no se le ha preguntado" in _row(page, "sms")


def test_the_client_s_own_withdrawal_says_so(site_a: Site):
    consent_to_contact.said_by_client(
        site_a.actor(Role.NURSE),
        site_a.client.pk,
        site_a.clinic.pk,
        Channel.EMAIL,
        granted=False,
        method=ContactMethod.UNSUBSCRIBE_LINK,
    )
    email = _row(_page(staff_client(site_a.owner), site_a), "email")
    assert "the client" in email
    assert "by the unsubscribe link of an e-mail" in email


@pytest.mark.parametrize(
    ("posted", "fields"),
    [
        ({"channel": "fax", "granted": "1", "method": "in_person"}, {"channel"}),
        ({"channel": "sms", "granted": "maybe", "method": "in_person"}, {"granted"}),
        ({"channel": "sms", "granted": "1", "method": "unsubscribe_link"}, {"method"}),
        ({}, {"channel", "granted", "method"}),
    ],
)
def test_a_wrong_answer_is_refused_naming_the_field(site_a: Site, posted, fields):
    browser = staff_client(site_a.members[Role.NURSE])
    response = browser.post(f"/clinic/clients/{site_a.client.pk}/contact-consent/", posted)
    assert response.status_code == 422
    page = response.content.decode()
    for field in ("channel", "granted", "method"):
        assert (f'id="f-contact-{field}-error-1"' in page) == (field in fields)
    assert not ContactConsent.objects.exists()
    with pytest.raises(InvalidInputError):
        answers.parse(posted.get("channel", ""), posted.get("granted", ""), posted.get("method", ""))


def test_a_client_of_another_clinic_is_not_found(site_a: Site, site_b: Site):
    browser = staff_client(site_a.members[Role.NURSE])
    posted = {"channel": "sms", "granted": "1", "method": "in_person"}
    assert browser.post(f"/clinic/clients/{site_b.client.pk}/contact-consent/", posted).status_code == 404
    assert not ContactConsent.objects.exists()


NEW = {"given_name": "Newton", "family_name": "Figtree", "birth_date": "1985-01-02", "email": "n@example.org"}


def test_the_new_client_form_records_the_ticked_boxes_as_said_in_person(site_a: Site):
    desk = site_a.members[Role.FRONT_DESK]
    browser = staff_client(desk)
    assert "Agrees to be contacted by SMS" in browser.get("/clinic/clients/new/").content.decode()
    response = browser.post("/clinic/clients/new/", {**NEW, "agrees_email": "1"})
    assert response.status_code == 302
    client = ClientRow.objects.get(given_name="Newton")
    rows = list(ContactConsent.objects.filter(client=client))
    assert [(r.channel, r.granted, r.method, r.recorded_by_id) for r in rows] == [
        ("email", True, "in_person", desk.user_id)
    ]
    edit = browser.get(f"/clinic/clients/{client.pk}/edit/").content.decode()
    assert "Agrees to be contacted by SMS" not in edit  # said once, when the client is added


def test_the_new_client_form_without_boxes_records_nothing(site_a: Site):
    assert staff_client(site_a.owner).post("/clinic/clients/new/", NEW).status_code == 302
    assert not ContactConsent.objects.exists()


# --- the API ---


def _post(browser: Client, client_id: int, body: object):
    return browser.post(API.format(client_id), orjson.dumps(body), content_type="application/json")


def test_the_api_records_and_reads_the_answers(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    browser = staff_client(nurse)
    before = browser.get(API.format(site_a.client.pk)).json()
    assert before == {
        "standing": [
            {"channel": "email", "granted": False, "answer": None},
            {"channel": "sms", "granted": False, "answer": None},
        ],
        "history": [],
    }
    created = _post(browser, site_a.client.pk, {"channel": "sms", "granted": False, "method": "by_phone"})
    assert created.status_code == 201
    _post(browser, site_a.client.pk, {"channel": "email", "granted": True, "method": "on_paper"})
    after = browser.get(API.format(site_a.client.pk)).json()
    email, sms = after["standing"]
    assert email["granted"] is True
    assert email["answer"]["method"] == "on_paper"
    assert sms["granted"] is False
    assert sms["answer"]["recorded_by"] == nurse.display_name
    assert sms["answer"]["recorded_at"].endswith(("+01:00", "+02:00"))  # the clinic's Madrid clock
    assert [a["channel"] for a in after["history"]] == ["email", "sms"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "fax", "granted": True, "method": "by_phone"}, "body.channel"),
        ({"channel": "sms", "granted": "yes", "method": "by_phone"}, "body.granted"),
        ({"channel": "sms", "granted": True, "method": "sms_keyword"}, "body.method"),
        ({"channel": "sms", "granted": True, "method": "by_phone", "client_id": 3}, "body.client_id"),
    ],
)
def test_the_api_refuses_a_wrong_value_naming_the_field(site_a: Site, body, field):
    response = _post(staff_client(site_a.members[Role.NURSE]), site_a.client.pk, body)
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["problems"]] == [field]
    assert not ContactConsent.objects.exists()


def test_the_api_does_not_find_another_clinic_s_client(site_a: Site, site_b: Site):
    browser = staff_client(site_a.members[Role.NURSE])
    assert browser.get(API.format(site_b.client.pk)).status_code == 404
    said = {"channel": "sms", "granted": True, "method": "by_phone"}
    assert _post(browser, site_b.client.pk, said).status_code == 404
    assert not ContactConsent.objects.exists()


def test_the_api_adds_a_client_with_their_consent(site_a: Site):
    body = {**NEW, "agrees_sms": True}
    response = staff_client(site_a.owner).post(
        "/api/v1/clinic/clients", orjson.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201
    standing = consent_to_contact.standing(response.json()["id"])
    assert standing[Channel.SMS].granted
    assert not standing[Channel.EMAIL].granted


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/clinic/clients/{}"),
        ("post", "/api/v1/clinic/clients/{}/screenings"),
        ("get", API),
        ("post", API),
    ],
)
def test_an_id_no_row_can_have_is_refused_naming_it(site_a: Site, method: str, path: str):
    browser = staff_client(site_a.members[Role.NURSE])
    url = path.format(32589158477190044731)
    response = (
        getattr(browser, method)(url, b"{}", content_type="application/json") if method == "post" else browser.get(url)
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "client_id"


def _loaded(row: ContactConsent) -> tuple[object, ...]:
    """An answer as the page reads it: its fields, who recorded it and their membership (None: none loaded)."""
    user = row._state.fields_cache["recorded_by"]  # loaded with the row, not by a query
    staff = None if user is None else user._state.fields_cache["staff"]
    fields = (row.pk, row.clinic_id, row.client_id, row.channel, row.granted, row.method, row.recorded_at)
    return (*fields, None if user is None else user.pk, None if staff is None else staff.display_name)


def test_the_client_page_reads_the_answers_as_the_orm_query_did(site_a: Site, django_assert_num_queries):
    nurse = site_a.actor(Role.NURSE)
    client_id = site_a.client.pk
    consent_to_contact.record(nurse, client_id, Channel.EMAIL, granted=True, method=ContactMethod.BY_EMAIL)
    consent_to_contact.said_by_client(
        nurse, client_id, site_a.clinic.pk, Channel.EMAIL, granted=False, method=ContactMethod.UNSUBSCRIBE_LINK
    )
    consent_to_contact.record(nurse, client_id, Channel.SMS, granted=True, method=ContactMethod.ON_PAPER)
    gone = User.objects.create_user("no-membership@example.org")  # an account without a membership recorded one
    ContactConsent.objects.filter(channel=Channel.SMS).update(recorded_by=gone)
    expected = list(
        ContactConsent.objects.filter(client_id=client_id)
        .select_related("recorded_by__staff")
        .order_by("-recorded_at", "-id")
    )
    with django_assert_num_queries(1):  # the answers, their recorders and memberships: nothing read later
        found = answers.of_client(client_id)
        read = [_loaded(row) for row in found.history]
    assert read == [_loaded(row) for row in expected]
    assert [row[-2:] for row in read] == [
        (gone.pk, None),
        (None, None),
        (site_a.members[Role.NURSE].user_id, site_a.members[Role.NURSE].display_name),
    ]
    recorder = found.history[0].recorded_by
    assert recorder is not None
    assert {"password", "username", "email"} <= recorder.get_deferred_fields()  # only what the page shows
    assert [(say.channel, say.granted) for say in found.standing] == [(Channel.EMAIL, False), (Channel.SMS, True)]
