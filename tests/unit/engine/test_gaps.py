"""A result lists only the gaps in the evidence that matter to its answers."""

from __future__ import annotations

from needlewise.engine.gaps import relevant_gaps
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.services.assessments import gaps_for
from needlewise.services.profiles import parse_profile

GLOW = {"setting": "home", "age": 30, "goals": ["glow"], "device": {"kind": "roller", "needle_mm": 0.25, "uses": 0}}


def _ids(document: dict[str, object], kb: KnowledgeBase) -> list[str]:
    return [gap.gap_id for gap in relevant_gaps(parse_profile(document), kb)]


def test_a_healthy_glow_result_lists_only_the_home_gaps(kb: KnowledgeBase) -> None:
    ids = _ids(GLOW, kb)
    assert "no-home-roller-trials" in ids
    assert "length-is-not-depth" in ids
    for unrelated in (
        "hiv-route-not-pinpointed",
        "no-pregnancy-studies",
        "hair-trials-small",
        "england-final-tiers-unverified",
    ):
        assert unrelated not in ids
    assert len(ids) < len(kb.gaps) / 3


def test_gaps_follow_the_answers(kb: KnowledgeBase) -> None:
    assert "no-pregnancy-studies" in _ids({**GLOW, "pregnant_or_breastfeeding": True}, kb)
    assert "hair-trials-small" in _ids({**GLOW, "goals": ["hair_loss"]}, kb)
    clinic = {"setting": "clinic", "age": 30, "goals": ["acne_scars"]}
    assert "no-home-roller-trials" not in _ids(clinic, kb)
    assert "acne-no-recommendation" in _ids(clinic, kb)


def test_a_gap_that_could_matter_to_a_not_sure_answer_is_listed(kb: KnowledgeBase) -> None:
    unsure = {**GLOW, "profile_version": 2, "pregnant_or_breastfeeding": "unsure"}
    assert "no-pregnancy-studies" in _ids(unsure, kb)


def test_general_gaps_are_never_on_a_result(kb: KnowledgeBase) -> None:
    general = {gap.gap_id for gap in kb.gaps if gap.applies_if is None}
    assert general
    everything = {
        "setting": "home",
        "age": 30,
        "goals": ["glow", "hair_loss", "melasma", "stretch_marks", "acne_scars"],
        "pregnant_or_breastfeeding": True,
        "history": ["metal_allergy", "keloid", "frequent_cold_sores"],
        "device": {"kind": "pen", "needle_mm": 1.5, "uses": 40, "shared": True},
        "planned_products": ["prp", "numbing_cream", "vitamin_c_serum"],
    }
    assert not general & set(_ids(everything, kb))


def test_answers_that_do_not_parse_have_no_gaps(kb: KnowledgeBase) -> None:
    assert gaps_for({"setting": "spa"}, kb) == ()
    assert gaps_for(GLOW, kb) == relevant_gaps(parse_profile(GLOW), kb)
