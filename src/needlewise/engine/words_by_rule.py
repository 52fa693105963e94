"""A finding's words found again by its rule id, in a language: for a record read in another language.

A stored finding (a referred journal's summary) holds its words in the language it was made in. A
reader of the other language reads them again from the knowledge base by the finding's ``rule_id``:
a rule's own words (title, advice, when to see a doctor, the evidence note), the home journal's
"too soon" finding's title and advice, and an open question's ("not sure") title. What the engine
composes from more than the id (an open question's advice, the "too soon" evidence note) is not
given: the reader keeps the stored words there, as for an id this knowledge base no longer knows.
"""

from __future__ import annotations

from collections.abc import Mapping

from needlewise.domain.vocabulary import Lang
from needlewise.engine.journal import TOO_SOON
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.engine.plan import UNSURE_TITLE

#: The parts of a finding's JSON form that hold words.
Words = Mapping[str, str | None]


def words_by_rule(kb: KnowledgeBase, lang: Lang) -> dict[str, Words]:
    """Each rule id's words in ``lang`` as the engine writes them (its JSON form's keys), by rule id."""
    words: dict[str, Words] = {
        rule.rule_id: {
            "title": rule.title.in_(lang),
            "advice": rule.advice.in_(lang),
            "seek_care_if": rule.seek_care_if.in_(lang) if rule.seek_care_if else None,
            "evidence_note": rule.evidence_note.in_(lang),
        }
        for rule in kb.rules
    }
    policy = kb.treatment.home_journal
    words[TOO_SOON] = {"title": policy.too_soon_title.in_(lang), "advice": policy.too_soon_advice.in_(lang)}
    unsure = kb.plan_texts[UNSURE_TITLE].in_(lang)
    for question in kb.questions:
        words.setdefault(f"unsure-{question.question_id}", {"title": unsure.format(question=question.text.in_(lang))})
    return words
