"""The check-in page without JavaScript: every question answered yes / no / not sure, "not sure" said to be a yes."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from clinic.checkin_support import answered_form
from clinic.followup_support import checkin_of, session_row
from needlewise.bootstrap import knowledge_base
from needlewise.domain.permissions import Role
from needlewise.domain.treatment import Triage
from needlewise.domain.vocabulary import Lang
from needlewise.storage.models import CheckIn
from web.clinic.support import body, make_site, staff_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def kb():
    return knowledge_base()


@pytest.fixture
def site():
    return make_site("Clinic Gamma", "gamma", "Philippa", "Quorndon")


def question(kb, question_id):
    return next(q for q in kb.treatment.checkin.questions if q.question_id == question_id)


def post(browser: Client, url: str, fields: dict[str, str]):
    page = browser.get(url).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf
    return browser.post(url, {"csrfmiddlewaretoken": csrf.group(1), **fields})


@pytest.mark.parametrize(
    ("lang", "message", "summary"),
    [
        (Lang.EN, "Answer this question: yes, no or not sure.", "There is a problem"),
        (Lang.ES, "Responde a esta pregunta: sí, no o no estoy seguro/a.", "Hay un problema"),
    ],
)
def test_nothing_answered_is_a_422_naming_each_question_there_and_in_the_summary(site, kb, lang, message, summary):
    session = session_row(site, kb, lang=lang)
    checkin, token = checkin_of(session, 3)
    response = post(Client(enforce_csrf_checks=True), f"/checkin/{token}/", {"lang": lang.value})
    assert response.status_code == 422
    page = html.unescape(response.content.decode())
    assert summary in page
    for q in kb.treatment.checkin.questions_for(3):
        field = f"f-answer-{q.question_id}"
        assert f'<fieldset id="{field}" class="choices invalid" aria-describedby="{field}-error">' in page
        assert f'<p class="error" id="{field}-error">{message}</p>' in page
        assert f'<a href="#{field}">{q.text.in_(lang)}: {message}</a>' in page
    assert CheckIn.objects.get(pk=checkin.pk).answered_at is None


def test_a_partial_answer_keeps_what_was_chosen_and_names_only_the_rest(site, kb):
    session = session_row(site, kb)
    checkin, token = checkin_of(session, 1)
    url = f"/checkin/{token}/"
    fields = answered_form(Client().get(url).content.decode(), not_sure=["pus"])
    del fields["answer-fever_chills"]
    response = post(Client(enforce_csrf_checks=True), url, fields)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="f-answer-fever_chills-error"' in page
    assert 'id="f-answer-pus-error"' not in page
    assert 'name="answer-pus" value="not_sure" checked>' in page
    assert CheckIn.objects.get(pk=checkin.pk).answered_at is None


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (Lang.EN, "You were not sure about “{q}”: it was treated as if yes, because it was not known."),
        (Lang.ES, "No estabas seguro/a de «{q}»: se trató como si fuera un sí, porque no se sabía."),
    ],
)
def test_not_sure_is_triaged_as_yes_and_the_outcome_says_so(site, kb, lang, said):
    session = session_row(site, kb, lang=lang)
    checkin, token = checkin_of(session, 3)
    url = f"/checkin/{token}/"
    fields = answered_form(Client().get(url).content.decode(), not_sure=["fever_chills"])
    response = post(Client(enforce_csrf_checks=True), url, fields)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert f'data-triage="{Triage.SEEK_CARE_NOW.value}"' in page  # what a "yes" to fever gives
    assert said.format(q=question(kb, "fever_chills").text.in_(lang)) in page
    assert '<ul data-answer="not_sure"><li>' + question(kb, "fever_chills").text.in_(lang) in page
    stored = CheckIn.objects.get(pk=checkin.pk)
    assert (stored.triage, stored.alert, stored.answers["not_sure"]) == ("seek_care_now", "open", ["fever_chills"])
    again = html.unescape(Client().get(url).content.decode())  # the client's record of the check-in, later
    assert said.format(q=question(kb, "fever_chills").text.in_(lang)) in again


def test_the_staff_see_the_not_sure_answers_treated_as_yes(site, kb):
    session = session_row(site, kb, performed_at=timezone.now() - timedelta(days=3))
    checkin, token = checkin_of(session, 3)
    url = f"/checkin/{token}/"
    fields = answered_form(Client().get(url).content.decode(), yes=["pus"], not_sure=["fever_chills"])
    assert post(Client(enforce_csrf_checks=True), url, fields).status_code == 200
    nurse = staff_client(site.members[Role.NURSE])
    fever, pus = question(kb, "fever_chills").text.en, question(kb, "pus").text.en
    for path in ("/clinic/alerts/", f"/clinic/alerts/{checkin.pk}/acknowledge/"):
        page = html.unescape(body(nurse.get(path)))
        assert f"<li>{pus}</li>" in page
        assert f'<li class="not-sure"><strong>Not sure (treated as yes):</strong> {fever}</li>' in page
