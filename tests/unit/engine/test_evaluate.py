"""What an assessment contains, on the real knowledge base."""

from __future__ import annotations

import dataclasses

import pytest

from factories import make_profile
from needlewise.domain.assessment import ASSESSMENT_SCHEMA
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang, Setting
from needlewise.engine import evaluate as evaluate_module
from needlewise.engine import plan as plan_module
from needlewise.engine import prepared as prepared_module
from needlewise.engine import unsure as unsure_module
from needlewise.engine.evaluate import assess, fired_rule_ids
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.engine.prepared import prepare, prepared_for
from needlewise.services.profiles import parse_profile


def test_healthy_glow_at_home_is_home_ok_with_the_home_cap(kb: KnowledgeBase) -> None:
    result = assess(make_profile(goals=["glow"], device={"kind": "roller", "needle_mm": 0.25, "uses": 0}), kb)
    assert result.tier is Tier.HOME_OK
    assert result.plan.home_needle_mm_max == 0.3
    assert result.plan.home_needle_mm_preferred == 0.25
    assert [s.where for s in result.plan.schedules] == ["home"]
    sections = [s.section_id for s in result.plan.sections]
    assert sections == ["home-preparation", "home-disinfection", "device-replacement", "aftercare", "red-flags"]


def test_verdict_is_the_highest_finding_and_findings_are_ordered_by_tier(kb: KnowledgeBase) -> None:
    result = assess(make_profile(goals=["acne_scars"], skin_now=["cold_sore"], fitzpatrick=5), kb)
    assert result.tier is Tier.STOP
    assert [f.tier for f in result.findings] == [Tier.STOP, Tier.CLINIC, Tier.HOME_CAUTION]
    assert result.plan.home_needle_mm_max is None
    assert not any(s.section_id.startswith("home-") for s in result.plan.sections)


def test_area_limits_take_the_shortest(kb: KnowledgeBase) -> None:
    result = assess(make_profile(goals=["glow"], areas=["forehead", "under_eye", "cheeks"]), kb)
    assert result.plan.home_needle_mm_max == 0.2
    assert result.plan.home_needle_mm_preferred == 0.2
    assert "0.2 mm" in result.plan.needle_summary


def test_goals_only_a_clinic_can_reach_close_home_use_and_say_why(kb: KnowledgeBase) -> None:
    result = assess(make_profile(goals=["acne_scars", "melasma"]), kb)
    assert result.tier is Tier.CLINIC
    assert result.plan.home_needle_mm_max is None
    assert "Acne scars" in result.plan.needle_summary
    assert {s.where for s in result.plan.schedules} == {"clinic"}


def test_a_home_reachable_goal_keeps_home_use_open_beside_a_clinic_goal(kb: KnowledgeBase) -> None:
    result = assess(make_profile(goals=["acne_scars", "glow"]), kb)
    assert result.tier is Tier.CLINIC
    assert result.plan.home_needle_mm_max == 0.3
    assert {(s.goal, s.where) for s in result.plan.schedules} == {("acne_scars", "clinic"), ("glow", "home")}


def test_rules_that_block_home_use_close_it(kb: KnowledgeBase) -> None:
    result = assess(make_profile(goals=["glow"], device={"kind": "roller", "needle_mm": 1.0}), kb)
    assert result.tier is Tier.CLINIC
    assert result.plan.home_needle_mm_max is None
    assert "not advised" in result.plan.needle_summary


def test_clinic_setting_uses_clinic_sections_and_schedules(kb: KnowledgeBase) -> None:
    profile = make_profile(setting="clinic", goals=["glow"], device={"kind": "pen", "sterile_single_use": True})
    result = assess(profile, kb)
    assert result.setting == "clinic"
    assert [s.section_id for s in result.plan.sections] == ["clinic-standard", "aftercare", "red-flags"]
    assert [s.where for s in result.plan.schedules] == ["clinic"]


def test_same_condition_can_force_different_tiers_per_setting(kb: KnowledgeBase) -> None:
    assert assess(make_profile(history=["keloid"]), kb).tier is Tier.STOP
    assert assess(make_profile(setting="clinic", history=["keloid"]), kb).tier is Tier.MEDICAL_REVIEW


def test_findings_show_the_answers_they_read(kb: KnowledgeBase) -> None:
    result = assess(make_profile(skin_now=["warts", "sunburn"]), kb)
    infection = next(f for f in result.findings if f.rule_id == "active-skin-infection")
    assert [(fact.field, fact.value) for fact in infection.facts] == [("skin_now", ["sunburn", "warts"])]


def test_json_shape(kb: KnowledgeBase) -> None:
    data = assess(make_profile(goals=["glow"]), kb, Lang.ES).to_json()
    assert data["schema"] == ASSESSMENT_SCHEMA
    assert data["lang"] == "es"
    assert data["kb_version"] == {"version": kb.version.version, "content_hash": kb.version.content_hash}
    assert set(data) >= {"tier", "kb_version", "findings", "plan", "disclaimer"}
    finding = data["findings"][0]
    assert set(finding) >= {"rule_id", "tier", "severity", "title", "advice", "citations"}
    assert "home_needle_mm_max" in data["plan"]
    assert "diagnóstico" in data["disclaimer"]


def test_no_findings_means_home_ok(kb: KnowledgeBase) -> None:
    result = assess(make_profile(), kb)
    assert result.findings == ()
    assert result.tier is Tier.HOME_OK


def test_fired_rule_ids_are_in_knowledge_base_order(kb: KnowledgeBase) -> None:
    ids = fired_rule_ids(make_profile(skin_now=["cold_sore", "warts"]), kb)
    assert ids == ["active-skin-infection", "active-cold-sore"]


def test_the_facts_a_finding_shows_are_built_once_per_rule_and_values_and_the_store_stays_bounded(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = assess(make_profile(goals=["acne_scars"], skin_now=["cold_sore"], fitzpatrick=5), kb)
    again = assess(make_profile(goals=["acne_scars"], skin_now=["cold_sore"], fitzpatrick=5), kb)
    assert [f.facts for f in again.findings] == [f.facts for f in first.findings]
    assert all(a.facts is b.facts for a, b in zip(again.findings, first.findings, strict=True))
    monkeypatch.setattr(evaluate_module, "_FINDINGS_CACHE_SIZE", 1)
    stores = prepared_for(kb, Lang.EN).findings_caches[Setting.HOME]
    for store in stores:
        store.clear()
    other = assess(make_profile(goals=["acne_scars"], skin_now=["cold_sore"], fitzpatrick=4), kb)
    bounded = assess(make_profile(goals=["acne_scars"], skin_now=["cold_sore"], fitzpatrick=5), kb)
    assert len(bounded.findings) >= 2
    assert all(len(store) <= 1 for store in stores)
    assert sum(len(store) for store in stores) == len(bounded.findings)
    assert {f.rule_id for f in other.findings} == {f.rule_id for f in bounded.findings}
    assert [f.to_json() for f in bounded.findings] == [f.to_json() for f in first.findings]


def test_a_knowledge_base_is_compiled_once_and_keeps_its_compiled_form(kb: KnowledgeBase) -> None:
    """No process-wide cache: the compiled conditions and prepared texts live with the knowledge base."""
    copy = dataclasses.replace(kb)
    assert copy.compiled == {}
    prepare(copy)
    assert set(copy.compiled) == {"conditions", *Lang}
    functions = copy.compiled["conditions"]
    assert assess(make_profile(goals=["glow"]), copy, Lang.ES).tier is Tier.HOME_OK
    assert copy.compiled["conditions"] is functions
    assert dataclasses.replace(copy).compiled == {}


def test_consumer_results_keep_the_re_used_needles_red_flag(kb: KnowledgeBase) -> None:
    """The clinic aftercare sheet leaves it out (``consumer_only``); a person's own result still says it."""
    for lang in Lang:
        result = assess(make_profile(goals=["glow"]), kb, lang)
        (red_flags,) = [s for s in result.plan.sections if s.section_id == "red-flags"]
        reused = "re-used needles" if lang is Lang.EN else "agujas reutilizadas"
        assert any(reused in step for step in red_flags.steps), lang


def test_what_the_engine_keeps_between_assessments_stays_bounded_and_changes_no_result(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compiled functions per set of open answers, open-answer findings, plans: at most the bound each."""
    v2 = {"profile_version": 2, "setting": "home", "age": 30, "goals": ["glow"], "areas": ["cheeks"]}
    answered = {
        "skin_now": [],
        "history": [],
        "medications": [],
        "planned_products": [],
        "recent_procedures": [],
        "pregnant_or_breastfeeding": False,
        "isotretinoin_months_since_stop": None,
        "fitzpatrick": 2,
    }
    device = {"kind": "roller", "needle_mm": 0.25, "uses": 3, "shared": False, "sterile_single_use": False}
    profiles = [
        parse_profile({**v2, **answered, "device": device}),
        parse_profile({**v2, **answered, "fitzpatrick": "unsure", "device": device}),
        parse_profile({**v2, **answered, "device": {**device, "needle_mm": "unsure"}}),
        parse_profile({**v2, **answered, "fitzpatrick": "unsure", "device": {**device, "uses": "unsure"}}),
        parse_profile({**v2, "device": device}),  # the rest left out: unanswered
        make_profile(goals=["acne_scars"], skin_now=["cold_sore"]),
        make_profile(setting="clinic", goals=["melasma"]),
    ]
    expected = [assess(p, kb).to_json() for p in profiles]
    bounded = dataclasses.replace(kb)
    for module, name in (
        (evaluate_module, "_OPEN_CACHE_SIZE"),
        (plan_module, "_PLANS_CACHE_SIZE"),
        (prepared_module, "_RESOLVERS_CACHE_SIZE"),
        (unsure_module, "_ONLY_UNSURE_CACHE_SIZE"),
    ):
        monkeypatch.setattr(module, name, 1)
    for _ in range(2):
        assert [assess(p, bounded).to_json() for p in profiles] == expected
    prepared = prepared_for(bounded, Lang.EN)
    assert len(prepared.resolvers) == 1
    assert len(prepared.open_cache) == 1
    assert len(prepared.plan.plans) == 1
    assert len(prepared.askable.only_unsure) == 1
