"""Every treatment finding code in words, with the knowledge base's own text in the reader's language."""

from __future__ import annotations

import pytest

from needlewise.clinic.treatment.finding_words import SENTENCES, describe, label, millimetres
from needlewise.domain.treatment import Finding, FindingLevel
from needlewise.domain.vocabulary import Lang
from needlewise.engine import treatment as codes
from needlewise.engine.treatment import NumbingUse, length_findings, numbing_findings, product_findings

WARN, BLOCK = FindingLevel.WARN, FindingLevel.BLOCK


def test_every_engine_code_has_words():
    engine_codes = {value for name, value in vars(codes).items() if name.isupper() and isinstance(value, str)}
    assert engine_codes == set(SENTENCES)


def test_lengths_and_scope_in_words(kb):
    above = Finding(codes.ABOVE_RANGE, BLOCK, {"zone": "cheeks", "length_mm": 2.5, "goal": "acne_scars", "max_mm": 2.0})
    assert describe(above, kb, Lang.EN) == (
        "Cheeks: 2.5 mm is above the longest needle the knowledge base reports for Acne scars (2 mm)."
    )
    below = Finding(codes.BELOW_RANGE, WARN, {"zone": "forehead", "length_mm": 0.25, "goal": "texture", "min_mm": 0.5})
    assert describe(below, kb, Lang.EN) == (
        "Forehead: 0.25 mm is shorter than the needles studied for Smoother skin texture (from 0.5 mm)."
    )
    scope = Finding(codes.ABOVE_SCOPE, BLOCK, {"zone": "cheeks", "length_mm": 0.75, "scope_mm": 0.5})
    assert describe(scope, kb, Lang.EN) == (
        "Cheeks: 0.75 mm is above the practitioner's scope (0.5 mm); a nurse or provider must treat this zone."
    )


def test_the_labels_follow_the_language(kb):
    above = Finding(codes.ABOVE_RANGE, BLOCK, {"zone": "cheeks", "length_mm": 2.5, "goal": "acne_scars", "max_mm": 2.0})
    text = describe(above, kb, Lang.ES)
    assert kb.vocabulary["areas"]["cheeks"].label.es in text
    assert kb.vocabulary["goals"]["acne_scars"].label.es in text
    assert "2,5 mm" in text
    assert "(2 mm)" in text
    scope = Finding(codes.ABOVE_SCOPE, BLOCK, {"zone": "cheeks", "length_mm": 0.75, "scope_mm": 0.5})
    spanish = describe(scope, kb, Lang.ES)
    assert "0,75 mm" in spanish
    assert "(0,5 mm)" in spanish


def test_an_unconfirmed_range_quotes_the_range_note(kb):
    (finding,) = length_findings(kb.treatment, ["scars"], {}, None)
    note = kb.treatment.range_for("scars").note
    assert describe(finding, kb, Lang.EN) == (
        f"{kb.vocabulary['goals']['scars'].label.en}: no confirmed needle length range. {note.en}"
    )
    assert describe(finding, kb, Lang.ES).endswith(note.es)


@pytest.mark.parametrize("lang", list(Lang))
def test_zone_product_and_numbing_warnings_quote_the_knowledge_base(kb, lang):
    zone_note = next(n for n in kb.treatment.zone_notes if n.zone == "under_eye")
    (finding,) = length_findings(kb.treatment, ["glow"], {"under_eye": 0.25}, None)
    text = describe(finding, kb, lang)
    assert text.startswith(f"{kb.vocabulary['areas']['under_eye'].label.in_(lang)} ")
    assert text.endswith(zone_note.text.in_(lang))
    (product,) = product_findings(kb.treatment, ["vitamin_c_serum"])
    flag = next(f for f in kb.treatment.product_flags if f.product == "vitamin_c_serum")
    assert describe(product, kb, lang) == (
        f"{kb.vocabulary['planned_products']['vitamin_c_serum'].label.in_(lang)}: {flag.warning.text.in_(lang)}"
    )
    use = NumbingUse(9.0, compounded=True, zones=frozenset({"body"}), occluded=True, broken_skin=True, heat=True)
    policy = kb.treatment.numbing
    warnings = (policy.compounded, policy.over_strength, policy.large_area, policy.occlusion, policy.broken_skin)
    expected = [w.text.in_(lang) for w in (*warnings, policy.heat)]
    assert [describe(f, kb, lang).split(": ", 1)[1] for f in numbing_findings(kb.treatment, use)] == expected


@pytest.mark.parametrize(
    "finding",
    [
        Finding(codes.ZONE_NOTE, WARN, {"zone": "cheeks", "length_mm": 1.0, "note": "gone"}),
        Finding(codes.PRODUCT_FLAG, WARN, {"product": "gone", "warning": "gone"}),
        Finding(codes.NUMBING_WARNING, WARN, {"warning": "gone"}),
        Finding(codes.NO_CONFIRMED_RANGE, WARN, {"goal": "gone"}),
    ],
)
def test_a_warning_the_knowledge_base_no_longer_has_says_so(kb, finding):
    assert describe(finding, kb, Lang.EN).endswith("(this text is no longer in the knowledge base)")


def test_an_unknown_code_is_shown_as_it_is(kb):
    assert describe(Finding("new_check", WARN, {}), kb, Lang.EN) == "new_check"


def test_labels_and_lengths_as_people_write_them(kb):
    assert label(kb, "areas", "elbow", Lang.EN) == "elbow"
    assert label(kb, "nothing", "x", Lang.ES) == "x"
    assert [millimetres(v) for v in (1.0, 0.75, "2.50", 2)] == ["1", "0.75", "2.5", "2"]
