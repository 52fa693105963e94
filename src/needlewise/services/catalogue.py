"""The knowledge base and the questionnaire as JSON documents, in one language."""

from __future__ import annotations

from needlewise.domain.json_types import JsonValue
from needlewise.domain.vocabulary import Lang
from needlewise.engine.conditions import condition_to_json
from needlewise.engine.knowledge import KnowledgeBase, Question, Rule, Source


def kb_version_json(kb: KnowledgeBase) -> dict[str, JsonValue]:
    """``{"version": ..., "content_hash": ...}``."""
    return kb.version.to_json()


def questionnaire_json(kb: KnowledgeBase, lang: Lang) -> dict[str, JsonValue]:
    """Every question, its options, its ``ask_if`` condition and the answers "not sure" and "none" it takes.

    ``unsure`` says whether "not sure" (the JSON string ``"unsure"``) is an answer, and what to find
    out; ``none_label`` names the answer ``null`` where it means "never"; a list question takes ``[]``
    for "none of these".
    """
    return {
        "lang": lang.value,
        "kb_version": kb_version_json(kb),
        "questions": [_question(q, lang) for q in kb.questions],
    }


def _question(question: Question, lang: Lang) -> dict[str, JsonValue]:
    return {
        "id": question.question_id,
        "field": question.field,
        "kind": question.kind,
        "text": question.text.in_(lang),
        "help": question.help.in_(lang) if question.help else None,
        "nullable": question.nullable,
        "min": question.minimum,
        "max": question.maximum,
        "options": [{"value": o.value, "label": o.label.in_(lang)} for o in question.options],
        "ask_if": condition_to_json(question.ask_if) if question.ask_if else None,  # type: ignore[dict-item]
        "unsure": {"value": "unsure", "find_out": question.unsure_advice.in_(lang)} if question.unsure_advice else None,
        "none_label": question.none_label.in_(lang) if question.none_label else None,
    }


def rule_row(rule: Rule, lang: Lang) -> dict[str, JsonValue]:
    """One rule: tier per setting, severity, confidence, the brief's class, title, condition, sources."""
    return {
        "id": rule.rule_id,
        "group": rule.group,
        "tier": {s.value: t.value for s, t in rule.tiers.items()},
        "severity": rule.severity.value,
        "confidence": rule.confidence.value,
        "brief_class": rule.brief_class,
        "title": rule.title.in_(lang),
        "condition": condition_to_json(rule.condition),  # type: ignore[dict-item]
        "citations": list(rule.citations),
    }


def source_row(source: Source) -> dict[str, JsonValue]:
    """One bibliography entry with its evidence grade, as the public sees it (no reviewer fields)."""
    return {
        "id": source.source_id,
        "brief_ref": source.brief_ref,
        "title": source.title,
        "authors": source.authors,
        "year": source.year,
        "venue": source.venue,
        "url": source.url,
        "grade": source.grade.value,
        "public_note": source.public_note,
    }


def reviewer_source_row(source: Source) -> dict[str, JsonValue]:
    """:func:`source_row` plus what only reviewers see.

    The brief's other numbers for the same work, where the text was actually read, and the reviewer note.
    """
    return {
        **source_row(source),
        "also_brief_refs": list(source.also_brief_refs),
        "read_at": list(source.read_at),
        "note": source.note,
    }


def knowledge_json(kb: KnowledgeBase, lang: Lang) -> dict[str, JsonValue]:
    """Version, rules (with their conditions) and the bibliography."""
    return {
        "kb_version": kb_version_json(kb),
        "lang": lang.value,
        "rules": [rule_row(r, lang) for r in kb.rules],
        "sources": [source_row(s) for s in kb.sources.values()],
    }
