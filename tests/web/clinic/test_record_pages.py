"""Screening a client with the clinic questionnaire, a stored screening, and providers' clearances."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from needlewise.domain.permissions import Role
from needlewise.storage.models import Clearance, Screening
from web.clinic.support import Site, staff_client, walked_state

pytestmark = pytest.mark.django_db

#: Answers that walk the clinic questionnaire to its end (every other question left empty).
# Nothing typed is no answer: the nurse records "none", "no" and "never" explicitly.
TO_THE_END = {
    "age": "30",
    "skin-now": "none",
    "pregnant": "no",
    "history": "none",
    "medications": "none",
    "isotretinoin": "never",
    "recent-procedures": "none",
    "goals": "none",
    "areas": "none",
    "device-kind": "undecided",
    "products": "none",
    "fitzpatrick": "2",
}
REASON = "Seen in person; pregnancy ruled out today by the provider."


def question_of(page: str) -> str | None:
    found = re.search(r'data-question="([^"]+)"', page)
    return found.group(1) if found else None


def state_of(page: str) -> str:
    found = re.search(r'name="state" value="([^"]*)"', page)
    assert found, "the page carries the questionnaire state"
    return found.group(1).replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&")


def screen_url(site: Site) -> str:
    return f"/clinic/clients/{site.client.pk}/screen/"


def answer(client: Client, site: Site, page: str, text: str, action: str = "next"):
    return client.post(screen_url(site), {"state": state_of(page), "answer": text, "action": action})


# --- the questionnaire ---


def test_screening_starts_after_the_setting_which_is_answered_clinic(site_a: Site):
    response = staff_client(site_a.members[Role.NURSE]).get(screen_url(site_a))
    assert response.status_code == 200
    page = response.content.decode()
    assert question_of(page) == "age"
    assert "Zephyrine Quixotelle" in page
    assert "clinic setting" in page
    assert '"setting":"clinic"' in state_of(page)
    assert 'value="back"' not in page  # the setting cannot be gone back over


def test_answering_to_the_end_stores_the_screening_and_shows_the_client(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    client = staff_client(nurse)
    before = Screening.objects.filter(client=site_a.client).count()
    page, asked = client.get(screen_url(site_a)).content.decode(), []
    while (question := question_of(page)) is not None:
        asked.append(question)
        response = answer(client, site_a, page, TO_THE_END.get(question, ""))
        if response.status_code == 302:
            break
        assert response.status_code == 200, response.content.decode()
        page = response.content.decode()
    assert response["Location"] == f"/clinic/clients/{site_a.client.pk}/#current"
    assert asked[0] == "age"
    assert asked[-1] == "fitzpatrick"
    assert Screening.objects.filter(client=site_a.client).count() == before + 1
    latest = Screening.objects.filter(client=site_a.client).order_by("-pk").first()
    assert (latest.tier, latest.source, latest.ran_by_id, latest.profile["setting"]) == (
        "home_ok",
        "staff",
        nurse.user_id,
        "clinic",
    )
    shown = client.get(response["Location"]).content.decode()
    assert "Treatment is blocked" not in shown  # the newest screening is the one that counts


def test_a_stop_answer_ends_the_screening_early(site_a: Site):
    client = staff_client(site_a.members[Role.PROVIDER])
    page = client.get(screen_url(site_a)).content.decode()
    page = answer(client, site_a, page, "30").content.decode()
    assert question_of(page) == "skin-now"
    response = client.post(screen_url(site_a), {"state": state_of(page), "answer": ["active_infection"]})
    assert response.status_code == 302
    latest = Screening.objects.filter(client=site_a.client).order_by("-pk").first()
    assert latest.tier == "stop"
    assert latest.profile == {"profile_version": 2, "setting": "clinic", "age": 30, "skin_now": ["active_infection"]}
    assert "Treatment is blocked." in client.get(response["Location"]).content.decode()


def test_an_invalid_answer_is_explained_and_the_question_asked_again(site_a: Site):
    client = staff_client(site_a.members[Role.NURSE])
    page = client.get(screen_url(site_a)).content.decode()
    response = answer(client, site_a, page, "thirty")
    assert response.status_code == 422
    assert "is not a number" in response.content.decode()
    assert question_of(response.content.decode()) == "age"


def test_going_back_shows_the_earlier_answer_again(site_a: Site):
    client = staff_client(site_a.members[Role.NURSE])
    page = answer(client, site_a, client.get(screen_url(site_a)).content.decode(), "41").content.decode()
    assert question_of(page) == "skin-now"
    assert 'value="back"' in page
    back = answer(client, site_a, page, "", action="back")
    assert back.status_code == 200
    assert question_of(back.content.decode()) == "age"
    assert 'value="41"' in back.content.decode()


def test_going_back_from_the_first_question_keeps_the_setting(site_a: Site):
    client = staff_client(site_a.members[Role.NURSE])
    page = client.get(screen_url(site_a)).content.decode()
    back = answer(client, site_a, page, "", action="back")
    assert back.status_code == 200
    assert question_of(back.content.decode()) == "age"
    assert '"setting":"clinic"' in state_of(back.content.decode())


def test_a_complete_state_is_stored_as_it_is(site_a: Site):
    complete = walked_state({**TO_THE_END, "setting": "clinic", "pregnant": "yes"})
    client = staff_client(site_a.members[Role.NURSE])
    response = client.post(screen_url(site_a), {"state": complete, "action": "next", "answer": "ignored"})
    assert response.status_code == 302
    assert Screening.objects.filter(client=site_a.client).order_by("-pk").first().tier == "stop"


@pytest.mark.parametrize("state", ["", "not json", "[]", '{"document": {}, "answered": ["nope"], "drafts": {}}'])
def test_a_damaged_state_is_refused(site_a: Site, state):
    client = staff_client(site_a.members[Role.NURSE])
    before = Screening.objects.count()
    response = client.post(screen_url(site_a), {"state": state, "answer": "30"})
    assert response.status_code == 400
    assert "The questionnaire state is damaged; please start again." in response.content.decode()
    assert Screening.objects.count() == before


def test_a_home_setting_state_cannot_be_stored_as_a_clinic_screening(site_a: Site):
    client = staff_client(site_a.members[Role.NURSE])
    client.raise_request_exception = False
    home = walked_state({**TO_THE_END, "setting": "home"})
    response = client.post(screen_url(site_a), {"state": home, "action": "next"})
    assert response.status_code == 400
    assert "a clinic screening must be answered for the clinic setting" in response.content.decode()
    assert not Screening.objects.filter(profile__setting="home").exists()


def test_an_archived_client_cannot_be_screened(site_a: Site):
    staff_client(site_a.owner).post(f"/clinic/clients/{site_a.client.pk}/archive/")
    complete = walked_state({**TO_THE_END, "setting": "clinic"})
    response = staff_client(site_a.members[Role.NURSE]).post(screen_url(site_a), {"state": complete})
    assert response.status_code == 409
    assert "restore them before screening" in response.content.decode()


# --- a stored screening ---


def test_the_screening_page_shows_the_stored_assessment_and_the_answers(site_a: Site):
    response = staff_client(site_a.members[Role.AESTHETICIAN]).get(f"/clinic/screenings/{site_a.stop.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Zephyrine Quixotelle" in page
    assert 'class="verdict disposition-do_not_treat" data-disposition="do_not_treat"' in page
    assert "Do not treat now" in page
    # The answers in words, with the questionnaire's wording, never the profile's codes.
    assert "<dt>Are you pregnant or breastfeeding?</dt><dd>Yes</dd>" in page
    assert "pregnant_or_breastfeeding" not in page
    assert "nurse alpha" in page
    assert site_a.stop.kb_hash[:19] in page


# --- clearances ---


def clear_url(screening: Screening) -> str:
    return f"/clinic/screenings/{screening.pk}/clear/"


def test_a_provider_sees_the_clearance_form_with_today_filled_in(site_a: Site):
    response = staff_client(site_a.members[Role.PROVIDER]).get(clear_url(site_a.stop))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Record a clearance" in page
    assert f'name="cleared_on" value="{timezone.localdate().isoformat()}"' in page
    assert 'class="verdict disposition-do_not_treat"' in page


def test_a_refused_clearance_shows_each_error_and_keeps_the_values(site_a: Site):
    today = timezone.localdate()
    data = {"reason": "ok", "cleared_on": (today - timedelta(days=40)).isoformat(), "expires_on": "soon"}
    response = staff_client(site_a.members[Role.PROVIDER]).post(clear_url(site_a.stop), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "give the clinical reason in at least 20 characters" in page
    assert "the clearance date must be within the last 30 days" in page
    assert "the expiry must be on or after the clearance date" in page
    assert 'value="soon"' in page
    assert not Clearance.objects.exists()


def test_a_clearance_longer_than_a_year_is_refused(site_a: Site):
    today = timezone.localdate()
    data = {"reason": REASON, "cleared_on": today.isoformat(), "expires_on": (today + timedelta(days=400)).isoformat()}
    response = staff_client(site_a.members[Role.PROVIDER]).post(clear_url(site_a.stop), data)
    assert response.status_code == 422
    assert "a clearance lasts at most 365 days" in response.content.decode()


def test_a_recorded_clearance_lifts_the_block(site_a: Site):
    provider = staff_client(site_a.members[Role.PROVIDER])
    today = timezone.localdate()
    data = {"reason": REASON, "cleared_on": today.isoformat(), "expires_on": (today + timedelta(days=90)).isoformat()}
    response = provider.post(clear_url(site_a.stop), data)
    assert (response.status_code, response["Location"]) == (302, f"/clinic/clients/{site_a.client.pk}/#current")
    page = provider.get(response["Location"]).content.decode()
    assert "Cleared by a provider" in page
    assert "provider alpha" in page
    assert REASON in page
    assert "Treatment is blocked" not in page
    made = Clearance.objects.get()
    assert (made.screening_id, made.provider_id) == (site_a.stop.pk, site_a.members[Role.PROVIDER].user_id)


def test_a_result_that_needs_no_clearance_cannot_be_cleared(site_a: Site):
    today = timezone.localdate()
    data = {"reason": REASON, "cleared_on": today.isoformat(), "expires_on": today.isoformat()}
    response = staff_client(site_a.members[Role.PROVIDER]).post(clear_url(site_a.ok), data)
    assert response.status_code == 409
    assert "only a medical_review or stop result needs a clearance" in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_nurse_cannot_record_a_clearance(site_a: Site, method):
    today = timezone.localdate().isoformat()
    data = {"reason": REASON, "cleared_on": today, "expires_on": today}
    response = getattr(staff_client(site_a.members[Role.NURSE]), method)(clear_url(site_a.stop), data)
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your role does not allow this" in page
    assert "your role may not record clearance" in page
    assert not Clearance.objects.exists()
