"""Staff pages speak the clinic's language: a disposition and reasons for a practitioner, in English and Spanish.

No consumer wording ("Do not try to reach it at home", tier names such as "home caution", "Find a
clinic") and no debug output (``Because: goals = ['acne_scars']``) on a screening shown to staff.
"""

from __future__ import annotations

import pytest
from django.test import Client

from needlewise.bootstrap import knowledge_base
from needlewise.clinic.records import screenings
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.storage.models import Screening
from web.clinic.support import Site, actor_for, signed_in

pytestmark = pytest.mark.django_db

#: Words written for a consumer deciding about home use, and the debug form of the answers.
CONSUMER = (
    "Do not try to reach it at home",
    "No intentes conseguirlo en casa",
    "This needs a trained practitioner",
    "home caution",
    "home ok",
    "home_caution",
    "fine at home",
    "at home, with care",
    "en casa, con cuidado",
    "apto en casa",
    "Find a clinic",
    "Buscar una clínica",
    "Because",
    "Debido a",
    "goals = ",
    "fitzpatrick = ",
    "setting = ",
    "it does not examine you",
)
EXPECTED = {
    "en": ("Clinic disposition", "Treat with these precautions", "Check with the client", "Seek medical care if"),
    "es": ("Decisión clínica", "Tratar con estas precauciones", "Comprueba con el cliente", "Busca atención médica si"),
}


def _precaution_screening(site: Site) -> Screening:
    """The review's case: acne scars on darker skin, screened in the clinic, which used to read as consumer text."""
    profile = {"setting": "clinic", "age": 34, "goals": ["acne_scars"], "fitzpatrick": 4}
    nurse = actor_for(site.members[Role.NURSE])
    return screenings.record(nurse, client_id=site.client.pk, profile=profile, kb=knowledge_base(), lang=Lang.EN)


def _browser(site: Site, role: Role, lang: str) -> Client:
    return signed_in(Client(HTTP_ACCEPT_LANGUAGE=lang), site.members[role])


def _assert_staff_words(page: str, lang: str) -> None:
    for phrase in CONSUMER:
        assert phrase not in page, phrase
    for phrase in EXPECTED[lang]:
        assert phrase in page, phrase


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_client_page_shows_the_disposition_and_what_to_check(site_a: Site, lang: str):
    _precaution_screening(site_a)
    page = _browser(site_a, Role.NURSE, lang).get(f"/clinic/clients/{site_a.client.pk}/").content.decode()
    _assert_staff_words(page, lang)
    assert 'data-disposition="treat_with_precautions"' in page
    # The answer a reason rests on, in words: the question and the option's label.
    question = {"en": "Which best describes how your skin reacts to the sun?", "es": "¿Qué describe mejor"}[lang]
    assert question in page


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_screening_page_shows_the_answers_in_words(site_a: Site, lang: str):
    screening = _precaution_screening(site_a)
    page = _browser(site_a, Role.PROVIDER, lang).get(f"/clinic/screenings/{screening.pk}/").content.decode()
    _assert_staff_words(page, lang)
    assert {"en": "Acne scars", "es": "Cicatrices de acné"}[lang] in page
    assert "acne_scars" not in page


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_stop_result_reads_do_not_treat_now_on_the_clearance_page(site_a: Site, lang: str):
    page = _browser(site_a, Role.PROVIDER, lang).get(f"/clinic/screenings/{site_a.stop.pk}/clear/").content.decode()
    for phrase in CONSUMER:
        assert phrase not in page, phrase
    assert {"en": "Do not treat now", "es": "No tratar ahora"}[lang] in page
    assert 'data-disposition="do_not_treat"' in page


def test_not_sure_answers_are_listed_as_questions_to_find_out(site_a: Site):
    profile = {"profile_version": 2, "setting": "clinic", "age": 30, "goals": ["glow"], "fitzpatrick": "unsure"}
    nurse = actor_for(site_a.members[Role.NURSE])
    screenings.record(nurse, client_id=site_a.client.pk, profile=profile, kb=knowledge_base(), lang=Lang.EN)
    page = _browser(site_a, Role.NURSE, "en").get(f"/clinic/clients/{site_a.client.pk}/").content.decode()
    assert "Find out before treating" in page
    assert "Provider clearance needed" in page  # questions left unanswered could each mean a provider's review
    assert "Not sure" in page


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_screening_form_has_no_age_question_and_no_consumer_words(site_a: Site, lang: str):
    page = _browser(site_a, Role.NURSE, lang).get(f"/clinic/clients/{site_a.client.pk}/screen/").content.decode()
    for phrase in CONSUMER:
        assert phrase not in page, phrase
    assert 'data-question="age"' not in page
    assert {"en": "from the date of birth on file", "es": "según la fecha de nacimiento registrada"}[lang] in page
    assert {"en": "Not sure", "es": "No estoy seguro/a"}[lang] in page
