"""The home journal's pages: start from a result, the journal page and its forms, export, delete."""

from __future__ import annotations

import io

import orjson
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from needlewise import bootstrap
from needlewise.domain.vocabulary import Lang, Medication
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import NotFoundError
from needlewise.services import journal
from needlewise.services.journal_changes import journal_changes
from needlewise.storage.models import Journal
from needlewise.web.views.questionnaire import state_token
from web import journal_support as js

pytestmark = pytest.mark.django_db
TODAY = "2026-12-07T10:00Z"
ES = {"HTTP_ACCEPT_LANGUAGE": "es"}


def private(response: object) -> None:
    assert response["Cache-Control"] == "no-store"  # type: ignore[index]
    assert response["X-Robots-Tag"] == "noindex, nofollow"  # type: ignore[index]


def test_a_home_result_offers_a_journal_and_a_clinic_result_does_not(client: Client, kb: KnowledgeBase) -> None:
    home = client.get(f"/result/?s={state_token(js.interview(kb, js.GLOW))}").content.decode()
    assert 'action="/journal/new/"' in home
    clinic = js.interview(kb, {**js.GLOW, "goals": ["acne_scars"]})
    assert 'action="/journal/new/"' not in client.get(f"/result/?s={state_token(clinic)}").content.decode()


@pytest.mark.parametrize(("headers", "warning"), [({}, "only key"), (ES, "única llave")])
def test_starting_asks_for_an_e_mail_then_shows_the_link_once(
    client: Client, kb: KnowledgeBase, headers: dict[str, str], warning: str
) -> None:
    asked = client.post("/journal/new/", {"state": js.state(kb)}, **headers)
    assert asked.status_code == 200
    assert 'name="email"' in asked.content.decode()
    private(asked)
    made = client.post("/journal/new/", {"state": js.state(kb), "start": "1", "email": "a@example.org"}, **headers)
    assert made.status_code == 303  # Post/Redirect/Get: a reload makes no second journal
    private(made)
    key = js.KEY.search(made["Location"]).group(1)  # type: ignore[union-attr]
    assert made["Location"] == f"/journal/{key}/?started=1"
    for _reload in range(2):
        first = client.get(made["Location"], **headers)
        assert first.status_code == 200
        private(first)
        page = first.content.decode()
        assert warning in page
        assert f'<code id="journal-link">http://testserver/journal/{key}/</code>' in page  # whole, not in a field
        assert 'data-copy="journal-link"' in page
        assert "<input" not in page.split('id="link-title"')[1].split("</section>")[0]
    assert Journal.objects.count() == 1
    shown = client.get(f"/journal/{key}/", **headers)
    assert shown.status_code == 200
    private(shown)
    assert key not in shown.content.decode().replace(f"/journal/{key}/", "").replace(f"/journals/{key}/", "")


def test_a_bad_e_mail_is_422_naming_the_field_at_it_and_in_the_summary(client: Client, kb: KnowledgeBase) -> None:
    refused = client.post("/journal/new/", {"state": js.state(kb), "start": "1", "email": "nope"}, **ES)
    assert refused.status_code == 422
    page = refused.content.decode()
    assert 'href="#f-email"' in page
    assert 'id="f-email-error-1"' in page
    assert "Correo electrónico para recordatorios" in page


def test_starting_with_an_address_keeps_the_time_zone_chosen_beside_it(client: Client, kb: KnowledgeBase) -> None:
    asked = client.post("/journal/new/", {"state": js.state(kb)}).content.decode()
    assert '<select id="f-time_zone" name="time_zone"' in asked
    assert "data-browser-zone" in asked  # none chosen yet: the script may offer the browser's own
    start = {"state": js.state(kb), "start": "1", "time_zone": "America/Los_Angeles"}
    refused = client.post("/journal/new/", {**start, "email": "nope"})
    assert refused.status_code == 422
    assert '<option value="America/Los_Angeles" selected>' in refused.content.decode()  # kept through the error
    assert "data-browser-zone" not in refused.content.decode()
    bad = client.post("/journal/new/", {**start, "email": "a@example.org", "time_zone": "Nowhere/Else"}, **ES)
    assert (bad.status_code, 'href="#f-time_zone"' in bad.content.decode()) == (422, True)
    assert "Elige una zona horaria de la lista" in bad.content.decode()
    assert client.post("/journal/new/", {**start, "email": "a@example.org"}).status_code == 303
    assert client.post("/journal/new/", start).status_code == 303  # no address: no zone kept for it
    assert sorted(Journal.objects.values_list("time_zone", flat=True)) == ["", "America/Los_Angeles"]


def test_damaged_answers_are_400(client: Client) -> None:
    assert client.post("/journal/new/", {"state": "{"}).status_code == 400


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(("headers", "words"), [({}, "Next session: not before"), (ES, "Próxima sesión: no antes")])
def test_logging_a_session_gives_the_next_date_and_a_flagged_product_s_finding(
    client: Client, kb: KnowledgeBase, headers: dict[str, str], words: str
) -> None:
    key = js.started(kb)
    data = {"on": "2026-12-06", "needle_mm": "0,25", "areas": ["cheeks"], "products": ["vitamin_c_serum"]}
    logged = js.submitted(client, f"/journal/{key}/session/", data, **headers)
    assert logged.status_code == 200
    private(logged)
    page = logged.content.decode()
    assert 'data-saved="session"' in page
    assert words in page
    assert 'class="finding' in page
    assert "Evidence" in page or "Evidencia" in page


@time_machine.travel(TODAY, tick=False)
def test_bad_session_input_is_422_naming_each_field(client: Client, kb: KnowledgeBase) -> None:
    key = js.started(kb)
    refused = client.post(f"/journal/{key}/session/", {"on": "31/12", "needle_mm": "9", "areas": ["elbow"]})
    assert refused.status_code == 422
    page = refused.content.decode()
    for name in ("on", "needle_mm", "areas"):
        assert f'href="#f-{name}"' in page
    empty = client.post(f"/journal/{key}/session/", {"needle_mm": "abc"}, **ES).content.decode()
    assert "Elige al menos una zona" in empty
    nothing = client.post(f"/journal/{key}/session/", {}, **ES).content.decode()
    assert "Escribe la longitud de la aguja en milímetros" in nothing
    assert "Escribe la fecha, por ejemplo" in nothing
    future = client.post(f"/journal/{key}/session/", {"on": "2027-01-01", "needle_mm": "0.25", "areas": ["cheeks"]})
    assert future.status_code == 422
    assert 'href="#f-on"' in future.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_the_device_gives_when_to_replace_it_and_bad_input_names_the_field(client: Client, kb: KnowledgeBase) -> None:
    key = js.started(kb)
    saved = js.submitted(client, f"/journal/{key}/device/", {"kind": "roller", "bought_on": "2026-11-01", "uses": "3"})
    assert saved.status_code == 200
    assert "Replace your device:" in saved.content.decode()
    assert "Your device is saved: the journal counts each session" in saved.content.decode()
    assert "what it means for your next session" not in saved.content.decode()  # that one is for sessions
    es = js.submitted(client, f"/journal/{key}/device/", {"kind": "roller", "uses": "3"}, **ES).content.decode()
    assert "Tu dispositivo está guardado" in es
    worn = js.submitted(client, f"/journal/{key}/device/", {"kind": "pen", "needle_mm": "0.5", "uses": "40"})
    assert "now: it has reached" in worn.content.decode()
    unknown = js.submitted(client, f"/journal/{key}/device/", {"kind": "stamp", "uses": "1"}).content.decode()
    assert "months after you bought it" in unknown
    refused = client.post(f"/journal/{key}/device/", {"kind": "drill", "uses": "-1", "bought_on": "2027-01-01"})
    assert refused.status_code == 422
    page = refused.content.decode()
    for name in ("kind", "uses"):
        assert f'href="#f-{name}"' in page
    for uses in ("²", "١٢", "99999999999999999999"):  # "²" counts as a digit to Python but is no number: was a 500
        wrong = client.post(f"/journal/{key}/device/", {"kind": "roller", "uses": uses})
        assert wrong.status_code == 422
        assert 'href="#f-uses"' in wrong.content.decode()
    later = client.post(f"/journal/{key}/device/", {"kind": "roller", "bought_on": "2027-01-01"})
    assert later.status_code == 422
    assert 'href="#f-bought_on"' in later.content.decode()


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("yes", "not_sure", "triage"),
    [
        ([], [], "expected"),
        (["expected_reactions"], [], "expected"),
        (["fever_chills"], [], "seek_care_now"),
        ([], ["fever_chills"], "seek_care_now"),
    ],
)
def test_the_skin_check_gives_the_check_in_s_triage(
    client: Client, kb: KnowledgeBase, yes: list[str], not_sure: list[str], triage: str
) -> None:
    key = js.started(kb)
    client.post(f"/journal/{key}/session/", {"on": "2026-12-06", "needle_mm": "0.25", "areas": ["cheeks"]})
    form = client.get(f"/journal/{key}/").content.decode()
    for q in kb.treatment.checkin.questions_for(1):
        for value in ("yes", "no", "not_sure"):
            assert f'type="radio" id="q-{q.question_id}-{value}" name="answer-{q.question_id}" value="{value}"' in form
    answered = js.submitted(client, f"/journal/{key}/skin/", js.skin_form(kb, 1, yes, not_sure))
    assert answered.status_code == 200
    page = answered.content.decode()
    assert 'data-saved="skin"' in page
    assert ('href="#skin-title"' in page) != ('href="#next-title"' in page)  # the box that says what to do
    assert f'data-triage="{triage}"' in page
    assert ("it was treated as if yes, because it was not known" in page) == bool(not_sure)
    for q in not_sure:
        assert f'name="answer-{q}" value="not_sure" checked' in page  # the answers shown again


@time_machine.travel(TODAY, tick=False)
def test_nothing_answered_is_refused_naming_each_question_never_expected(client: Client, kb: KnowledgeBase) -> None:
    key = js.started(kb)
    client.post(f"/journal/{key}/session/", {"on": "2026-12-06", "needle_mm": "0.25", "areas": ["cheeks"]})
    asked = kb.treatment.checkin.questions_for(1)
    for body in ({}, {"yes": [asked[0].question_id]}, {f"answer-{asked[0].question_id}": "maybe"}):
        refused = client.post(f"/journal/{key}/skin/", body, **ES)
        assert refused.status_code == 422
        page = refused.content.decode()
        assert "data-triage" not in page
        for q in asked:
            assert f'href="#f-answer-{q.question_id}"' in page
            assert f"{q.text.es}: Responde a esta pregunta" in page
    partly = {**js.skin_form(kb, 1)}
    del partly[f"answer-{asked[-1].question_id}"]
    refused = client.post(f"/journal/{key}/skin/", partly).content.decode()
    assert refused.count('class="error" id="f-answer-') == 1
    assert f'id="f-answer-{asked[-1].question_id}-error"' in refused
    assert f'id="q-{asked[0].question_id}-no" name="answer-{asked[0].question_id}" value="no" checked' in refused
    assert "Skin checks (" not in client.get(f"/journal/{key}/").content.decode()  # nothing kept


@time_machine.travel(TODAY, tick=False)
def test_each_triage_level_has_its_words(client: Client, kb: KnowledgeBase) -> None:
    key = js.started(kb)
    client.post(f"/journal/{key}/session/", {"on": "2026-11-30", "needle_mm": "0.25", "areas": ["cheeks"]})
    seen = set()
    for question in kb.treatment.checkin.questions_for(7):
        page = js.submitted(client, f"/journal/{key}/skin/", js.skin_form(kb, 7, [question.question_id]))
        page = page.content.decode()
        seen.add(page.split('data-triage="')[1].split('"')[0])
    assert seen == {"expected", "call_clinic", "seek_care_now"}


def test_a_stop_profile_is_paused_with_its_reasons(client: Client, kb: KnowledgeBase) -> None:
    key = js.started(kb, {**js.GLOW, "skin_now": ["cold_sore"]})
    page = client.get(f"/journal/{key}/").content.decode()
    assert 'data-paused="yes"' in page
    assert "Paused" in page
    assert "Assessed again today, your answers no longer allow microneedling at home." in page
    es = client.get(f"/journal/{key}/", **ES).content.decode()
    assert "Al evaluar de nuevo hoy tus respuestas, el microneedling en casa ya no es para ti por ahora." in es
    assert "por encima" not in es


@pytest.mark.parametrize(("headers", "paused"), [({}, "Paused"), (ES, "En pausa")])
def test_a_cold_sore_pauses_the_journal_and_its_healing_resumes_it(
    client: Client, kb: KnowledgeBase, headers: dict[str, str], paused: str
) -> None:
    key = js.started(kb)
    sore = js.submitted(client, f"/journal/{key}/changed/", {"skin_now": ["cold_sore"]}, **headers)
    assert sore.status_code == 200
    assert 'data-saved="changed"' in sore.content.decode()
    private(sore)
    page = sore.content.decode()
    assert 'data-paused="yes"' in page
    assert paused in page
    assert 'id="f-skin_now-cold_sore" name="skin_now" value="cold_sore" checked' in page
    healed = js.submitted(client, f"/journal/{key}/changed/", {}, **headers).content.decode()
    assert 'data-paused="no"' in healed


def test_pregnancy_and_a_medicine_are_kept_and_shown_again(client: Client, kb: KnowledgeBase) -> None:
    key = js.started(kb)
    page = js.submitted(client, f"/journal/{key}/changed/", {"pregnant": "yes", "medications": ["anticoagulant"]})
    assert 'data-paused="yes"' in page.content.decode()
    shown = client.get(f"/journal/{key}/").content.decode()
    assert 'id="f-pregnant" name="pregnant" value="yes" checked' in shown
    assert 'value="anticoagulant" checked' in shown
    kept = journal_changes(bootstrap.journals(), key)
    assert kept.pregnant_or_breastfeeding
    assert kept.medications == {Medication.ANTICOAGULANT}


@time_machine.travel(TODAY, tick=False)
def test_the_page_reads_its_journal_once_however_many_sessions_it_holds(client: Client, kb: KnowledgeBase) -> None:
    key = js.started(kb)
    for day in range(1, 31):
        data = {"on": f"2026-11-{day:02d}", "needle_mm": "0.25", "areas": ["cheeks"]}
        assert client.post(f"/journal/{key}/session/", data).status_code == 303
    with CaptureQueriesContext(connection) as page_queries:
        shown = client.get(f"/journal/{key}/")
    assert shown.status_code == 200
    assert shown.content.decode().count("<strong>") >= 30  # each session listed
    assert len(page_queries.captured_queries) == 1
    with CaptureQueriesContext(connection) as logged_queries:
        logged = client.post(f"/journal/{key}/session/", {"on": "2026-12-06", "needle_mm": "0.25", "areas": ["cheeks"]})
    assert logged.status_code == 303
    statements = [q["sql"].split()[0] for q in logged_queries.captured_queries]
    # One read, held, and one write, in the transaction that would queue the reminders (none: no address).
    assert statements == ["SAVEPOINT", "SAVEPOINT", "SELECT", "UPDATE", "RELEASE", "RELEASE"]


def test_a_change_not_in_the_form_is_422_naming_the_field(client: Client, kb: KnowledgeBase) -> None:
    key = js.started(kb)
    refused = client.post(f"/journal/{key}/changed/", {"pregnant": "yes", "medications": ["aspirin"]}, **ES)
    assert refused.status_code == 422
    page = refused.content.decode()
    assert 'href="#f-medications"' in page
    assert "Elige solo entre las opciones" in page
    assert 'id="f-pregnant" name="pregnant" value="yes" checked' in page


@time_machine.travel(TODAY, tick=False)
def test_the_json_export_and_the_calendar_link(client: Client, kb: KnowledgeBase) -> None:
    key = js.started(kb)
    client.post(f"/journal/{key}/session/", {"on": "2026-12-01", "needle_mm": "0.25", "areas": ["cheeks"]})
    exported = client.get(f"/journal/{key}/export.json")
    assert exported.status_code == 200
    private(exported)
    assert orjson.loads(exported.content)["next_session_on"] == "2026-12-03"
    page = client.get(f"/journal/{key}/").content.decode()
    assert f"/api/v1/journals/{key}/calendar.ics" in page


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("headers", "words"),
    [
        ({}, ("Home journal", "Your answers, assessed again today", "as you logged them")),
        (ES, ("Diario en casa", "Tus respuestas, evaluadas de nuevo hoy", "tal como las anotaste")),
    ],
)
def test_the_pdf_for_a_clinician(client: Client, kb: KnowledgeBase, headers: dict[str, str], words: tuple) -> None:
    key = js.started(kb)
    client.post(f"/journal/{key}/device/", {"kind": "roller", "needle_mm": "0.25", "bought_on": "2026-11-01"})
    client.post(f"/journal/{key}/session/", {"on": "2026-12-01", "needle_mm": "0.25", "areas": ["cheeks"]})
    client.post(f"/journal/{key}/session/", {"on": "2026-12-02", "needle_mm": "0.25", "areas": ["cheeks"]})
    made = client.get(f"/journal/{key}/pdf/", **headers)
    assert made.status_code == 200
    private(made)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(made.content)).pages)
    for said in words:  # the person's own export: it speaks to them, as the advice in it does
        assert said.lower() in " ".join(text.split()).lower()
    assert "Their" not in text
    assert "Next session" in text or "Próxima sesión" in text
    paused = js.started(kb, {**js.GLOW, "skin_now": ["cold_sore"]})
    assert client.get(f"/journal/{paused}/pdf/").content.startswith(b"%PDF")


def test_delete_asks_first_then_deletes_everything(client: Client, kb: KnowledgeBase) -> None:
    key = js.started(kb)
    asked = client.get(f"/journal/{key}/delete/", **ES)
    assert asked.status_code == 200
    private(asked)
    assert client.post(f"/journal/{key}/delete/").status_code == 200
    assert client.get(f"/journal/{key}/").status_code == 404
    assert client.post(f"/journal/{key}/delete/").status_code == 404


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("get", "?saved=skin&started=1"),
        ("post", "session/"),
        ("post", "device/"),
        ("post", "skin/"),
        ("post", "changed/"),
        ("get", "export.json"),
        ("get", "pdf/"),
        ("get", "delete/"),
    ],
)
def test_an_unknown_key_is_404(client: Client, method: str, suffix: str) -> None:
    data = {"on": "2026-12-01", "needle_mm": "0.25", "areas": ["cheeks"], "kind": "roller"}
    response = getattr(client, method)(f"/journal/unknown-key-000000000/{suffix}", data if method == "post" else {})
    assert response.status_code == 404
    private(response)
    page = response.content.decode()
    assert "This journal does not exist or was deleted" in page
    assert 'href="/assess/"' in page


def test_a_deleted_journal_s_link_is_a_404_page_of_its_own_in_spanish(client: Client, kb: KnowledgeBase) -> None:
    key = js.started(kb)
    client.post(f"/journal/{key}/delete/")
    for path in (f"/journal/{key}/", f"/journal/{key}/reminders/"):
        gone = client.get(path, **ES)
        assert gone.status_code == 404
        assert "Este diario no existe o se ha borrado" in gone.content.decode()
        assert "Empezar de nuevo" in gone.content.decode()


def test_bad_input_to_an_unknown_key_is_404(client: Client) -> None:
    assert client.post("/journal/unknown-key-000000000/session/", {}).status_code == 404


def test_an_unknown_key_has_no_changes_to_show() -> None:
    with pytest.raises(NotFoundError):
        journal_changes(bootstrap.journals(), "unknown-key-000000000")


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("headers", "summary", "from_sessions"),
    [
        ({}, "1 finding", "From the sessions of 3 December 2026, 1 December 2026, 28 November 2026."),
        (
            ES,
            "1 hallazgo",
            "De las sesiones del 3 de diciembre de 2026, 1 de diciembre de 2026, 28 de noviembre de 2026.",
        ),
    ],
)
def test_a_finding_repeated_over_sessions_is_shown_once_with_its_sessions(
    client: Client, kb: KnowledgeBase, headers: dict[str, str], summary: str, from_sessions: str
) -> None:
    key = js.started(kb)
    for on in ("2026-11-28", "2026-12-01", "2026-12-03"):
        data = {"on": on, "needle_mm": "0.25", "areas": ["cheeks"], "products": ["vitamin_c_serum"]}
        client.post(f"/journal/{key}/session/", data)
    view = journal.open_journal(bootstrap.journals(), key, kb, None)
    (rule,) = {f.rule_id for s in view.sessions for f in s.findings}
    latest = client.get(f"/journal/{key}/", **headers).content.decode()
    assert latest.count(f'id="finding-{rule}"') == 1  # the latest session's card, at the top
    assert latest.count(f'href="#finding-{rule}"') == 3  # each session links to it
    assert latest.count(f"<summary>{summary}</summary>") == 3  # folded in each session
    assert "earlier-findings" not in latest
    client.post(f"/journal/{key}/session/", {"on": "2026-12-06", "needle_mm": "0.25", "areas": ["cheeks"]})
    page = client.get(f"/journal/{key}/", **headers).content.decode()
    earlier = page.split('id="earlier-findings-title"')[1]
    assert earlier.count(f'id="finding-{rule}"') == 1  # once, with every session it came from
    assert page.count(f'id="finding-{rule}"') == 1
    assert from_sessions in earlier
    finding = view.sessions[0].findings[0]
    assert '<details class="evidence">' in earlier  # its sources, folded
    assert all(kb.sources[c.source_id].title in earlier for c in finding.citations)


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("headers", "heading", "found", "from_sessions"),
    [
        ({}, "What the journal found (1)", "Found:", "From the sessions of 3 December 2026, 1 December 2026."),
        (ES, "Lo que encontró el diario (1)", "Encontrado:", "De las sesiones del 3 de diciembre de 2026, 1 de"),
    ],
)
def test_the_pdf_gives_each_finding_once_with_its_sessions(  # noqa: PLR0913, PLR0917 - the case's words
    client: Client, kb: KnowledgeBase, headers: dict[str, str], heading: str, found: str, from_sessions: str
) -> None:
    key = js.started(kb)
    for on in ("2026-12-01", "2026-12-03"):
        data = {"on": on, "needle_mm": "0.25", "areas": ["cheeks"], "products": ["vitamin_c_serum"]}
        client.post(f"/journal/{key}/session/", data)
    made = client.get(f"/journal/{key}/pdf/", **headers)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(made.content)).pages)
    assert heading in text
    assert text.count(found) == 2  # each session names it
    assert from_sessions in text
    view = journal.open_journal(bootstrap.journals(), key, kb, Lang.ES if headers else Lang.EN)
    assert text.count(" ".join(view.findings[0].advice.split())[:40]) == 1  # its card once
