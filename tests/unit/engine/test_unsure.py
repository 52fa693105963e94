"""Unknown is never "no": three-valued conditions, which questions are open, and the verdict's floor."""

from __future__ import annotations

import dataclasses

import pytest

from needlewise.domain.assessment import KbVersion
from needlewise.domain.profile import Device, Profile
from needlewise.domain.text import Text
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import DeviceKind, Goal, Setting
from needlewise.engine.conditions import AllOf, AnyOf, Comparison, Not, Operator, fields_read
from needlewise.engine.evaluate import assess
from needlewise.engine.fields import FIELD_INDEX, facts_of
from needlewise.engine.knowledge import KnowledgeBase, Question
from needlewise.engine.unsure import askable, engine_fields, evaluate, floor, open_questions
from needlewise.services.profiles import parse_profile

PREGNANT = Comparison("pregnant_or_breastfeeding", Operator.EQ, value=True)
ADULT = Comparison("age", Operator.GE, value=18)
CHILD = Comparison("age", Operator.LT, value=18)
UNKNOWN = frozenset({FIELD_INDEX["pregnant_or_breastfeeding"]})
FACTS = facts_of(Profile(Setting.HOME, 30))

ANSWERED = {
    "profile_version": 2,
    "setting": "home",
    "age": 30,
    "goals": ["glow"],
    "device": {"kind": "roller", "needle_mm": 0.25, "uses": 0, "shared": False},
    "pregnant_or_breastfeeding": False,
    "fitzpatrick": 2,
    "skin_now": [],
    "history": [],
    "medications": [],
    "isotretinoin_months_since_stop": None,
    "recent_procedures": [],
    "planned_products": [],
}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (PREGNANT, None),
        (ADULT, True),
        (Not(PREGNANT), None),
        (Not(ADULT), False),
        (AllOf((ADULT, PREGNANT)), None),
        (AllOf((CHILD, PREGNANT)), False),
        (AllOf((ADULT, ADULT)), True),
        (AnyOf((CHILD, PREGNANT)), None),
        (AnyOf((ADULT, PREGNANT)), True),
        (AnyOf((CHILD, CHILD)), False),
    ],
)
def test_conditions_on_an_unsure_answer_are_unknown_in_kleene_logic(condition: object, expected: object) -> None:
    assert evaluate(condition, FACTS, UNKNOWN) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("worst", "device", "expected"),
    [
        (Tier.STOP, False, Tier.MEDICAL_REVIEW),
        (Tier.MEDICAL_REVIEW, False, Tier.MEDICAL_REVIEW),
        (Tier.CLINIC, False, Tier.HOME_CAUTION),
        (Tier.HOME_CAUTION, False, Tier.HOME_CAUTION),
        (Tier.HOME_OK, False, Tier.HOME_OK),
        (Tier.HOME_OK, True, Tier.HOME_CAUTION),
    ],
)
def test_the_floor_an_unsure_answer_gives(worst: Tier, device: bool, expected: Tier) -> None:
    assert floor(worst, device=device) is expected


def test_recent_procedures_are_one_question_over_every_procedure_field() -> None:
    assert len(engine_fields("recent_procedures")) > 5
    assert engine_fields("fitzpatrick") == ("fitzpatrick",)


def test_an_explicit_not_sure_counts_even_where_the_question_would_not_be_asked(kb: KnowledgeBase) -> None:
    child = Profile(Setting.HOME, 8, unsure=frozenset({"pregnant_or_breastfeeding"}), version=2)
    assert [q.question.field for q in open_questions(child, askable(kb.questions), facts_of(child))] == [
        "pregnant_or_breastfeeding"
    ]


def test_an_unanswered_question_counts_only_where_it_would_be_asked(kb: KnowledgeBase) -> None:
    fields = frozenset({"pregnant_or_breastfeeding", "device.needle_mm"})
    child = Profile(Setting.HOME, 8, unanswered=fields, version=2)
    assert open_questions(child, askable(kb.questions), facts_of(child)) == []
    adult = Profile(Setting.HOME, 30, device=Device(DeviceKind.PEN), unanswered=fields, version=2)
    opened = open_questions(adult, askable(kb.questions), facts_of(adult))
    assert [(q.question.field, q.answer) for q in opened] == [
        ("pregnant_or_breastfeeding", "unanswered"),
        ("device.needle_mm", "unanswered"),
    ]


def test_a_question_asked_only_after_an_unsure_answer_still_counts() -> None:
    pen = Question(
        "q",
        "device.uses",
        "integer",
        Text("?", "?"),
        None,
        (),
        ADULT,
        nullable=True,
        minimum=0,
        maximum=9,
        unsure_advice=Text("a", "a"),
    )
    gated = dataclasses.replace(pen, question_id="r", field="device.shared", ask_if=PREGNANT)
    plain = dataclasses.replace(pen, question_id="s", field="age", unsure_advice=None, ask_if=None)
    profile = Profile(
        Setting.HOME,
        30,
        unsure=frozenset({"pregnant_or_breastfeeding", "age"}),
        unanswered=frozenset({"device.shared"}),
        version=2,
    )
    asked = dataclasses.replace(pen, question_id="p", field="pregnant_or_breastfeeding", ask_if=None)
    opened = open_questions(profile, askable((plain, asked, gated)), facts_of(profile))
    assert [q.question.question_id for q in opened] == ["p", "r"]


def test_not_sure_about_pregnancy_means_find_out_first(kb: KnowledgeBase) -> None:
    result = assess(parse_profile({**ANSWERED, "pregnant_or_breastfeeding": "unsure"}), kb)
    assert result.tier is Tier.MEDICAL_REVIEW
    finding = result.findings[0]
    assert finding.rule_id == "unsure-pregnant"
    assert finding.facts[0].value == "unsure"
    assert "Do not microneedle now" in finding.advice
    assert "pregnancy test" in finding.advice
    assert result.plan.home_needle_mm_max is None
    assert [a.to_json() for a in result.open_answers] == [
        {
            "field": "pregnant_or_breastfeeding",
            "question": "Are you pregnant or breastfeeding?",
            "answer": "unsure",
            "could_be": "stop",
        }
    ]


def test_the_same_profile_answered_is_home_ok(kb: KnowledgeBase) -> None:
    result = assess(parse_profile(ANSWERED), kb)
    assert result.tier is Tier.HOME_OK
    assert result.open_answers == ()


def test_an_unknown_needle_length_is_home_caution_with_what_to_check(kb: KnowledgeBase) -> None:
    device = {**ANSWERED["device"], "needle_mm": "unsure"}  # type: ignore[dict-item]
    result = assess(parse_profile({**ANSWERED, "device": device}), kb)
    assert result.tier is Tier.HOME_CAUTION
    assert result.findings[0].rule_id == "unsure-needle-length"
    assert "printed on the device" in result.findings[0].advice
    assert result.plan.home_needle_mm_max == kb.home_needle.max_mm


def test_v1_null_needle_length_of_an_owned_roller_follows_the_device_rule(kb: KnowledgeBase) -> None:
    roller = assess(parse_profile({"setting": "home", "age": 30, "goals": ["glow"], "device": {"kind": "roller"}}), kb)
    assert roller.tier is Tier.HOME_CAUTION
    assert {a.field for a in roller.open_answers} == {"device.needle_mm", "device.uses"}
    assert {a.answer for a in roller.open_answers} == {"unanswered"}
    undecided = assess(parse_profile({"setting": "home", "age": 30, "goals": ["glow"]}), kb)
    assert undecided.tier is Tier.HOME_OK


def test_a_device_question_with_no_rule_behind_it_still_asks_to_check(kb: KnowledgeBase) -> None:
    clinic = {
        **ANSWERED,
        "setting": "clinic",
        "device": {"kind": "pen", "needle_mm": "unsure", "sterile_single_use": True},
    }
    result = assess(parse_profile(clinic), kb)
    finding = next(f for f in result.findings if f.rule_id == "unsure-needle-length")
    assert finding.tier is Tier.HOME_CAUTION
    assert [c.source_id for c in finding.citations] == list(kb.home_needle.citations)
    assert "Some answers" not in finding.advice


def test_needle_caps_of_rules_an_unsure_answer_could_fire_apply(kb: KnowledgeBase) -> None:
    dark = assess(parse_profile({**ANSWERED, "fitzpatrick": 6}), kb)
    unsure = assess(parse_profile({**ANSWERED, "fitzpatrick": "unsure"}), kb)
    assert dark.plan.home_needle_mm_max is not None
    assert unsure.plan.home_needle_mm_max is not None
    assert unsure.plan.home_needle_mm_max <= dark.plan.home_needle_mm_max
    assert unsure.tier is Tier.HOME_CAUTION


def test_a_v2_document_that_leaves_everything_out_is_never_home_ok(kb: KnowledgeBase) -> None:
    result = assess(parse_profile({"profile_version": 2, "setting": "home", "age": 30, "goals": ["glow"]}), kb)
    assert result.tier is Tier.MEDICAL_REVIEW
    assert {a.answer for a in result.open_answers} == {"unanswered"}
    assert "skin_now" in {a.field for a in result.open_answers}


def test_plan_sections_that_could_apply_are_kept(kb: KnowledgeBase) -> None:
    answered = assess(parse_profile({**ANSWERED, "setting": "clinic"}), kb)
    unsure = assess(parse_profile({**ANSWERED, "setting": "clinic", "planned_products": "unsure"}), kb)
    assert {s.section_id for s in answered.plan.sections} <= {s.section_id for s in unsure.plan.sections}


def test_goals_are_always_known(kb: KnowledgeBase) -> None:
    profile = parse_profile({**ANSWERED, "goals": [Goal.ACNE_SCARS.value]})
    assert assess(profile, kb).tier is Tier.CLINIC


def test_an_unsure_answer_no_rule_could_act_on_leaves_the_verdict_alone(kb: KnowledgeBase) -> None:
    unread = dataclasses.replace(
        kb,
        version=KbVersion("test", "sha256:no-pregnancy-rules"),
        rules=tuple(r for r in kb.rules if "pregnant_or_breastfeeding" not in fields_read(r.condition)),
    )
    result = assess(parse_profile({**ANSWERED, "pregnant_or_breastfeeding": "unsure"}), unread)
    assert result.tier is Tier.HOME_OK
    assert result.open_answers == ()
