"""Read a typed answer to a questionnaire question (the interactive CLI, the web forms' text).

"Not sure" and "none of these" are words as well as buttons; nothing typed is no answer, never "no".
"""

from __future__ import annotations

import math

from needlewise.domain.profile import UNSURE_FIELDS
from needlewise.engine.knowledge import Question
from needlewise.errors import N_, Problem, ProfileError
from needlewise.services.profile_v2 import UNSURE

_YES = frozenset({"y", "yes", "s", "si", "sí", "true"})
_NO = frozenset({"n", "no", "false"})
UNSURE_WORDS = frozenset({"?", "unsure", "not sure", "dont know", "don't know", "no sé", "no se", "ns"})
NONE_WORDS = frozenset({"none", "never", "ninguno", "ninguna", "nunca", "nada"})


def read_answer(question: Question, text: str) -> object:
    """Turn typed text into the value for ``question``; raises ProfileError naming the field.

    "Not sure" (``unsure``, ``?``, ``no sé``) is an answer to every question that takes it, and
    "none" (``none``, ``ninguno``) the explicit answer "none of these" to a list question, or "never"
    to a question whose unknown value means never. Nothing typed is no answer: it is never read as
    "no" or "none".
    """
    raw = text.strip()
    word = _word_answer(question, raw.lower())
    if word is not _NO_WORD:
        return word
    if not raw:
        raise ProfileError([Problem.worded(question.field, _REQUIRED_MESSAGE[_choices(question)])])
    if question.kind == "boolean":
        lowered = raw.lower()
        if lowered in _YES or lowered in _NO:
            return lowered in _YES
        raise ProfileError([Problem.worded(question.field, N_("Answer yes or no, not “%(text)s”."), text=raw)])
    if question.kind in ("integer", "number"):
        return _number(question, raw)
    if question.kind == "procedures":
        return [_procedure(question, part.strip()) for part in raw.split(",") if part.strip()]
    picks = [_pick(question, part) for part in raw.replace(" ", ",").split(",") if part]
    if question.kind == "multi":
        return list(dict.fromkeys(picks))
    if len(picks) != 1:
        raise ProfileError([Problem.worded(question.field, N_("Choose exactly one option."))])
    return int(picks[0]) if question.kind == "scale" else picks[0]


_NO_WORD = object()


def _word_answer(question: Question, lowered: str) -> object:
    """The answer "not sure" or "none" where ``question`` takes it, else ``_NO_WORD``."""
    if lowered in UNSURE_WORDS and question.field in UNSURE_FIELDS:
        return UNSURE
    if lowered in NONE_WORDS and (question.kind in ("multi", "procedures") or question.none_label is not None):
        return [] if question.kind in ("multi", "procedures") else None
    return _NO_WORD


_REQUIRED_MESSAGE = {
    "plain": N_("An answer is required."),
    "unsure": N_("An answer is required: give one, or choose “Not sure”."),
    "list": N_("Choose the ones that apply, “None of these” or “Not sure”."),
}


def _choices(question: Question) -> str:
    if question.field not in UNSURE_FIELDS:
        return "plain"
    return "list" if question.kind in ("multi", "procedures") else "unsure"


def _pick(question: Question, part: str) -> str:
    values = [option.value for option in question.options]
    if part in values:
        return part
    if question.kind != "scale" and part.isascii() and part.isdecimal() and 1 <= int(part) <= len(values):
        return values[int(part) - 1]
    allowed = ", ".join(values) if question.kind == "scale" else ", ".join(f"{i}={v}" for i, v in enumerate(values, 1))
    raise ProfileError(
        [Problem.worded(question.field, N_("“%(text)s” is not an option (%(allowed)s)."), text=part, allowed=allowed)]
    )


def _finite(raw: str) -> float:
    """A typed decimal number (a comma or a point); ValueError for text, and for "nan", "inf" or "1e309"."""
    value = float(raw.replace(",", "."))
    if not math.isfinite(value):  # no number of years, weeks or millimetres
        raise ValueError(raw)
    return value


def _number(question: Question, raw: str) -> int | float:
    try:
        value: int | float = int(raw) if question.kind == "integer" else _finite(raw)
    except ValueError:
        raise ProfileError([Problem.worded(question.field, N_("“%(text)s” is not a number."), text=raw)]) from None
    low, high = question.minimum, question.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = {
            "text": raw,
            "low": f"{low:g}" if low is not None else "-",
            "high": f"{high:g}" if high is not None else "-",
        }
        raise ProfileError(
            [Problem.worded(question.field, N_("%(text)s is outside the range %(low)s to %(high)s."), **bounds)]
        )
    return value


def _procedure(question: Question, part: str) -> dict[str, object]:
    """``filler=6`` (or ``1=6``, by option number) -> a procedure 6 weeks ago."""
    name, _, weeks = part.partition("=")
    kind = _pick(question, name.strip())
    try:
        weeks_ago = _finite(weeks.strip())
    except ValueError:
        raise ProfileError(
            [Problem.worded(question.field, N_("Write each treatment as kind=weeks, not “%(text)s”."), text=part)]
        ) from None
    if weeks_ago < 0 or (question.maximum is not None and weeks_ago > question.maximum):
        raise ProfileError([Problem.worded(question.field, N_("%(text)s weeks is out of range."), text=weeks.strip())])
    return {"kind": kind, "weeks_ago": weeks_ago}
