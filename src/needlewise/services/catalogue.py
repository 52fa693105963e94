"""The knowledge base and the questionnaire as JSON documents, in one language."""

from __future__ import annotations

from needlewise.domain.assessment import JsonValue
from needlewise.domain.vocabulary import Lang
from needlewise.engine.conditions import condition_to_json
from needlewise.engine.knowledge import KnowledgeBase, Question


def kb_version_json(kb: KnowledgeBase) -> dict[str, JsonValue]:
    """``{"version": ..., "content_hash": ...}``."""
    return kb.version.to_json()


def questionnaire_json(kb: KnowledgeBase, lang: Lang) -> dict[str, JsonValue]:
    """Every question, its options and its ``ask_if`` condition."""
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
    }


def knowledge_json(kb: KnowledgeBase, lang: Lang) -> dict[str, JsonValue]:
    """Version, rules (with their conditions) and the bibliography."""
    return {
        "kb_version": kb_version_json(kb),
        "lang": lang.value,
        "rules": [
            {
                "id": r.rule_id,
                "group": r.group,
                "tier": {s.value: t.value for s, t in r.tiers.items()},
                "severity": r.severity.value,
                "confidence": r.confidence.value,
                "brief_class": r.brief_class,
                "title": r.title.in_(lang),
                "condition": condition_to_json(r.condition),  # type: ignore[dict-item]
                "citations": list(r.citations),
            }
            for r in kb.rules
        ],
        "sources": [
            {
                "id": s.source_id,
                "brief_ref": s.brief_ref,
                "title": s.title,
                "authors": s.authors,
                "year": s.year,
                "venue": s.venue,
                "url": s.url,
                "grade": s.grade.value,
                "note": s.note,
            }
            for s in kb.sources.values()
        ],
    }
