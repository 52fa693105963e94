"""The home journal's history on its pages: skin checks and "things changed" kept, shown first when they must be."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date
from typing import Any

import orjson
import pytest
import time_machine
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from needlewise import bootstrap
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import N_, InvalidInputError, Problem
from needlewise.services import journal, journal_checks, journal_history
from needlewise.services.saved_results import digest
from web import journal_support as js

pytestmark = pytest.mark.django_db
TODAY = "2026-12-07T10:00Z"
ES = {"HTTP_ACCEPT_LANGUAGE": "es"}
NEXT = re.compile(r'<section class="verdict [^"]*" aria-labelledby="next-title".*?</section>', re.DOTALL)


def first_screen(page: str) -> str:
    """The "What to do next" box at the top of the journal page."""
    found = NEXT.search(page)
    assert found is not None
    return found.group(0)


def logged(client: Client, kb: KnowledgeBase, on: str = "2026-12-06") -> str:
    key = js.started(kb)
    assert (
        client.post(f"/journal/{key}/session/", {"on": on, "needle_mm": "0.25", "areas": ["cheeks"]}).status_code == 303
    )
    return key


@time_machine.travel(TODAY, tick=False)
def test_a_skin_check_is_kept_and_a_seek_care_now_outcome_stays_first(client: Client, kb: KnowledgeBase) -> None:
    key = logged(client, kb)
    checked = js.submitted(client, f"/journal/{key}/skin/", js.skin_form(kb, 1, ["pus"]), **ES)
    assert checked.status_code == 200
    page = checked.content.decode()
    top = first_screen(page)
    assert 'data-attention="seek_care_now"' in top
    assert kb.treatment.home_journal.checkin_outcome["seek_care_now"].es in top  # type: ignore[index]
    assert "tier-stop" in top
    assert "Próxima sesión" not in top  # the interval's day is never the next step while care is due
    assert 'id="history-title"' in page
    assert '<li data-triage="seek_care_now">' in page
    body = {"on": "2026-12-07", "needle_mm": "0.25", "areas": ["cheeks"]}
    again = js.submitted(client, f"/journal/{key}/session/", body)
    top = first_screen(again.content.decode())
    assert 'data-attention="seek_care_now"' in top
    assert "1 session was logged after that check" in top
    calm = js.submitted(client, f"/journal/{key}/skin/", js.skin_form(kb, 1)).content.decode()
    top = first_screen(calm)
    assert 'data-attention="seek_care_now"' in top  # a later check the same day never clears it
    assert "Next session: not before" not in top
    assert 'data-just-made="expected"' in top  # what this check said, under the one that holds
    assert 'name="resolved"' not in calm  # only asked on a later day
    assert calm.count("<li data-triage=") == 2
    assert "No to every question." in calm


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("headers", "care", "replace"),
    [
        ({}, "Seek medical care now", "Replace your device:"),
        (ES, "Busca atención médica ahora", "Cambia tu dispositivo:"),
    ],
)
def test_a_seek_care_box_says_it_once_and_only_what_to_do_now(
    client: Client, kb: KnowledgeBase, headers: dict[str, str], care: str, replace: str
) -> None:
    key = logged(client, kb)
    client.post(f"/journal/{key}/device/", {"kind": "roller", "uses": "3"})
    assert replace in first_screen(client.get(f"/journal/{key}/", **headers).content.decode())
    page = js.submitted(client, f"/journal/{key}/skin/", js.skin_form(kb, 1, ["pus"]), **headers).content.decode()
    top = first_screen(page)
    assert top.count(care) == 1
    assert 'role="alert"' in top
    assert "autofocus" in top
    assert 'id="skin-title"' not in page  # no second box saying it again
    assert replace not in top
    device = page.split('id="device-title"')[1]
    assert replace in device  # the routine item waits in the device's section
    shown = re.sub(r"<details>.*?</details>", "", page, flags=re.DOTALL)  # folded: the history's "what to do"
    assert shown.count(care) == 2
    later = client.get(f"/journal/{key}/", **headers).content.decode()
    assert "autofocus" not in first_screen(later)
    assert 'role="alert"' not in first_screen(later)


@time_machine.travel(TODAY, tick=False)
def test_a_stop_and_watch_outcome_is_first_too(client: Client, kb: KnowledgeBase) -> None:
    key = logged(client, kb, "2026-12-03")
    page = js.submitted(client, f"/journal/{key}/skin/", js.skin_form(kb, 4, ["dark_patches"])).content.decode()
    top = first_screen(page)
    assert 'data-attention="call_clinic"' in top
    assert "From your skin check of 7 December 2026:" in top
    assert top.count("Stop and watch") == 1
    assert "tier-home_caution" in top
    assert "No next session day for now" in top


@time_machine.travel(TODAY, tick=False)
def test_a_check_before_any_session_is_refused(client: Client, kb: KnowledgeBase) -> None:
    key = js.started(kb)
    refused = client.post(f"/journal/{key}/skin/", js.skin_form(kb, 1))
    assert refused.status_code == 409
    assert "Log the session first" in refused.content.decode()
    assert client.post("/journal/nope/skin/", {}).status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_a_journal_deleted_while_its_check_is_made_is_not_found(
    client: Client, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = logged(client, kb)
    check_skin = journal_checks.check_skin

    def deleted_first(*args: Any, **kwargs: Any) -> Any:
        journal.delete_journal(bootstrap.journals(), key)
        return check_skin(*args, **kwargs)

    monkeypatch.setattr(journal_checks, "check_skin", deleted_first)
    assert client.post(f"/journal/{key}/skin/", js.skin_form(kb, 1)).status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_a_full_history_is_refused_on_the_page(client: Client, kb: KnowledgeBase) -> None:
    key = logged(client, kb)
    client.post(f"/journal/{key}/skin/", js.skin_form(kb, 1))

    def fill(record: Any) -> Any:
        return replace(record, state={**record.state, "checks": record.state["checks"] * journal_history.MAX_CHECKS})

    bootstrap.journals().change(digest(key), fill)
    full = client.post(f"/journal/{key}/skin/", js.skin_form(kb, 1), **ES)
    assert full.status_code == 409
    assert 'href="#f-answers"' in full.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_things_changed_are_kept_with_the_pause_and_shown_in_the_pdf_and_export(
    client: Client, kb: KnowledgeBase
) -> None:
    key = logged(client, kb)
    client.post(f"/journal/{key}/skin/", js.skin_form(kb, 1, ["expected_reactions"], ["pus"]))
    client.post(f"/journal/{key}/changed/", {"skin_now": ["cold_sore"], "medications": ["topical_retinoid"]})
    page = js.submitted(client, f"/journal/{key}/changed/", {"pregnant": "yes"}, **ES).content.decode()
    assert page.count('data-paused="yes"') >= 2  # the journal and the first change
    history = page.split('id="history-title"')[1]
    assert history.index(" embarazo o lactancia;") < history.index("sin embarazo ni lactancia")  # newest first
    assert "Una crema o gel con retinoide" in history
    exported = orjson.loads(client.get(f"/journal/{key}/export.json").content)
    assert [c["paused"] for c in exported["changes"]] == [True, True]
    assert [c["triage"] for c in exported["checks"]] == ["seek_care_now"]  # "not sure" about pus: as if yes
    assert {a["id"]: a["answer"] for a in exported["checks"][0]["answers"]}["pus"] == "not_sure"
    made = client.get(f"/journal/{key}/pdf/")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(made.content)).pages)
    assert "Skin checks (1)" in text
    assert "Not sure about (treated as yes):" in " ".join(text.split())
    assert "Things changed (2)" in text
    urgent = logged(client, kb)
    client.post(f"/journal/{urgent}/skin/", js.skin_form(kb, 1, ["fever_chills"]))
    made = client.get(f"/journal/{urgent}/pdf/", **ES)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(made.content)).pages)
    words = " ".join(text.split())
    assert "Según tu revisión de la piel del 7 de diciembre de 2026: Busca atención médica ahora" in words


TRIAGE_YES = {"expected": [], "call_clinic": ["dark_patches"], "seek_care_now": ["blisters"]}
ORDER = ["expected", "call_clinic", "seek_care_now"]
events = st.lists(st.sampled_from(["session", "expected", "call_clinic", "seek_care_now", "changed"]), max_size=8)


@time_machine.travel(TODAY, tick=False)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=events)
def test_a_worrying_check_is_never_cleared_by_a_later_check_the_same_day(
    client: Client, kb: KnowledgeBase, steps: list[str]
) -> None:
    key = logged(client, kb, "2026-12-03")
    worst: str | None = None
    page = ""
    for step in steps:
        if step == "session":
            body = {"on": date(2026, 12, 4).isoformat(), "needle_mm": "0.25", "areas": ["cheeks"]}
            page = js.submitted(client, f"/journal/{key}/session/", body).content.decode()
        elif step == "changed":
            page = js.submitted(client, f"/journal/{key}/changed/", {"skin_now": ["cold_sore"]}).content.decode()
        else:
            page = js.submitted(client, f"/journal/{key}/skin/", js.skin_form(kb, 4, TRIAGE_YES[step])).content.decode()
            worst = max(worst or step, step, key=ORDER.index)
        top = first_screen(page)
        for level in ("call_clinic", "seek_care_now"):
            assert (f'data-attention="{level}"' in top) == (worst == level)
        if worst == "seek_care_now":
            assert kb.treatment.home_journal.checkin_outcome["seek_care_now"].en in top  # type: ignore[index]
            assert "Next session: not before" not in top


def test_a_worrying_check_is_asked_about_on_a_later_day_and_holds_until_resolved(
    client: Client, kb: KnowledgeBase
) -> None:
    with time_machine.travel(TODAY, tick=False):
        key = logged(client, kb)
        client.post(f"/journal/{key}/skin/", js.skin_form(kb, 1, ["fever_chills"]))
    with time_machine.travel("2026-12-08T10:00Z", tick=False):
        page = client.get(f"/journal/{key}/", **ES).content.decode()
        assert 'type="radio" id="resolved-yes" name="resolved" value="yes"' in page
        assert "Desde entonces, ¿te ha visto un médico" in page
        refused = client.post(f"/journal/{key}/skin/", js.skin_form(kb, 2), **ES)
        assert refused.status_code == 422
        assert 'href="#f-resolved"' in refused.content.decode()
        assert "Una revisión de la piel anterior: Responde a esta pregunta" in refused.content.decode()
        unsure = js.submitted(client, f"/journal/{key}/skin/", {**js.skin_form(kb, 2), "resolved": "not_sure"})
        unsure = unsure.content.decode()
        assert 'data-attention="seek_care_now"' in first_screen(unsure)  # "not sure" is a no
        assert 'id="resolved-not_sure" name="resolved" value="not_sure" checked' in unsure
        done = js.submitted(
            client, f"/journal/{key}/skin/", {**js.skin_form(kb, 2), "resolved": "yes"}
        ).content.decode()
        top = first_screen(done)
        assert "data-attention" not in top
        assert "Next session: not before" in top
        assert 'name="resolved"' not in done


@time_machine.travel(TODAY, tick=False)
def test_a_check_refused_by_the_use_case_is_shown_at_its_field(
    client: Client, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = logged(client, kb)

    def turned(*_args: object, **_kwargs: object) -> None:
        raise InvalidInputError([Problem("resolved", N_("Answer this question: yes, no or not sure."))])

    monkeypatch.setattr(journal_checks, "check_skin", turned)
    refused = client.post(f"/journal/{key}/skin/", js.skin_form(kb, 1))
    assert refused.status_code == 422
    assert 'href="#f-resolved"' in refused.content.decode()


def test_kept_answers_read_back_old_ones_as_yes_or_no_and_a_damaged_one_as_not_sure() -> None:
    stored: dict[str, Any] = {
        "at": "2026-12-07T10:00:00+00:00",
        "on": "2026-12-07",
        "session_on": "2026-12-06",
        "day": 1,
        "answers": {"pus": True, "blisters": False, "fever_chills": "not_sure", "spreading_redness": 7},
        "triage": "seek_care_now",
        "sessions_before": 1,
    }
    entry = journal_history.CheckEntry.from_json(stored)
    assert [a.value for _, a in entry.answers] == ["yes", "no", "not_sure", "not_sure"]
    assert entry.resolved is None
    assert "resolved" not in entry.to_json()
