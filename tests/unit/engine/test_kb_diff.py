"""Rule and verdict differences between two knowledge bases, on edited copies of the real one."""

from __future__ import annotations

from dataclasses import replace
from itertools import count

import pytest

from factories import make_profile
from needlewise.domain.assessment import KbVersion
from needlewise.domain.text import Text
from needlewise.domain.tier import Severity, Tier
from needlewise.domain.vocabulary import Setting
from needlewise.engine.conditions import Comparison, Operator
from needlewise.engine.kb_diff import (
    RuleChange,
    Verdict,
    VerdictChange,
    compare_verdicts,
    diff_rules,
    rule_changes,
    tier_counts,
    verdict,
    verdicts,
)
from needlewise.engine.knowledge import KnowledgeBase, Rule

_HASHES = count()


def _with_rules(kb: KnowledgeBase, rules: list[Rule]) -> KnowledgeBase:
    """``kb`` with other rules, under a content hash of its own (compiled rules are cached by hash)."""
    return replace(kb, rules=tuple(rules), version=KbVersion("9.9.9", f"sha256:test-{next(_HASHES)}"))


def _rule(kb: KnowledgeBase, rule_id: str) -> Rule:
    return next(r for r in kb.rules if r.rule_id == rule_id)


def test_the_same_knowledge_base_has_no_difference(kb: KnowledgeBase) -> None:
    diff = diff_rules(kb, kb)
    assert diff.empty
    assert (diff.added, diff.removed, diff.changed) == ((), (), ())


def test_added_removed_and_changed_rules(kb: KnowledgeBase) -> None:
    keloid = _rule(kb, "keloid-tendency")
    softer = replace(keloid, tiers={Setting.HOME: Tier.MEDICAL_REVIEW, Setting.CLINIC: Tier.MEDICAL_REVIEW})
    new_rule = replace(keloid, rule_id="brand-new-rule")
    rules = [softer if r is keloid else r for r in kb.rules if r.rule_id != "sunburn"] + [new_rule]
    diff = diff_rules(kb, _with_rules(kb, rules))
    assert not diff.empty
    assert [r.rule_id for r in diff.added] == ["brand-new-rule"]
    assert [r.rule_id for r in diff.removed] == ["sunburn"]
    assert [c.rule_id for c in diff.changed] == ["keloid-tendency"]
    (change,) = diff.changed
    assert change.kinds == ("tier",)
    assert [(f.field, f.old, f.new) for f in change.changes] == [("tier.home", "stop", "medical_review")]


def test_every_kind_of_rule_change_is_named(kb: KnowledgeBase) -> None:
    old = _rule(kb, "keloid-tendency")
    new = replace(
        old,
        tiers={Setting.HOME: Tier.STOP},
        condition=Comparison("age", Operator.LT, 18),
        citations=(*old.citations, "another-source"),
        title=Text(old.title.en, old.title.es + "!"),
        advice=Text(old.advice.en + "!", old.advice.es),
        seek_care_if=None,
        home_needle_cap_mm=0.2,
        blocks_home=not old.blocks_home,
        severity=Severity.LOW,
        brief_class=None,
        examples=(),
    )
    changes = rule_changes(old, new)
    by_field = {c.field: c for c in changes}
    assert by_field["tier.clinic"].new is None
    assert by_field["condition"].new == {"field": "age", "op": "lt", "value": 18}
    assert by_field["citations"].new == [*old.citations, "another-source"]
    assert {"title.es", "advice.en", "seek_care_if.en", "seek_care_if.es"} <= set(by_field)
    assert by_field["seek_care_if.en"].new is None
    assert by_field["home_needle_cap_mm"].new == 0.2
    assert by_field["blocks_home"].new is (not old.blocks_home)
    assert by_field["severity"].new == "low"
    assert by_field["brief_class"].new is None
    assert by_field["examples"].old == len(old.examples)
    assert by_field["examples"].new == 0
    kinds = RuleChange(old.rule_id, changes).kinds
    assert kinds == ("tier", "condition", "citations", "texts", "home_needle", "other")


def test_verdict_has_tier_sorted_rules_and_home_limit(kb: KnowledgeBase) -> None:
    profile = make_profile(goals=["glow"], areas=["under_eye"], fitzpatrick=5)
    result = verdict(profile, kb)
    assert result.tier is Tier.HOME_CAUTION
    assert list(result.fired) == sorted(result.fired)
    assert result.home_needle_mm_max == 0.2
    assert result.to_json() == {"tier": "home_caution", "fired": list(result.fired), "home_needle_mm_max": 0.2}


def test_verdict_changes_between_knowledge_bases(kb: KnowledgeBase) -> None:
    cases = {"keloid": make_profile(history=["keloid"]), "glow": make_profile(goals=["glow"])}
    keloid = _rule(kb, "keloid-tendency")
    softer = replace(keloid, tiers={Setting.HOME: Tier.MEDICAL_REVIEW, Setting.CLINIC: Tier.MEDICAL_REVIEW})
    changed = _with_rules(kb, [softer if r is keloid else r for r in kb.rules])
    changes = compare_verdicts(verdicts(cases, kb), verdicts(cases, changed))
    assert [c.case_id for c in changes] == ["keloid"]
    (change,) = changes
    assert change.what == ("tier",)
    assert change.direction == "lowered"
    assert (change.fired_added, change.fired_removed) == ((), ())


def test_fired_rules_and_home_limit_changes_without_a_tier_change() -> None:
    old = Verdict(Tier.HOME_OK, ("a", "b"), 0.3)
    new = Verdict(Tier.HOME_OK, ("b", "c"), 0.2)
    (change,) = compare_verdicts({"x": old}, {"x": new})
    assert change.what == ("fired", "home_needle_mm_max")
    assert change.direction == "same"
    assert change.fired_added == ("c",)
    assert change.fired_removed == ("a",)


def test_cases_on_one_side_only() -> None:
    stop = Verdict(Tier.STOP, ("a",), None)
    changes = compare_verdicts({"gone": stop, "same": stop}, {"same": stop, "new": stop})
    assert [(c.case_id, c.what, c.direction) for c in changes] == [
        ("new", ("added",), "same"),
        ("gone", ("removed",), "same"),
    ]
    assert changes[0].fired_added == ("a",)
    assert changes[0].fired_removed == ()
    assert changes[1].fired_added == ()
    assert changes[1].fired_removed == ("a",)


@pytest.mark.parametrize(
    ("old", "new", "direction"),
    [(Tier.HOME_OK, Tier.STOP, "raised"), (Tier.STOP, Tier.CLINIC, "lowered"), (Tier.CLINIC, Tier.CLINIC, "same")],
)
def test_direction_of_a_tier_change(old: Tier, new: Tier, direction: str) -> None:
    change = VerdictChange("x", Verdict(old, (), None), Verdict(new, ("r",), None))
    assert change.direction == direction


def test_tier_counts() -> None:
    up = VerdictChange("a", Verdict(Tier.HOME_OK, (), None), Verdict(Tier.STOP, (), None))
    down = VerdictChange("b", Verdict(Tier.STOP, (), None), Verdict(Tier.HOME_OK, (), None))
    same = VerdictChange("c", None, Verdict(Tier.STOP, (), None))
    assert tier_counts([up, down, same, up]) == {"raised": 2, "lowered": 1, "same": 1}
