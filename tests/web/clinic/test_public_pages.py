"""Public clinic pages and sending one's result to a clinic with consent; the clinic's intake queue."""

from __future__ import annotations

import re

import pytest

from needlewise.clinic.intake.public import CONSENT
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.storage.models import Clinic, ConsultationRequest, Screening
from web.clinic.referral_support import CONTACT, browser
from web.clinic.support import (
    HOME_CLINIC_STATE,
    HOME_OK_STATE,
    HOME_REVIEW_STATE,
    Site,
    staff_client,
    walked_state,
)

pytestmark = pytest.mark.django_db


def send_url(site: Site) -> str:
    return f"/clinics/{site.clinic.slug}/request/"


def consent_for(site: Site) -> str:
    return CONSENT[Lang.EN].format(clinic=site.clinic.name, city=site.clinic.city)


# --- the directory and a clinic's page ---


def test_the_directory_lists_clinics_that_take_requests(site_a: Site, site_b: Site):
    Clinic.objects.filter(pk=site_b.clinic.pk).update(accepts_requests=False)
    page = browser().get("/clinics/").content.decode()
    assert "Clinics using needlewise" in page
    assert f'href="/clinics/{site_a.clinic.slug}/"' in page
    assert site_b.clinic.name not in page
    assert "Send to" not in page


def test_an_empty_directory_says_so():
    assert "No clinic on this installation takes requests yet." in browser().get("/clinics/").content.decode()


def test_a_clinic_page_shows_its_practitioners_but_not_the_front_desk(site_a: Site):
    page = browser().get(f"/clinics/{site_a.clinic.slug}/").content.decode()
    assert site_a.clinic.name in page
    assert "Alphaville" in page
    for role in ("owner: 1", "provider: 1", "nurse: 1", "aesthetician: 1"):
        assert role in page
    assert "front desk" not in page
    assert 'href="/assess/"' in page


def test_an_unknown_clinic_is_not_found():
    response = browser().get("/clinics/no-such-clinic/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


# --- sending a result ---


@pytest.mark.parametrize("answers", [HOME_CLINIC_STATE, HOME_REVIEW_STATE])
def test_a_clinic_or_review_result_can_be_sent_to_a_listed_clinic(site_a: Site, answers):
    response = browser().post("/clinics/send/", {"state": walked_state(answers)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Send your result to a clinic" in page
    assert f'action="{send_url(site_a)}"' in page
    assert f"Send to {site_a.clinic.name}" in page


def test_the_consent_page_shows_what_is_shared_and_the_exact_consent(site_a: Site):
    response = browser().post(send_url(site_a), {"state": walked_state(HOME_CLINIC_STATE), "action": "open"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "What would be sent" in page
    assert consent_for(site_a) in page
    assert 'name="consent" value="yes"' in page
    assert '<input type="date" id="f-birth_date"' in page
    assert "YYYY-MM-DD" not in page  # the browser's date picker shows its own format: no hint that contradicts it
    count = int(re.search(r"with its (\d+) reasons? and", page).group(1))  # type: ignore[union-attr]
    assert (f"with its {count} reason and its sources" if count == 1 else f"with its {count} reasons and their") in page
    assert not ConsultationRequest.objects.filter(contact_email="otto@example.org").exists()


def test_sending_without_consent_is_refused_and_names_the_consent(site_a: Site):
    data = {"state": walked_state(HOME_CLINIC_STATE), "action": "send", **CONTACT}
    response = browser().post(send_url(site_a), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert '<p class="error" id="consent-error">tick the box to agree to what is shared, or nothing is sent</p>' in page
    assert 'value="Ottoline"' in page
    assert not ConsultationRequest.objects.filter(contact_email="otto@example.org").exists()


def test_sending_without_a_way_to_reply_is_refused(site_a: Site):
    data = {"state": walked_state(HOME_CLINIC_STATE), "action": "send", **CONTACT, "email": "", "consent": "yes"}
    response = browser().post(send_url(site_a), data)
    assert response.status_code == 422
    assert "give an e-mail address or a phone number so the clinic can reply" in response.content.decode()


def test_sending_with_consent_stores_the_request_with_its_consent(site_a: Site):
    data = {"state": walked_state(HOME_CLINIC_STATE), "action": "send", **CONTACT, "consent": "yes"}
    response = browser().post(send_url(site_a), data)
    assert response.status_code == 200
    assert f"Your result was sent to {site_a.clinic.name}" in response.content.decode()
    made = ConsultationRequest.objects.get(contact_email="otto@example.org")
    assert (made.clinic_id, made.tier, made.status, made.consent_text) == (
        site_a.clinic.pk,
        "clinic",
        "open",
        consent_for(site_a),
    )
    assert (made.profile["profile_version"], made.profile["goals"], made.profile["skin_now"]) == (2, ["acne_scars"], [])


@pytest.mark.parametrize("url", ["/clinics/send/", "/clinics/alpha/request/"])
@pytest.mark.usefixtures("site_a")
def test_a_result_fine_at_home_cannot_be_sent(url):
    response = browser().post(url, {"state": walked_state(HOME_OK_STATE), "action": "send", "consent": "yes"})
    assert response.status_code == 400
    assert "Only a &#39;clinic&#39; or &#39;medical review&#39; result can be sent to a clinic." in (
        response.content.decode()
    )


@pytest.mark.parametrize("url", ["/clinics/send/", "/clinics/alpha/request/"])
@pytest.mark.usefixtures("site_a")
def test_a_damaged_state_is_refused(url):
    response = browser().post(url, {"state": '{"document": 1}'})
    assert response.status_code == 400
    assert "The questionnaire state is damaged" in response.content.decode()


def test_sending_to_an_unknown_clinic_is_not_found():
    response = browser().post("/clinics/nowhere/request/", {"state": walked_state(HOME_CLINIC_STATE)})
    assert response.status_code == 404


def test_sending_to_a_clinic_that_stopped_taking_requests_is_refused(site_a: Site):
    Clinic.objects.filter(pk=site_a.clinic.pk).update(accepts_requests=False)
    data = {"state": walked_state(HOME_CLINIC_STATE), "action": "send", **CONTACT, "consent": "yes"}
    response = browser().post(send_url(site_a), data)
    assert response.status_code == 400
    assert "this clinic does not take requests here" in response.content.decode()
    assert not ConsultationRequest.objects.filter(contact_email="otto@example.org").exists()


@pytest.mark.parametrize("path", ["/clinics/", "/clinics/alpha/"])
@pytest.mark.usefixtures("site_a")
def test_public_clinic_pages_are_get_only(path):
    assert browser().post(path).status_code == 405


# --- the clinic's side ---


def sent_request(site: Site) -> ConsultationRequest:
    data = {"state": walked_state(HOME_CLINIC_STATE), "action": "send", **CONTACT, "consent": "yes"}
    browser().post(send_url(site), data)
    return ConsultationRequest.objects.get(contact_email="otto@example.org")


def test_the_intake_queue_lists_open_requests(site_a: Site):
    sent_request(site_a)
    page = staff_client(site_a.members[Role.NURSE]).get("/clinic/intake/").content.decode()
    assert "Ottoline Marchbanks" in page
    assert site_a.requester_name in page
    assert 'aria-current="page">Open' in page


@pytest.mark.parametrize(("status", "current"), [("declined", "Declined"), ("accepted", "Accepted"), ("x", "Open")])
def test_the_intake_queue_filters_by_status(site_a: Site, status, current):
    page = staff_client(site_a.owner).get(f"/clinic/intake/?status={status}").content.decode()
    assert f'aria-current="page">{current}' in page
    assert (site_a.requester_name in page) == (current == "Open")
    if current != "Open":
        assert "Nothing here." in page


def test_a_request_shows_the_contact_the_consent_and_the_result_sent(site_a: Site):
    request = sent_request(site_a)
    page = staff_client(site_a.members[Role.PROVIDER]).get(f"/clinic/intake/{request.pk}/").content.decode()
    assert "Consultation request from Ottoline Marchbanks" in page
    assert "otto@example.org" in page
    assert consent_for(site_a) in page
    assert 'value="accept"' in page
    # The result sent (a "clinic" tier) as staff read it: a disposition, never the consumer tier.
    assert 'class="verdict disposition-treat_with_precautions"' in page
    assert "Do not try to reach it at home" not in page


def test_accepting_a_request_makes_a_client_with_a_first_screening(site_a: Site):
    request = sent_request(site_a)
    nurse = site_a.members[Role.NURSE]
    client = staff_client(nurse)
    response = client.post(f"/clinic/intake/{request.pk}/decide/", {"decision": "accept"})
    request.refresh_from_db()
    assert (request.status, request.handled_by_id) == ("accepted", nurse.user_id)
    assert (response.status_code, response["Location"]) == (302, f"/clinic/clients/{request.client_id}/")
    screening = Screening.objects.get(client_id=request.client_id)
    assert (screening.source, screening.profile["setting"]) == ("consumer_request", "clinic")
    page = client.get(response["Location"]).content.decode()
    assert "Ottoline Marchbanks" in page
    assert "from the client's own request" in page
    done = client.get(f"/clinic/intake/{request.pk}/").content.decode()
    assert f'href="/clinic/clients/{request.client_id}/"' in done
    assert 'value="accept"' not in done


def test_declining_a_request_closes_it_without_a_client(site_a: Site):
    request = sent_request(site_a)
    client = staff_client(site_a.owner)
    response = client.post(f"/clinic/intake/{request.pk}/decide/", {"decision": "decline"})
    assert (response.status_code, response["Location"]) == (302, "/clinic/intake/")
    request.refresh_from_db()
    assert (request.status, request.client_id) == ("declined", None)
    page = client.get(f"/clinic/intake/{request.pk}/").content.decode()
    assert 'value="accept"' not in page
    assert "Open the client" not in page
    assert "Ottoline" in client.get("/clinic/intake/?status=declined").content.decode()


@pytest.mark.parametrize("posted", [{}, {"decision": ""}, {"decision": "acept"}, {"decision": ["accept", "x"]}])
def test_a_missing_or_unknown_decision_is_asked_again_and_declines_nobody(site_a: Site, posted):
    client = staff_client(site_a.owner)
    response = client.post(f"/clinic/intake/{site_a.request.pk}/decide/", posted)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Choose whether to make them a client or to decline." in page
    assert 'value="accept"' in page  # the same request, still to decide
    site_a.request.refresh_from_db()
    assert (site_a.request.status, site_a.request.client_id) == ("open", None)


@pytest.mark.parametrize("decision", ["accept", "decline"])
def test_a_request_is_decided_once(site_a: Site, decision):
    client = staff_client(site_a.owner)
    url = f"/clinic/intake/{site_a.request.pk}/decide/"
    client.post(url, {"decision": "decline"})
    response = client.post(url, {"decision": decision})
    assert response.status_code == 409
    assert "this request is already declined" in response.content.decode()
