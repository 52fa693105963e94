"""The plan's texts: each exists, and uses exactly its placeholders, in both languages."""

from __future__ import annotations

from string import Formatter

from needlewise.domain.text import Text
from needlewise.engine.plan import PLAN_TEXT_KEYS
from needlewise.errors import Problem
from needlewise.kb.older import OlderFormat
from needlewise.kb.schema import KbFileModel, TextModel
from needlewise.kb.suggestions import closest


def _as_text(model: TextModel) -> Text:
    return Text(model.en, model.es)


def build_plan_texts(model: KbFileModel, problems: list[Problem], older: OlderFormat | None) -> dict[str, Text]:
    """The plan texts; an older knowledge base's missing or unusable ones are noted and left empty."""
    if older is None:
        _check_plan_texts(model, problems)
        return {key: _as_text(text) for key, text in model.plan_texts.items()}
    found: list[Problem] = []
    unusable = _check_plan_texts(model, found)
    older.notes.extend(Problem(p.where, f"{p.message}; verdicts do not read it", p.suggestion) for p in found)
    return {key: Text("", "") if key in unusable else _as_text(model.plan_texts[key]) for key in PLAN_TEXT_KEYS}


def _check_plan_texts(model: KbFileModel, problems: list[Problem]) -> set[str]:
    """Each plan text exists, and uses exactly its placeholders, in both languages; the keys that do not."""
    unusable: set[str] = set()
    for key, wanted in PLAN_TEXT_KEYS.items():
        text = model.plan_texts.get(key)
        if text is None:
            problems.append(Problem(f"kb.yaml: plan_texts.{key}", "missing"))
            unusable.add(key)
            continue
        for lang, template in (("en", text.en), ("es", text.es)):
            try:
                used = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
            except ValueError as error:
                problems.append(Problem(f"kb.yaml: plan_texts.{key}.{lang}", f"bad template: {error}"))
                unusable.add(key)
                continue
            if used != set(wanted):
                expected = ", ".join("{" + w + "}" for w in wanted) or "no placeholders"
                problems.append(Problem(f"kb.yaml: plan_texts.{key}.{lang}", f"must use {expected}"))
                unusable.add(key)
    problems.extend(
        Problem(f"kb.yaml: plan_texts.{key}", "unknown plan text", closest(key, PLAN_TEXT_KEYS))
        for key in model.plan_texts
        if key not in PLAN_TEXT_KEYS
    )
    return unusable
