"""Assess one profile document (v2 or v1), or a JSON Lines batch of them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from needlewise.domain.assessment import Assessment
from needlewise.domain.json_types import JsonValue
from needlewise.domain.vocabulary import Lang
from needlewise.engine.evaluate import assess
from needlewise.engine.gaps import relevant_gaps
from needlewise.engine.knowledge import Gap, KnowledgeBase
from needlewise.errors import Problem, ProfileError
from needlewise.services.profiles import parse_profile, parse_profile_json


def assess_profile_json(text: str | bytes, kb: KnowledgeBase, lang: Lang = Lang.EN) -> Assessment:
    """Parse one profile JSON document (v2 or v1) and assess it; raises ProfileError if it is invalid."""
    return assess(parse_profile_json(text), kb, lang)


def assess_profile_data(data: object, kb: KnowledgeBase, lang: Lang = Lang.EN) -> Assessment:
    """Assess already-decoded profile data (v2 or v1); raises ProfileError if it is invalid."""
    return assess(parse_profile(data), kb, lang)


@dataclass(frozen=True, slots=True)
class LineResult:
    """The outcome for one line of a batch: an assessment, or the problems that line had."""

    line: int
    assessment: Assessment | None
    problems: tuple[Problem, ...] = ()

    def to_json(self) -> dict[str, JsonValue]:
        """The assessment's JSON, or an error object naming the line and the field."""
        if self.assessment is not None:
            return self.assessment.to_json()
        first = self.problems[0]
        return {
            "error": {
                "line": self.line,
                "field": first.where,
                "message": first.message,
                "suggestion": first.suggestion,
                "problems": [
                    {"field": p.where, "message": p.message, "suggestion": p.suggestion} for p in self.problems
                ],
            }
        }


def assess_json_lines(lines: Iterable[str], kb: KnowledgeBase, lang: Lang = Lang.EN) -> Iterator[LineResult]:
    """One result per input line, in order; a bad line gives an error result and the rest go on."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            yield LineResult(number, None, (Problem("(input)", "empty line: expected one JSON profile"),))
            continue
        try:
            yield LineResult(number, assess_profile_json(line, kb, lang))
        except ProfileError as error:
            yield LineResult(number, None, error.problems)


def split_json_lines(text: str) -> list[str]:
    """Lines of a JSON Lines text; a final newline does not start another line."""
    return text.removesuffix("\n").split("\n")


def looks_like_single_document(text: str) -> bool:
    """Whether ``text`` is one JSON value (possibly spread over several lines)."""
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def gaps_for(document: object, kb: KnowledgeBase) -> tuple[Gap, ...]:
    """The gaps in the evidence that matter to these answers (none for a document that does not parse)."""
    try:
        profile = parse_profile(document)
    except ProfileError:
        return ()
    return relevant_gaps(profile, kb)
