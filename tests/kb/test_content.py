"""Content rules for the knowledge base's texts that a loader schema cannot express."""

from __future__ import annotations

import re
from collections.abc import Iterator

from needlewise.domain.text import Text
from needlewise.engine.knowledge import KnowledgeBase

NUMBER = re.compile(r"\d+(?:\.\d+)?")
SPANISH_DECIMAL = re.compile(r"(\d),(\d)")  # 0,25 mm is how Spanish writes 0.25 mm


def _texts(kb: KnowledgeBase) -> Iterator[tuple[str, Text]]:
    yield "disclaimer", kb.disclaimer
    for tier, texts in kb.tier_texts.items():
        yield from ((f"tier {tier}", t) for t in (texts.title, texts.summary))
    yield from ((f"plan text {key}", text) for key, text in kb.plan_texts.items())
    for rule in kb.rules:
        texts = (rule.title, rule.advice, rule.seek_care_if, rule.evidence_note)
        yield from ((f"rule {rule.rule_id}", t) for t in texts if t is not None)
    for section in kb.sections:
        yield from ((f"section {section.section_id}", t) for t in (section.title, *section.steps))
    for schedule in kb.schedules:
        yield from ((f"schedule {schedule.goal}", t) for t in (schedule.interval, schedule.sessions))
    for question in kb.questions:
        labels = (option.label for option in question.options)
        extra = [t for t in (question.unsure_advice, question.none_label) if t is not None]
        yield from ((f"question {question.question_id}", t) for t in (question.text, *labels, *extra))


def test_spanish_texts_carry_the_same_numbers_as_english(kb: KnowledgeBase) -> None:
    mismatches = [
        (where, text.en)
        for where, text in _texts(kb)
        if sorted(NUMBER.findall(text.en)) != sorted(NUMBER.findall(SPANISH_DECIMAL.sub(r"\1.\2", text.es)))
    ]
    assert mismatches == []


def test_needle_lengths_are_never_called_depths(kb: KnowledgeBase) -> None:
    depth_claim = re.compile(r"\d(?:\.\d+)? ?mm (?:deep|depth)|depth of \d|(?:needling|needle) depth", re.IGNORECASE)
    offenders = [(where, text.en) for where, text in _texts(kb) if depth_claim.search(text.en)]
    assert offenders == []


def test_every_rule_that_forces_medical_review_or_stop_says_what_to_do(kb: KnowledgeBase) -> None:
    vague = [r.rule_id for r in kb.rules if max(t.rank for t in r.tiers.values()) >= 3 and len(r.advice.en) < 60]
    assert vague == []


def test_the_disclaimer_says_decision_support_not_diagnosis(kb: KnowledgeBase) -> None:
    assert "decision support, not a diagnosis" in kb.disclaimer.en
    assert "no un diagnóstico" in kb.disclaimer.es
