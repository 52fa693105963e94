"""The journal page's long lists as lines of words: each logged session and each skin check, newest first.

A journal holds up to 500 sessions and 1,000 skin checks. Written out here (dates in words, labels
and numbers in the page's language), the template only places each line's parts, a few attribute
reads a line instead of the dozens of template calls a line took when the template looked every
label up itself (``docs/benchmarks.md``, the journal page). What a line says is unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import ngettext

from needlewise.domain.assessment import Finding, FindingText
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.services.journal_state import JournalView
from needlewise.web.jinja import active_lang, long_date, plain_number
from needlewise.web.journal_findings import EarlierFinding


@dataclass(frozen=True, slots=True)
class SessionLine:
    """A logged session as the page lists it."""

    day: str  # in words: 7 December 2026
    needle: str  # the needle's length as the language writes it: 0,25
    areas: str  # the areas' names, comma-separated, in a fixed order
    products: str  # the products applied afterwards, likewise; empty when none
    findings: tuple[Finding, ...]
    found: str  # "2 findings"; empty when none
    texts: tuple[FindingText, ...]  # what the findings say: the same texts give the same fold (web/fragments.py)


@dataclass(frozen=True, slots=True)
class CheckLine:
    """A skin check as the page's history lists it."""

    day: str
    triage: str  # expected, call_clinic or seek_care_now
    after: str  # "1 day after the session of 6 December 2026"
    said: str  # the questions answered yes, "; "-separated; empty when none
    unsure: str  # those answered "not sure" (treated as yes), likewise
    advice: str


def session_lines(view: JournalView, kb: KnowledgeBase) -> list[SessionLine]:
    """``view``'s sessions, newest first, in the active language."""
    lang = active_lang()
    areas, products = kb.vocabulary["areas"], kb.vocabulary["planned_products"]
    return [
        SessionLine(
            long_date(s.entry.on),
            plain_number(s.entry.needle_mm),
            ", ".join(areas[a.value].label.in_(lang) for a in sorted(s.entry.areas)),
            ", ".join(products[p.value].label.in_(lang) for p in sorted(s.entry.products)),
            s.findings,
            _found(len(s.findings)),
            tuple(f.text for f in s.findings),
        )
        for s in reversed(view.sessions)
    ]


def _found(count: int) -> str:
    return ngettext("%(num)s finding", "%(num)s findings", count) % {"num": count} if count else ""


def check_lines(view: JournalView) -> list[CheckLine]:
    """``view``'s skin checks, newest first, in the active language."""
    lines = []
    for check in reversed(view.checks):
        entry = check.entry
        after = ngettext(
            "%(num)s day after the session of %(date)s", "%(num)s days after the session of %(date)s", entry.day
        ) % {"num": entry.day, "date": long_date(entry.session_on)}
        said = "; ".join(text for _key, text, answer in check.answers if answer.value == "yes")
        unsure = "; ".join(text for _key, text, answer in check.answers if answer.value == "not_sure")
        lines.append(CheckLine(long_date(entry.on), entry.triage.value, after, said, unsure, check.advice))
    return lines


def earlier_words(earlier: Sequence[EarlierFinding]) -> list[str]:
    """For each finding of earlier sessions, the sessions it came from: "From the sessions of 6 and 2 December"."""
    return [
        ngettext("From the session of %(dates)s.", "From the sessions of %(dates)s.", len(e.days))
        % {"num": len(e.days), "dates": ", ".join(long_date(day) for day in e.days)}
        for e in earlier
    ]
