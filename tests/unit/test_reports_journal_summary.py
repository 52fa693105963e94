"""A referred journal's summary read in the staff page's language: the knowledge base's words by id, the record kept."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

import orjson
import pytest

from needlewise.domain.treatment import Answer, Triage
from needlewise.domain.vocabulary import Area, DeviceKind, Lang, Product
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.reports.journal_summary import staff_summary
from needlewise.services.journal_change_history import change_entry
from needlewise.services.journal_entries import DeviceEntry, SessionEntry
from needlewise.services.journal_history import CheckEntry
from needlewise.services.journal_state import journal_view
from needlewise.services.journal_summary import journal_summary
from needlewise.services.profiles import parse_profile
from web import journal_support as js

AT = datetime(2026, 11, 6, 9, 0, tzinfo=UTC)
BEFORE: dict[str, Any] = js.PROFILE
#: Since the change: not sure about a pregnancy, and a cold sore (the journal is paused).
AFTER = {**BEFORE, "pregnant_or_breastfeeding": "unsure", "skin_now": ["cold_sore"]}
#: What the summary holds that the engine composes from more than an id: kept as sent.
COMPOSED = {
    ".lang",
    ".interval.notes[0]",  # the interval rules' notes (no id is kept with them)
    ".findings[0].evidence_note",  # too soon: the interval rules' notes
    ".sessions[1].findings[0].evidence_note",
    ".paused.reasons[1].advice",  # not sure: what to find out, by the worst tier the answer could mean
    ".paused.reasons[1].evidence_note",
    ".home_limits[0].reasons[1].advice",
    ".home_limits[0].reasons[1].evidence_note",
    ".changes[0].reasons[1].advice",
}


def sent_in(kb: KnowledgeBase, lang: Lang) -> dict[str, Any]:
    """The summary of a paused journal (two sessions, the second too soon with a serum, a worrying check, a
    change), as a referral stores it: JSON."""
    sessions = [
        SessionEntry(date(2026, 11, 2), 0.25, frozenset({Area.CHEEKS})),
        SessionEntry(date(2026, 11, 3), 0.5, frozenset({Area.UNDER_EYE}), frozenset({Product.RETINOID_SERUM})),
    ]
    answers = (("fever_chills", Answer.YES), ("pus", Answer.NOT_SURE))
    check = CheckEntry(AT, date(2026, 11, 4), date(2026, 11, 3), 1, answers, Triage.SEEK_CARE_NOW, 2)
    state = {
        "sessions": [s.to_json() for s in sessions],
        "device": DeviceEntry(DeviceKind.ROLLER, 0.25, date(2026, 10, 1), 3).to_json(),
        "checks": [check.to_json()],
        "changes": [change_entry(kb, BEFORE, AFTER, parse_profile(AFTER), AT).to_json()],
    }
    view = journal_view(kb, parse_profile(AFTER), AFTER, state, lang, created_at=AT)
    return orjson.loads(orjson.dumps(journal_summary(view)))  # type: ignore[no-any-return]


def differences(one: object, other: object, where: str = "") -> set[str]:
    """Where two JSON values differ (a path for each differing leaf)."""
    if isinstance(one, dict) and isinstance(other, dict):
        return {
            d for key in one.keys() | other.keys() for d in differences(one.get(key), other.get(key), f"{where}.{key}")
        }
    if isinstance(one, list) and isinstance(other, list) and len(one) == len(other):
        return {d for i, pair in enumerate(zip(one, other, strict=True)) for d in differences(*pair, f"{where}[{i}]")}
    return set() if one == other else {where}


@pytest.mark.parametrize(("person", "staff"), [(Lang.ES, Lang.EN), (Lang.EN, Lang.ES)])
def test_staff_read_every_word_the_knowledge_base_gives_by_id_in_their_language(
    kb: KnowledgeBase, person: Lang, staff: Lang
) -> None:
    stored = sent_in(kb, person)
    kept = copy.deepcopy(stored)
    as_staff_sent_it = sent_in(kb, staff)
    assert len(differences(stored, as_staff_sent_it)) > 3 * len(COMPOSED)  # titles, advice, questions, outcome ...
    shown = staff_summary(stored, kb, staff)
    assert differences(shown, as_staff_sent_it) == COMPOSED  # all else reads as if sent in the staff's language
    assert stored == kept  # the record of what was sent is not changed
    assert [f["rule_id"] for f in shown["paused"]["reasons"]] == ["active-cold-sore", "unsure-pregnant"]
    assert shown["checks"][0]["answers"][0]["text"] == as_staff_sent_it["checks"][0]["answers"][0]["text"]


def test_an_id_the_knowledge_base_no_longer_knows_keeps_the_stored_words(kb: KnowledgeBase) -> None:
    stored = sent_in(kb, Lang.ES)
    gone = {"rule_id": "a-rule-since-removed", "tier": "stop", "title": "Una regla retirada", "advice": "Espera"}
    stored["paused"]["reasons"].append(gone)
    stored["checks"][0]["answers"].append(
        {"id": "old", "text": "¿Una pregunta retirada?", "answer": "yes", "yes": True}
    )
    stored["checks"][0]["triage"] = "a-triage-since-removed"
    shown = staff_summary(stored, kb, Lang.EN)
    assert shown["paused"]["reasons"][-1] == gone  # kept, never dropped
    assert len(shown["paused"]["reasons"]) == len(stored["paused"]["reasons"])
    assert shown["paused"]["reasons"][0]["title"] == "Active cold sore (herpes simplex)"
    assert shown["checks"][0]["answers"][-1]["text"] == "¿Una pregunta retirada?"
    assert shown["checks"][0]["advice"] == stored["checks"][0]["advice"]  # no outcome known for that triage
    assert shown["checks"][0]["answers"][0]["text"] == "Since your treatment, have you had a fever or chills?"


def test_parts_an_old_summary_lacks_or_holds_otherwise_are_read_as_they_are(kb: KnowledgeBase) -> None:
    old = {
        "schema": "needlewise.journal-summary/1",
        "paused": None,
        "sessions": [{"on": "2026-11-02", "findings": ["not an object"]}, "not an object"],
        "checks": None,
        "replacement": {"after_uses": 10},
        "attention": {"triage": "expected", "answers": [{"text": "no id"}]},
    }
    shown = staff_summary(old, kb, Lang.EN)
    assert shown == old  # nothing added, nothing dropped: no finding, change or limit to word, no note held
    assert "changes" not in shown
