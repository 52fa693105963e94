"""Post/Redirect/Get on the home journal: each kept form is a 303 to its page; a reload or a GET changes nothing."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client

from needlewise import bootstrap
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.services import journal
from needlewise.storage.models import Journal
from web import journal_support as js

pytestmark = pytest.mark.django_db
TODAY = "2026-12-07T10:00Z"
ES = {"HTTP_ACCEPT_LANGUAGE": "es"}
SESSION = {"on": "2026-12-06", "needle_mm": "0.25", "areas": ["cheeks"]}
NEXT = re.compile(r'name="next" value="([^"]*)"')
FORMS = {
    "session": SESSION,
    "device": {"kind": "roller", "bought_on": "2026-11-01", "uses": "3"},
    "skin": {},  # every question answered "no": see body()
    "changed": {"medications": ["anticoagulant"]},
}
SAID = {
    "session": "Your session is saved. Here is what it means for your next session.",
    "device": "Your device is saved: the journal counts each session you log as one use and says when to replace it.",
    "skin": "Your skin check is saved.",
    "changed": "Your changes are saved and your answers were assessed again.",
}


def body(form: str, kb: KnowledgeBase) -> dict[str, object]:
    """The form's fields; the skin check's: every question of the day after the session answered no."""
    return js.skin_form(kb, 1) if form == "skin" else FORMS[form]


def state_of(key: str) -> dict[str, object]:
    """What the journal holds: its sessions, device, checks and changes."""
    view = journal.open_journal(bootstrap.journals(), key, bootstrap.knowledge_base(), None)
    return {"sessions": len(view.sessions), "checks": len(view.checks), "changes": len(view.changes)}


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("form", list(FORMS))
def test_a_kept_form_redirects_to_the_journal_which_says_what_was_saved(
    client: Client, kb: KnowledgeBase, form: str
) -> None:
    key = js.started(kb)
    client.post(f"/journal/{key}/session/", SESSION)
    posted = client.post(f"/journal/{key}/{form}/", body(form, kb))
    assert posted.status_code == 303
    assert posted["Location"] == f"/journal/{key}/?saved={form}"
    assert posted["X-Robots-Tag"] == "noindex, nofollow"
    kept = state_of(key)
    for _reload in range(3):  # reloading the page after the form asks for it again: nothing is added
        page = client.get(posted["Location"])
        assert page.status_code == 200
        assert page["Cache-Control"] == "no-store"
        assert f'data-saved="{form}"' in page.content.decode()
        assert SAID[form] in page.content.decode()
    assert state_of(key) == kept


@time_machine.travel(TODAY, tick=False)
def test_the_skin_check_s_result_is_shown_after_the_redirect_and_named_in_the_confirmation(
    client: Client, kb: KnowledgeBase
) -> None:
    key = js.started(kb)
    client.post(f"/journal/{key}/session/", SESSION)
    page = js.submitted(client, f"/journal/{key}/skin/", js.skin_form(kb, 1, ["fever_chills"]), **ES).content.decode()
    assert "Tu revisión de la piel se ha guardado." in page
    assert '<a href="#next-title">' in page  # a worrying result is said in the first box, focused
    top = page.split('id="next-title"')[0].rsplit("<section", 1)[1]
    assert "autofocus" in top
    assert 'data-attention="seek_care_now"' in page
    assert kb.treatment.home_journal.checkin_outcome["seek_care_now"].es in page  # type: ignore[index]
    plain = client.get(f"/journal/{key}/").content.decode()
    assert "autofocus" not in plain  # focused only right after the check
    assert 'data-attention="seek_care_now"' in plain  # what to do stays first while it is the latest
    other = js.started(kb)  # the expected course: its own box, focused
    client.post(f"/journal/{other}/session/", SESSION)
    calm = js.submitted(client, f"/journal/{other}/skin/", js.skin_form(kb, 1)).content.decode()
    assert '<a href="#skin-title">' in calm
    assert 'aria-labelledby="skin-title" data-triage="expected" tabindex="-1" autofocus' in calm
    unsure = js.submitted(client, f"/journal/{other}/skin/", js.skin_form(kb, 1, not_sure=["pus"])).content.decode()
    assert "it was treated as if yes, because it was not known" in unsure  # said after the redirect too
    assert 'name="answer-pus" value="not_sure" checked' in unsure


def test_a_confirmation_is_only_a_known_word_and_never_echoes_the_address(client: Client, kb: KnowledgeBase) -> None:
    key = js.started(kb)
    for query in ("saved=<b>typed</b>", "saved=skin", "saved=", "started=yes"):  # no skin check to show
        page = client.get(f"/journal/{key}/?{query}").content.decode()
        assert "data-saved=" not in page
        assert "<b>typed</b>" not in page
        assert 'aria-labelledby="skin-title"' not in page
        assert 'id="journal-link"' not in page
    page = client.get(f"/journal/{key}/?saved=session&started=1").content.decode()
    assert 'data-saved="session"' in page
    assert 'id="journal-link"' in page


def test_starting_redirects_to_the_page_with_its_link_and_a_reload_makes_no_second_journal(
    client: Client, kb: KnowledgeBase
) -> None:
    made = client.post("/journal/new/", {"state": js.state(kb), "start": "1", "email": ""}, **ES)
    assert made.status_code == 303
    where = made["Location"]
    key = js.KEY.search(where).group(1)  # type: ignore[union-attr]
    for _reload in range(3):
        page = client.get(where, **ES).content.decode()
        assert "El enlace privado de tu diario: guárdalo ahora en marcadores" in page
        assert f'<code id="journal-link">http://testserver/journal/{key}/</code>' in page
    assert Journal.objects.count() == 1
    assert 'id="journal-link"' not in client.get(f"/journal/{key}/").content.decode()


def test_the_e_mail_step_switches_language_with_the_answers_and_its_address_is_not_a_dead_end(
    client: Client, kb: KnowledgeBase
) -> None:
    asked = client.post("/journal/new/", {"state": js.state(kb)})
    assert 'action="/journal/new/"' in asked.content.decode().split("</header>")[0]  # the switcher carries them
    switched = client.post("/journal/new/", {"state": js.state(kb), "action": "stay", "language": "es"})
    assert switched.status_code == 200
    assert "Empezar un diario en casa" in switched.content.decode()
    assert switched.cookies["django_language"].value == "es"
    assert Journal.objects.count() == 0
    for method in ("get", "head"):
        again = getattr(client, method)("/journal/new/")
        assert again.status_code == 303
        assert again["Location"] == "/assess/"


@pytest.mark.parametrize("form", [*FORMS, "session/?x=1"])
@pytest.mark.parametrize("method", ["get", "head"])
def test_a_get_on_a_form_s_address_goes_to_the_journal(
    client: Client, kb: KnowledgeBase, form: str, method: str
) -> None:
    key = js.started(kb)
    answered = getattr(client, method)(f"/journal/{key}/{form.removesuffix('/?x=1')}/")
    assert answered.status_code == 303
    assert answered["Location"] == f"/journal/{key}/"
    assert answered["Cache-Control"] == "no-store"
    assert client.get(answered["Location"]).status_code == 200
    assert state_of(key) == {"sessions": 0, "checks": 0, "changes": 0}


def test_other_methods_on_a_form_s_address_are_still_405(client: Client, kb: KnowledgeBase) -> None:
    key = js.started(kb)
    assert client.put(f"/journal/{key}/session/").status_code == 405


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("form", list(FORMS))
def test_switching_language_after_a_form_lands_on_the_journal_in_the_other_language(
    client: Client, kb: KnowledgeBase, form: str
) -> None:
    key = js.started(kb)
    client.post(f"/journal/{key}/session/", SESSION)
    page = client.get(client.post(f"/journal/{key}/{form}/", body(form, kb))["Location"]).content.decode()
    back = NEXT.search(page).group(1)  # type: ignore[union-attr]
    switched = client.post("/language/", {"language": "es", "next": back}, follow=True)
    assert switched.status_code == 200
    assert switched.redirect_chain[-1][0].startswith(f"/journal/{key}/")
    assert "Tu diario en casa" in switched.content.decode()
    assert state_of(key)["sessions"] == (2 if form == "session" else 1)


@time_machine.travel(TODAY, tick=False)
def test_switching_language_on_a_refused_form_lands_on_the_journal(client: Client, kb: KnowledgeBase) -> None:
    key = js.started(kb)
    refused = client.post(f"/journal/{key}/session/", {"needle_mm": "abc"})
    assert refused.status_code == 422  # a refused form is shown again at once, with its errors
    back = NEXT.search(refused.content.decode()).group(1)  # type: ignore[union-attr]
    assert back == f"/journal/{key}/session/"
    switched = client.post("/language/", {"language": "es", "next": back}, follow=True)
    assert switched.status_code == 200
    assert [where for where, _status in switched.redirect_chain] == [back, f"/journal/{key}/"]
    assert "Tu diario en casa" in switched.content.decode()
    assert state_of(key)["sessions"] == 0
