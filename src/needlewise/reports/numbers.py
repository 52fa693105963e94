"""Numbers as a reader of each language writes them: 0.25 mm in English, 0,25 mm in Spanish.

Only what people read is localised. JSON output, form values sent back to the server and links keep
the machine form (a decimal point), which the answer parser also accepts with a comma.
"""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

from needlewise.domain.assessment import Assessment, Finding
from needlewise.domain.vocabulary import Lang

# A decimal number such as 0.25 or 1.5, but not a version (1.0.0), a dotted list (3.2.1) or a
# number followed by another dot and digit.
_DECIMAL = re.compile(r"(?<![\d.])(\d+)\.(\d+)(?!\.?\d)")


def local_decimals(text: str, lang: Lang) -> str:
    """``text`` with its decimal numbers written as ``lang`` writes them (a comma in Spanish)."""
    if lang is not Lang.ES:
        return text
    return _DECIMAL.sub(r"\1,\2", text)


# A decimal number written by a program: digits, a decimal point, digits.
_NUMBER = re.compile(r"-?\d+\.\d+")


def format_number(value: float | Decimal | str, lang: Lang) -> str:
    """``value`` for a reader: no trailing zeros, the decimal mark of ``lang`` (``0,25`` in Spanish).

    ``Decimal("1.50")`` is ``1.5``, ``8.0`` is ``8``: the one place pages, PDFs and the CLI write a number from.

    A string (a number already written, as in a message's parameters) only gets the decimal mark, and
    only if it is a decimal number (``"0.50"`` as ``"0,50"``); any other text (a lot ``"LOT-1.5"``, a
    serial ``"007"``, a date) comes back as it is.
    """
    if isinstance(value, str):
        return value.replace(".", ",") if lang is Lang.ES and _NUMBER.fullmatch(value) else value
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = f"{number.normalize():f}"
    return text.replace(".", ",") if lang is Lang.ES else text


def for_readers(assessment: Assessment) -> Assessment:
    """A copy of ``assessment`` whose texts write numbers as its language does (for pages and reports)."""
    lang = Lang(assessment.lang)
    if lang is not Lang.ES:
        return assessment

    def local(text: str) -> str:
        return local_decimals(text, lang)

    def finding(f: Finding) -> Finding:
        text = dataclasses.replace(
            f.text,
            title=local(f.title),
            advice=local(f.advice),
            seek_care_if=local(f.seek_care_if) if f.seek_care_if else f.seek_care_if,
            evidence_note=local(f.evidence_note),
        )
        return Finding.of(text, f.facts)

    plan = assessment.plan
    plan = dataclasses.replace(
        plan,
        needle_summary=local(plan.needle_summary),
        schedules=tuple(
            dataclasses.replace(
                s, goal_label=local(s.goal_label), interval=local(s.interval), sessions=local(s.sessions)
            )
            for s in plan.schedules
        ),
        sections=tuple(
            dataclasses.replace(s, title=local(s.title), steps=tuple(local(step) for step in s.steps))
            for s in plan.sections
        ),
    )
    return dataclasses.replace(
        assessment,
        tier_title=local(assessment.tier_title),
        tier_summary=local(assessment.tier_summary),
        findings=tuple(finding(f) for f in assessment.findings),
        plan=plan,
        disclaimer=local(assessment.disclaimer),
    )
