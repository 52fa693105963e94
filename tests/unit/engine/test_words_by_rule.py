"""A finding's words found again by its rule id: the very words the engine writes, in either language."""

from __future__ import annotations

import pytest

from factories import HOME_GLOW
from needlewise.domain.vocabulary import Area, Lang, Product
from needlewise.engine.evaluate import assess
from needlewise.engine.journal import TOO_SOON, HomeSession, session_findings
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.engine.words_by_rule import words_by_rule
from needlewise.services.profiles import parse_profile

#: A person with findings of every kind: rules that fire, and questions answered "not sure" or left out.
MIXED = {
    "profile_version": 2,
    "setting": "home",
    "age": 30,
    "goals": ["glow", "acne_scars"],
    "areas": ["under_eye"],
    "pregnant_or_breastfeeding": "unsure",
    "device": {"kind": "roller", "needle_mm": 1.0, "uses": 30, "shared": True},
    "medications": ["topical_retinoid"],
    "skin_now": ["sunburn"],
}


@pytest.mark.parametrize("lang", list(Lang))
def test_each_finding_is_worded_again_by_its_rule_id_as_the_engine_wrote_it(kb: KnowledgeBase, lang: Lang) -> None:
    words = words_by_rule(kb, lang)
    found = assess(parse_profile(MIXED), kb, lang).findings
    day = 740_000
    first, again = (
        HomeSession(on, 0.25, frozenset({Area.CHEEKS}), frozenset({Product.RETINOID_SERUM})) for on in (day, day + 1)
    )
    found += session_findings(kb, HOME_GLOW, [first], again, lang)
    ids = [f.rule_id for f in found]
    assert TOO_SOON in ids
    assert any(i.startswith("unsure-") for i in ids)
    assert any(i in {r.rule_id for r in kb.rules} for i in ids)
    for finding in found:
        written = finding.json_form()
        given = words[finding.rule_id]
        assert "title" in given
        assert {key: written[key] for key in given} == given


def test_an_id_the_knowledge_base_does_not_know_has_no_words(kb: KnowledgeBase) -> None:
    words = words_by_rule(kb, Lang.ES)
    assert "a-rule-since-removed" not in words
    assert words["unsure-pregnant"] == {"title": "No estás seguro/a: ¿Estás embarazada o en período de lactancia?"}
