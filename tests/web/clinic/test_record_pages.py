"""Screening a client with the clinic questionnaire, a stored screening, and providers' clearances."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from clinic_factories import clinic_today
from needlewise.domain.permissions import Role
from needlewise.storage.models import Clearance, Screening
from needlewise.storage.models import Client as ClientRow
from web.clinic.support import Site, staff_client, walked_state

pytestmark = pytest.mark.django_db

#: Answers that walk the clinic questionnaire to its end (the age comes from the date of birth on file).
# Nothing typed is no answer: the nurse records "none", "no" and "never" explicitly.
TO_THE_END: dict[str, str | list[str]] = {
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
FIRST_PAGE = [
    "skin-now",
    "pregnant",
    "history",
    "medications",
    "isotretinoin",
    "recent-procedures",
    "goals",
    "areas",
    "device-kind",
]
REASON = "Seen in person; pregnancy ruled out today by the provider."


def questions_of(page: str) -> list[str]:
    return re.findall(r'<fieldset id="q-[^"]+" class="question" data-question="([^"]+)"', page)


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"the page carries {name}"
    return found.group(1).replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&")


def state_of(page: str) -> str:
    return hidden(page, "state")


def screen_url(site: Site) -> str:
    return f"/clinic/clients/{site.client.pk}/screen/"


def answer_page(client: Client, site: Site, page: str, answers: dict[str, object], action: str = "next"):
    """Post the page's questions with ``answers`` (by question id; a missing one is left empty)."""
    form: dict[str, object] = {"state": state_of(page), "marks": hidden(page, "marks"), "action": action}
    for question in questions_of(page):
        if question in answers:
            form[f"{question}:answer"] = answers[question]
    return client.post(screen_url(site), form)


# --- the questionnaire ---


def test_screening_asks_the_first_page_with_the_age_from_the_date_of_birth(site_a: Site):
    response = staff_client(site_a.members[Role.NURSE]).get(screen_url(site_a))
    assert response.status_code == 200
    page = response.content.decode()
    assert questions_of(page) == FIRST_PAGE  # no setting, no age: both known
    assert "Zephyrine Quixotelle" in page
    age = timezone.localdate().year - 1990 - (timezone.localdate().timetuple()[1:3] < (5, 17))
    assert f"age {age}, from the date of birth on file" in page
    assert f'"age":{age}' in state_of(page)
    assert '"setting":"clinic"' in state_of(page)
    assert 'value="back"' not in page  # nothing before the first page
    # "Not sure" is kept on every question that takes it.
    assert 'name="pregnant:answer" value="unsure"' in page
    assert 'name="skin-now:answer" value="unsure"' in page


def test_answering_two_pages_stores_the_screening_and_shows_the_client(site_a: Site):
    nurse = site_a.members[Role.NURSE]
    client = staff_client(nurse)
    before = Screening.objects.filter(client=site_a.client).count()
    first = client.get(screen_url(site_a)).content.decode()
    second = answer_page(client, site_a, first, TO_THE_END)
    assert second.status_code == 200, second.content.decode()
    assert questions_of(second.content.decode()) == ["products", "fitzpatrick"]  # no device: no needle questions
    assert "Page 2" in second.content.decode()
    response = answer_page(client, site_a, second.content.decode(), TO_THE_END)
    assert response["Location"] == f"/clinic/clients/{site_a.client.pk}/#current"
    assert Screening.objects.filter(client=site_a.client).count() == before + 1
    latest = Screening.objects.filter(client=site_a.client).order_by("-pk").first()
    assert (latest.tier, latest.source, latest.ran_by_id, latest.profile["setting"]) == (
        "home_ok",
        "staff",
        nurse.user_id,
        "clinic",
    )
    assert latest.profile["age"] >= 36
    shown = client.get(response["Location"]).content.decode()
    assert "Treatment is blocked" not in shown  # the newest screening is the one that counts
    assert "OK to treat" in shown


def test_a_device_brings_its_questions_on_the_second_page_and_home_ones_never(site_a: Site):
    client = staff_client(site_a.members[Role.NURSE])
    first = client.get(screen_url(site_a)).content.decode()
    second = answer_page(client, site_a, first, {**TO_THE_END, "device-kind": "pen"}).content.decode()
    assert questions_of(second) == ["needle-length", "device-sterile", "products", "fitzpatrick"]


def test_a_stop_answer_ends_the_screening_after_its_page(site_a: Site):
    client = staff_client(site_a.members[Role.PROVIDER])
    page = client.get(screen_url(site_a)).content.decode()
    response = answer_page(client, site_a, page, {**TO_THE_END, "skin-now": ["active_infection"]})
    assert response.status_code == 302
    latest = Screening.objects.filter(client=site_a.client).order_by("-pk").first()
    assert latest.tier == "stop"
    assert latest.profile["skin_now"] == ["active_infection"]
    assert "fitzpatrick" not in latest.profile
    assert "Treatment is blocked." in client.get(response["Location"]).content.decode()


def test_a_refused_answer_is_explained_and_the_page_keeps_every_answer(site_a: Site):
    client = staff_client(site_a.members[Role.NURSE])
    page = client.get(screen_url(site_a)).content.decode()
    answers = {k: v for k, v in TO_THE_END.items() if k != "skin-now"}
    response = answer_page(client, site_a, page, {**answers, "isotretinoin": "lots"})
    assert response.status_code == 422
    shown = response.content.decode()
    assert questions_of(shown) == FIRST_PAGE
    assert 'role="alert"' in shown
    assert 'href="#q-skin-now"' in shown
    assert 'href="#q-isotretinoin"' in shown
    assert 'aria-describedby="isotretinoin-error"' in shown
    assert 'value="lots"' in shown  # what was typed, to correct
    assert 'id="history-none" name="history:answer" value="none" checked' in shown  # a good answer stays
    assert '"answered":["setting","age"]' in state_of(shown)  # none of the page counted


def test_going_back_shows_the_first_page_with_its_answers(site_a: Site):
    client = staff_client(site_a.members[Role.NURSE])
    first = client.get(screen_url(site_a)).content.decode()
    second = answer_page(client, site_a, first, {**TO_THE_END, "pregnant": "unsure"}).content.decode()
    assert 'value="back"' in second
    back = answer_page(client, site_a, second, {}, action="back")
    assert back.status_code == 200
    shown = back.content.decode()
    assert questions_of(shown) == FIRST_PAGE
    assert 'id="pregnant-unsure" name="pregnant:answer" value="unsure" checked' in shown
    assert 'value="back"' not in shown


def test_back_on_the_first_page_stays_there(site_a: Site):
    client = staff_client(site_a.members[Role.NURSE])
    page = client.get(screen_url(site_a)).content.decode()
    back = answer_page(client, site_a, page, {}, action="back")
    assert back.status_code == 200
    assert questions_of(back.content.decode()) == FIRST_PAGE


@pytest.mark.parametrize("marks", ["9", "2,x", "5,2"])
def test_page_marks_that_cannot_be_are_ignored(site_a: Site, marks: str):
    client = staff_client(site_a.members[Role.NURSE])
    page = client.get(screen_url(site_a)).content.decode()
    response = client.post(screen_url(site_a), {"state": state_of(page), "marks": marks, "action": "back"})
    assert questions_of(response.content.decode()) == FIRST_PAGE
    assert 'name="marks" value=""' in response.content.decode()


def test_an_age_the_questionnaire_does_not_take_is_asked(site_a: Site):
    ClientRow.objects.filter(pk=site_a.client.pk).update(birth_date=date(1880, 1, 1))
    page = staff_client(site_a.members[Role.NURSE]).get(screen_url(site_a)).content.decode()
    assert questions_of(page)[0] == "age"
    assert "from the date of birth on file" not in page


def test_a_complete_state_is_stored_as_it_is(site_a: Site):
    complete = walked_state({**TO_THE_END, "age": "30", "setting": "clinic", "pregnant": "yes"})
    client = staff_client(site_a.members[Role.NURSE])
    response = client.post(screen_url(site_a), {"state": complete, "action": "next", "answer": "ignored"})
    assert response.status_code == 302
    assert Screening.objects.filter(client=site_a.client).order_by("-pk").first().tier == "stop"


@pytest.mark.parametrize("state", ["", "not json", "[]", '{"document": {}, "answered": ["nope"], "drafts": {}}'])
def test_a_damaged_state_is_refused(site_a: Site, state):
    client = staff_client(site_a.members[Role.NURSE])
    before = Screening.objects.count()
    response = client.post(screen_url(site_a), {"state": state, "skin-now:answer": "none"})
    assert response.status_code == 400
    assert "The questionnaire state is damaged; please start again." in response.content.decode()
    assert Screening.objects.count() == before


def test_a_home_setting_state_cannot_be_stored_as_a_clinic_screening(site_a: Site):
    client = staff_client(site_a.members[Role.NURSE])
    client.raise_request_exception = False
    home = walked_state({**TO_THE_END, "age": "30", "setting": "home"})
    response = client.post(screen_url(site_a), {"state": home, "action": "next"})
    assert response.status_code == 400
    assert "a clinic screening must be answered for the clinic setting" in response.content.decode()
    # the answers are encrypted in the database: read back, not filtered in SQL
    assert [s.pk for s in Screening.objects.all() if s.profile.get("setting") == "home"] == []


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
    assert f'name="cleared_on" value="{clinic_today().isoformat()}"' in page
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
