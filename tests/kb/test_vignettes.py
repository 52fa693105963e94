"""Clinical vignettes: realistic worked cases whose expected tier comes from the research brief.

Each vignette in ``vignettes.yaml`` states the tier the evidence supports, the rules that must (and
must not) fire, optionally the expected home needle limit and the answers left open ("not sure"),
and the reason with the brief's section.
A failing vignette means either the vignette misread the brief or the knowledge base disagrees with
it; it is never fixed by copying the engine's answer.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from needlewise.domain.tier import Tier
from needlewise.engine.evaluate import assess, fired_rule_ids
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.services.profiles import parse_profile

VIGNETTES_PATH = Path(__file__).with_name("vignettes.yaml")
MIN_VIGNETTES = 120
MIN_PER_TIER = 6
REQUIRED_KEYS = frozenset({"id", "story", "profile", "tier", "must_fire", "reason"})
OPTIONAL_KEYS = frozenset({"must_not_fire", "home_needle_mm_max", "open_answers"})

Vignette = dict[str, Any]


def _load() -> list[Vignette]:
    data = yaml.safe_load(VIGNETTES_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, list), f"{VIGNETTES_PATH.name} must be a list of vignettes"
    return data


VIGNETTES = _load()


def _describe(vignette: Vignette, fired: list[str]) -> str:
    return f"[{vignette['id']}] {vignette['reason']}\n  fired rules: {fired}"


def test_there_are_enough_vignettes() -> None:
    assert len(VIGNETTES) >= MIN_VIGNETTES, f"{len(VIGNETTES)} vignettes, need at least {MIN_VIGNETTES}"


def test_every_tier_has_enough_vignettes() -> None:
    counts = Counter(v["tier"] for v in VIGNETTES)
    short = {tier.value: counts[tier.value] for tier in Tier if counts[tier.value] < MIN_PER_TIER}
    assert short == {}, f"tiers with fewer than {MIN_PER_TIER} vignettes: {short}"


def test_vignette_ids_are_unique() -> None:
    duplicates = sorted(i for i, n in Counter(v["id"] for v in VIGNETTES).items() if n > 1)
    assert duplicates == []


def test_both_settings_are_covered() -> None:
    assert {v["profile"]["setting"] for v in VIGNETTES} == {"home", "clinic"}


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_vignette_is_well_formed(kb: KnowledgeBase, vignette: Vignette) -> None:
    keys = set(vignette)
    missing_keys = sorted(REQUIRED_KEYS - keys)
    unknown_keys = sorted(keys - REQUIRED_KEYS - OPTIONAL_KEYS)
    assert missing_keys == [], f"[{vignette['id']}] missing keys: {missing_keys}"
    assert unknown_keys == [], f"[{vignette['id']}] unknown keys: {unknown_keys}"
    assert vignette["tier"] in {t.value for t in Tier}, f"[{vignette['id']}] unknown tier {vignette['tier']!r}"
    assert "§" in vignette["reason"], f"[{vignette['id']}] the reason must cite a section of the brief"
    known = {rule.rule_id for rule in kb.rules}
    named = set(vignette["must_fire"]) | set(vignette.get("must_not_fire", []))
    assert named <= known, f"[{vignette['id']}] unknown rule ids: {sorted(named - known)}"
    overlap = set(vignette["must_fire"]) & set(vignette.get("must_not_fire", []))
    assert overlap == set(), f"[{vignette['id']}] rules both required and forbidden: {sorted(overlap)}"


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_vignette(kb: KnowledgeBase, vignette: Vignette) -> None:
    profile = parse_profile(vignette["profile"])
    fired = fired_rule_ids(profile, kb)
    assessment = assess(profile, kb)
    about = _describe(vignette, fired)

    expected = Tier(vignette["tier"])
    assert assessment.tier is expected, f"expected {expected.value}, got {assessment.tier.value}\n{about}"

    missing = sorted(set(vignette["must_fire"]) - set(fired))
    assert missing == [], f"rules that should have fired did not: {missing}\n{about}"

    unwanted = sorted(set(vignette.get("must_not_fire", [])) & set(fired))
    assert unwanted == [], f"rules that must not fire did: {unwanted}\n{about}"

    if "open_answers" in vignette:
        opened = [answer.field for answer in assessment.open_answers]
        assert opened == vignette["open_answers"], (
            f"open answers: expected {vignette['open_answers']}, got {opened}\n{about}"
        )

    if "home_needle_mm_max" in vignette:
        want = vignette["home_needle_mm_max"]
        got = assessment.plan.home_needle_mm_max
        matches = got is None if want is None else got is not None and got == pytest.approx(want)
        assert matches, f"home_needle_mm_max: expected {want}, got {got}\n{about}"
