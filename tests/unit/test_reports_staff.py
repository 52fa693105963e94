"""A stored screening in staff language: answers in words, reasons for a practitioner, no codes."""

from __future__ import annotations

import copy

from needlewise.domain.disposition import Disposition
from needlewise.domain.vocabulary import Lang
from needlewise.engine.evaluate import assess
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.reports.answers import AnswerLine, fact_lines, question_text
from needlewise.reports.staff import staff_screening
from needlewise.services.profiles import parse_profile


def _document(kb: KnowledgeBase, profile: dict[str, object], lang: Lang = Lang.EN) -> dict[str, object]:
    return copy.deepcopy(assess(parse_profile(profile), kb, lang).to_json())


def test_facts_read_as_the_questions_and_answers_they_come_from(kb: KnowledgeBase) -> None:
    facts = [
        ("procedures.chemical_peel.weeks_ago", None),
        ("procedures.laser.weeks_ago", 1.5),
        ("device.needle_mm", 0.25),
        ("goals", ["acne_scars"]),
        ("skin_now", "unanswered"),
    ]
    lines = fact_lines(facts, kb, Lang.ES)
    assert [line.answer for line in lines] == [
        "Sin respuesta",
        "Tratamiento con láser: hace 1,5 semanas",
        "Cicatrices de acné",
        "0,25",
    ]
    assert all(isinstance(line, AnswerLine) and "_" not in line.question for line in lines)


def test_a_field_no_question_asks_is_named_as_it_is(kb: KnowledgeBase) -> None:
    assert question_text("pregnant_or_breastfeeding", kb, Lang.EN) == "Are you pregnant or breastfeeding?"
    assert question_text("no_such_field", kb, Lang.EN) == "no_such_field"


def test_a_precaution_says_what_to_check_in_words(kb: KnowledgeBase) -> None:
    document = _document(kb, {"setting": "clinic", "age": 30, "goals": ["acne_scars"], "fitzpatrick": 5})
    staff = staff_screening(document, kb, Lang.EN)
    assert staff.disposition is Disposition.TREAT_WITH_PRECAUTIONS
    titles = [r.title for r in staff.reasons]
    assert any("Darker skin" in t for t in titles)
    darker = next(r for r in staff.reasons if "Darker skin" in r.title)
    assert darker.disposition is Disposition.TREAT_WITH_PRECAUTIONS
    assert [line.question for line in darker.check] == ["Which best describes how your skin reacts to the sun?"]
    assert darker.sources
    assert all(s.title and s.url.startswith("http") for s in darker.sources)
    assert darker.seek_care_if
    # The clinic's own note (topical anaesthetic) changes nothing and is shown apart, as a note.
    assert all(note.disposition is None for note in staff.notes)
    assert any(line.answer == "In a clinic, by a practitioner" for note in staff.notes for line in note.check)


def test_not_sure_answers_become_questions_to_find_out(kb: KnowledgeBase) -> None:
    document = _document(kb, {"profile_version": 2, "setting": "clinic", "age": 30, "goals": ["glow"]}, Lang.ES)
    staff = staff_screening(document, kb, Lang.ES)
    assert staff.disposition is Disposition.PROVIDER_CLEARANCE
    asked = {o.question: o.could_be for o in staff.open_questions}
    assert asked["¿Estás embarazada o en período de lactancia?"] is Disposition.DO_NOT_TREAT


def test_a_document_without_lists_or_sources_still_reads(kb: KnowledgeBase) -> None:
    document = _document(kb, {"setting": "clinic", "age": 30, "fitzpatrick": 5})
    document["sources"] = None
    document["open_answers"] = None
    finding = document["findings"][0]  # type: ignore[index]
    finding["facts"] = "not a list"
    finding["seek_care_if"] = None
    staff = staff_screening(document, kb, Lang.EN)
    first = (staff.reasons + staff.notes)[0]
    assert (first.check, first.sources, first.seek_care_if) == ([], [], None)
    assert staff.open_questions == []


def test_a_source_is_linked_as_the_knowledge_base_links_it_now(kb: KnowledgeBase) -> None:
    # An older record may hold a copy's address for a source the knowledge base now cites by its text alone,
    # or a source since left out of the knowledge base (with or without an address).
    document = _document(kb, {"setting": "clinic", "age": 30, "history": ["metal_allergy"]})
    sources: dict[str, dict[str, object]] = document["sources"]  # type: ignore[assignment]
    nickel = "jaad-nickel-allergy-comment"
    sources[nickel]["url"] = kb.sources[nickel].read_at[0]
    finding = next(f for f in document["findings"] if nickel in f["citations"])  # type: ignore[attr-defined]
    finding["citations"] = [nickel, "gone-with-address", "gone-without-address"]
    sources["gone-with-address"] = {"title": "Gone", "url": "https://doi.org/10.1000/gone", "grade": "EO", "year": 2001}
    sources["gone-without-address"] = {"title": "Gone too", "url": None, "grade": "EO", "year": None}
    staff = staff_screening(document, kb, Lang.EN)
    reason = next(r for r in staff.reasons if r.sources and r.sources[0].title == kb.sources[nickel].title)
    assert [s.url for s in reason.sources] == [None, "https://doi.org/10.1000/gone", None]
