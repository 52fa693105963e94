"""Treatment findings in words, in the reader's language: plans' and sessions' warnings and blocks.

The engine's findings carry codes and numbers; the clinical text they point to (a zone's caution, a
product's or a numbing warning, a range's note) is the knowledge base's own, in the reader's
language. The sentences around it are translated with Django's catalogues.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext, gettext_noop, override

from needlewise.domain.text import Text
from needlewise.domain.treatment import Finding
from needlewise.domain.vocabulary import Lang
from needlewise.engine import treatment as codes
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.reports.numbers import format_number


def millimetres(value: object) -> str:
    """A length as people write it: ``0.75``, ``1``, ``2.5``."""
    return f"{float(str(value)):g}"


def label(kb: KnowledgeBase, vocabulary: str, value: object, lang: Lang) -> str:
    """A vocabulary value's label in ``lang`` (the value itself if the knowledge base no longer has it)."""
    term = kb.vocabulary.get(vocabulary, {}).get(str(value))
    return term.label.in_(lang) if term is not None else str(value)


def _numbing_text(kb: KnowledgeBase, warning_id: object) -> Text | None:
    policy = kb.treatment.numbing
    warnings = (
        policy.compounded,
        policy.over_strength,
        policy.large_area,
        policy.occlusion,
        policy.broken_skin,
        policy.heat,
    )
    return next((w.text for w in warnings if w.warning_id == warning_id), None)


def _kb_text(finding: Finding, kb: KnowledgeBase, lang: Lang) -> str:
    """The knowledge base's own text a warning points to (a note when it no longer has it)."""
    details, treatment = finding.details, kb.treatment
    found: Text | None
    if finding.code == codes.ZONE_NOTE:
        found = next((n.text for n in treatment.zone_notes if n.zone == details.get("note")), None)
    elif finding.code == codes.PRODUCT_FLAG:
        found = next((f.warning.text for f in treatment.product_flags if f.product == details.get("product")), None)
    elif finding.code == codes.NUMBING_WARNING:
        found = _numbing_text(kb, details.get("warning"))
    else:  # NO_CONFIRMED_RANGE: the range's own note says why
        found = next((r.note for r in treatment.ranges if r.goal == details.get("goal")), None)
    return found.in_(lang) if found else gettext("(this text is no longer in the knowledge base)")


#: English sentence per finding code; ``True`` where the knowledge base's text follows it.
SENTENCES: Mapping[str, tuple[str, bool]] = {
    codes.ABOVE_RANGE: (
        gettext_noop(
            "%(zone)s: %(length)s mm is above the longest needle the knowledge base reports for %(goal)s (%(max)s mm)."
        ),
        False,
    ),
    codes.BELOW_RANGE: (
        gettext_noop("%(zone)s: %(length)s mm is shorter than the needles studied for %(goal)s (from %(min)s mm)."),
        False,
    ),
    codes.NO_CONFIRMED_RANGE: (
        gettext_noop("%(goal)s: no confirmed needle length range."),
        True,
    ),
    codes.ABOVE_SCOPE: (
        gettext_noop(
            "%(zone)s: %(length)s mm is above the practitioner's scope (%(scope)s mm); a nurse or provider must "
            "treat this zone."
        ),
        False,
    ),
    codes.ZONE_NOTE: (gettext_noop("%(zone)s at %(length)s mm:"), True),
    codes.PRODUCT_FLAG: (gettext_noop("%(product)s:"), True),
    codes.NUMBING_WARNING: (gettext_noop("Numbing cream:"), True),
}


def describe(finding: Finding, kb: KnowledgeBase, lang: Lang) -> str:
    """The finding in words in ``lang``, followed by the knowledge base's text where it points to one.

    A code this module does not know is shown as it is (the engine added a check; words must follow).
    """
    if finding.code not in SENTENCES:
        return finding.code
    template, with_text = SENTENCES[finding.code]
    details = finding.details
    params = {
        "zone": label(kb, "areas", details.get("zone", ""), lang),
        "goal": label(kb, "goals", details.get("goal", ""), lang),
        "product": label(kb, "planned_products", details.get("product", ""), lang),
        "length": format_number(millimetres(details.get("length_mm", 0)), lang),
        "max": format_number(millimetres(details.get("max_mm", 0)), lang),
        "min": format_number(millimetres(details.get("min_mm", 0)), lang),
        "scope": format_number(millimetres(details.get("scope_mm", 0)), lang),
    }
    with override(lang.value):
        sentence = gettext(template) % params
        return f"{sentence} {_kb_text(finding, kb, lang)}" if with_text else sentence
