"""The client's check-in page behind its private link: questions, answers, outcome, errors, language."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.test import Client

from clinic.checkin_support import answered_form
from clinic.followup_support import checkin_of, session_row, short_of
from clinic_factories import site_contact
from needlewise.bootstrap import knowledge_base
from needlewise.domain.treatment import Triage
from needlewise.domain.vocabulary import Lang
from needlewise.storage.models import AuditEntry, CheckIn
from web.clinic.support import make_site

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def kb():
    return knowledge_base()


@pytest.fixture
def session(kb):
    site = make_site("Clinic Alpha", "alpha", "Zephyrine", "Quixotelle")
    return session_row(site, kb)


@pytest.fixture
def browser() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)


def question(kb, question_id):
    return next(q for q in kb.treatment.checkin.questions if q.question_id == question_id)


def send(browser: Client, url: str, yes: list[str], not_sure: tuple[str, ...] = (), **extra: str):
    """Every question on the page answered: ``yes`` yes, ``not_sure`` not sure, the others no."""
    page = browser.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "the page carries a CSRF token (the answer form's, or the language switcher's)"
    return browser.post(url, {"csrfmiddlewaretoken": token.group(1), **answered_form(page, yes, not_sure), **extra})


def test_the_link_shows_that_days_questions_privately(browser, session, kb):
    _, token = checkin_of(session, 3)
    response = browser.get(f"/checkin/{token}/")
    assert response.status_code == 200
    page = response.content.decode()
    for q in kb.treatment.checkin.questions_for(3):
        assert q.text.en in page
        for value in ("yes", "no", "not_sure"):
            assert f'name="answer-{q.question_id}" value="{value}"' in page
    assert "Check-in: day 3 after your session" in page
    assert "Clinic Alpha" in page
    assert '<html lang="en">' in page
    assert "Zephyrine" not in page  # the link shows no name
    assert response["Cache-Control"] == "no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"


def test_day_1_does_not_ask_the_later_questions(browser, session, kb):
    _, token = checkin_of(session, 1)
    page = browser.get(f"/checkin/{token}/").content.decode()
    assert question(kb, "firm_bumps").text.en not in page
    assert question(kb, "fever_chills").text.en in page


def test_the_page_speaks_the_checkins_language_or_the_one_asked_for(browser, kb):
    site = make_site("Clínica Beta", "beta", "Barnaby", "Oakenshield")
    session = session_row(site, kb, lang=Lang.ES)
    _, token = checkin_of(session, 1)
    page = browser.get(f"/checkin/{token}/").content.decode()
    assert '<html lang="es">' in page
    assert question(kb, "fever_chills").text.es in page
    english = browser.get(f"/checkin/{token}/?lang=en").content.decode()
    assert '<html lang="en">' in english
    assert question(kb, "fever_chills").text.en in english
    assert '<html lang="es">' in browser.get(f"/checkin/{token}/?lang=xx").content.decode()


def test_a_day_3_fever_tells_the_client_to_seek_care_now_and_alerts_the_clinic(browser, session, kb):
    checkin, token = checkin_of(session, 3)
    response = send(browser, f"/checkin/{token}/", ["fever_chills"])
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-triage="seek_care_now"' in page
    outcomes = kb.treatment.checkin.outcome
    assert f'<p role="alert">{outcomes[Triage.SEEK_CARE_NOW].en}</p>' in page
    assert outcomes[Triage.EXPECTED].en not in page
    phone = site_contact("alpha").phone
    tel = "tel:+" + "".join(c for c in phone if c.isdigit())
    assert f'<a class="button primary" href="{tel}">Call Clinic Alpha: {phone}</a>' in page
    assert f'<a href="{tel}">{phone}</a>' in page
    assert "Out-of-hours nurse line of Alphaville" in page
    assert question(kb, "fever_chills").text.en in page
    assert kb.sources[question(kb, "fever_chills").citations[0]].url in page
    stored = CheckIn.objects.get(pk=checkin.pk)
    assert (stored.triage, stored.alert) == ("seek_care_now", "open")
    answered = AuditEntry.objects.filter(action="answer", object_id=str(checkin.pk)).get()
    assert answered.actor.startswith("anonymous:")


def test_expected_healing_opens_no_alert_and_the_page_shows_it_later(browser, session, kb):
    checkin, token = checkin_of(session, 1)
    response = send(browser, f"/checkin/{token}/", ["expected_reactions"])
    assert 'data-triage="expected"' in response.content.decode()
    assert CheckIn.objects.get(pk=checkin.pk).alert == "none"
    again = browser.get(f"/checkin/{token}/").content.decode()
    assert 'data-triage="expected"' in again
    assert 'name="answer-' not in again  # no form once answered
    assert question(kb, "expected_reactions").text.en in again


def test_no_for_everything_is_an_answer(browser, session):
    _, token = checkin_of(session, 7)
    page = send(browser, f"/checkin/{token}/", []).content.decode()
    assert "You answered no to every question." in page


@pytest.mark.parametrize("yes", [["firm_bumps"], ["made_up"], ["fever_chills", "<script>alert(1)</script>"]])
def test_answers_not_on_the_page_get_a_clear_error_and_nothing_is_stored(browser, session, yes):
    checkin, token = checkin_of(session, 1)
    response = send(browser, f"/checkin/{token}/", yes)
    assert response.status_code == 422
    page = response.content.decode()
    assert "only answer the questions shown on this page" in page
    assert 'name="answer-fever_chills" value="yes"' in page  # the form again
    assert "<script>alert(1)</script>" not in page
    assert CheckIn.objects.get(pk=checkin.pk).answered_at is None


def test_a_second_answer_is_refused_and_the_first_stands(browser, session, settings):
    checkin, token = checkin_of(session, 1)
    send(browser, f"/checkin/{token}/", [])
    csrf = browser.cookies[settings.CSRF_COOKIE_NAME].value  # a second tab still holding the form
    response = browser.post(
        f"/checkin/{token}/", {"csrfmiddlewaretoken": csrf, "answer-fever_chills": "yes", "lang": "es"}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert 'data-triage="expected"' in page
    assert CheckIn.objects.get(pk=checkin.pk).alert == "none"


def test_an_unknown_link_is_a_404_page(browser, session):
    del session
    response = browser.get("/checkin/not-a-token/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert Client().post("/checkin/not-a-token/", {"answer-pus": "yes"}).status_code == 404


def test_answers_need_the_forms_csrf_token(browser, session):
    checkin, token = checkin_of(session, 1)
    assert browser.post(f"/checkin/{token}/", {"answer-pus": "yes"}).status_code == 403
    assert CheckIn.objects.get(pk=checkin.pk).answered_at is None


def test_the_short_link_on_paper_serves_the_checkin_and_takes_the_answer(browser, session, kb):
    _, printed = short_of(session, 3)
    url = f"/c/{printed}"
    page = browser.get(url)
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert question(kb, "fever_chills").text.en in page.content.decode()
    answered = send(browser, url.lower(), ["fever_chills"])  # typed by hand, in lower case
    assert answered.status_code == 200
    assert CheckIn.objects.get(session=session, day=3).triage == Triage.SEEK_CARE_NOW.value


@pytest.mark.parametrize("path", ["/c/7KQ4-M9XW-P2RT", "/c/not-a-code", "/c/0000-0000-0000"])
def test_an_unknown_short_link_is_the_plain_not_found_page(browser, session, path):
    del session
    response = browser.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_an_expired_short_link_is_not_found(browser, session):
    checkin, printed = short_of(session, 1)
    expired = datetime.combine(checkin.due_on + timedelta(days=32), time(12), tzinfo=UTC)
    with time_machine.travel(expired, tick=False):
        assert browser.get(f"/c/{printed}").status_code == 404


def test_head_on_a_checkin_link_reads_it_and_never_answers_it(browser, session):
    _, token = checkin_of(session, 1)
    _, printed = short_of(session, 1)
    for path in (f"/checkin/{token}/", f"/c/{printed}"):
        response = browser.head(path)
        assert response.status_code == 200, path
        assert response.content == b""
    assert CheckIn.objects.get(session=session, day=1).answered_at is None
