"""The home journal's pure decisions, on the real knowledge base."""

from __future__ import annotations

from dataclasses import replace

from factories import HOME_GLOW
from needlewise.domain.tier import Confidence, Tier
from needlewise.domain.treatment import Answer, Triage
from needlewise.domain.vocabulary import Area, DeviceKind, Goal, Lang, Product, Setting, SkinNow
from needlewise.engine.evaluate import assess
from needlewise.engine.journal import (
    TOO_SOON,
    HomeDevice,
    HomeSession,
    check_questions,
    interval_for,
    next_session,
    pause,
    replacement,
    session_findings,
    session_profile,
    skin_check,
)
from needlewise.engine.knowledge import KnowledgeBase

GLOW = HOME_GLOW
DAY = 740_000


def _ids(findings) -> list[str]:
    return [f.rule_id for f in findings]


def test_the_interval_follows_the_needle_length_and_an_unknown_goal_takes_the_longest(kb: KnowledgeBase) -> None:
    assert interval_for(kb.treatment, {Goal.GLOW}, 0.25).days == 2
    assert interval_for(kb.treatment, {Goal.GLOW}, 0.3).days == 28
    assert interval_for(kb.treatment, set(), 0.25).days == 28  # unknown goal: never the shorter
    assert interval_for(kb.treatment, {Goal.HAIR_LOSS, Goal.GLOW}, 0.25).days == 7


def test_the_next_session_is_the_latest_any_logged_session_allows(kb: KnowledgeBase) -> None:
    assert next_session(kb.treatment, {Goal.GLOW}, []) is None
    short = HomeSession(DAY + 10, 0.25)
    long = HomeSession(DAY, 0.5)
    found = next_session(kb.treatment, {Goal.GLOW}, [long, short])
    assert found is not None
    assert (found.on, found.after, found.interval.days) == (DAY + 28, long, 28)
    assert next_session(kb.treatment, {Goal.GLOW}, [short]).on == DAY + 12  # type: ignore[union-attr]


def test_a_session_too_soon_is_a_cited_finding_in_the_assessment_shape(kb: KnowledgeBase) -> None:
    first = HomeSession(DAY, 0.25, frozenset({Area.CHEEKS}))
    again = HomeSession(DAY + 1, 0.25, frozenset({Area.CHEEKS}))
    found = session_findings(kb, GLOW, [first], again, Lang.ES)
    assert _ids(found) == [TOO_SOON]
    shape = found[0].to_json()
    assert shape["tier"] == "home_caution"
    assert shape["confidence"] == "low"
    assert shape["citations"] == ["allure-2017-fda-home-mn"]
    assert shape["title"] == kb.treatment.home_journal.too_soon_title.es
    assert "no uno recomendado" in str(shape["evidence_note"])
    assert shape["facts"] == [
        {"field": "days_since_session", "value": 1},
        {"field": "session_needle_mm", "value": 0.25},
        {"field": "min_interval_days", "value": 2},
    ]
    assert session_findings(kb, GLOW, [first], replace(again, on=DAY + 2), Lang.EN) == ()
    later_first = HomeSession(DAY + 5, 0.25)  # logged afterwards, but a later day: it does not count
    assert session_findings(kb, GLOW, [later_first], first, Lang.EN) == ()


def test_a_needle_over_the_home_cap_an_area_limit_and_a_flagged_product_are_found(kb: KnowledgeBase) -> None:
    session = HomeSession(DAY, 1.0, frozenset({Area.UNDER_EYE}), frozenset({Product.VITAMIN_C_SERUM}))
    ids = _ids(session_findings(kb, GLOW, [], session, Lang.EN))
    assert "home-needle-clinic-only" in ids
    assert "vitamin-c-into-channels" in ids
    assert _ids(session_findings(kb, GLOW, [], HomeSession(DAY, 0.25, frozenset({Area.UNDER_EYE})), Lang.EN)) == [
        "needle-longer-than-area-limit",
        "under-eye-home-limit",
    ]
    assert session_findings(kb, GLOW, [], HomeSession(DAY, 0.2, frozenset({Area.UNDER_EYE})), Lang.EN) == ()
    assert session_findings(kb, GLOW, [], HomeSession(DAY, 0.25, frozenset({Area.CHEEKS})), Lang.EN) == ()


def test_the_session_profile_knows_the_session_answers() -> None:
    open_answers = frozenset({"planned_products", "device.needle_mm", "fitzpatrick"})
    unsure = replace(GLOW, setting=Setting.CLINIC, unsure=open_answers)
    seen = session_profile(unsure, HomeSession(DAY, 0.2, frozenset({Area.NOSE})))
    assert seen.setting is Setting.HOME
    assert seen.unsure == frozenset({"fitzpatrick"})
    assert (seen.device.needle_mm, seen.areas, seen.planned_products) == (0.2, frozenset({Area.NOSE}), frozenset())


def test_replacement_uses_the_knowledge_base_figures_at_low_confidence(kb: KnowledgeBase) -> None:
    device = HomeDevice(DeviceKind.ROLLER, 0.25, DAY, 4)
    due = replacement(kb.treatment, device, Lang.EN)
    assert (due.after_uses, due.after_months, due.uses_left, due.confidence) == (10, 3, 6, Confidence.LOW)
    assert "No study sets an interval" in due.note
    assert due.citations == ("aad-2018-mn-news-release",)
    assert replacement(kb.treatment, replace(device, uses=12), Lang.ES).uses_left == 0


def test_a_tier_above_home_use_pauses_with_its_reasons(kb: KnowledgeBase) -> None:
    assert pause(assess(GLOW, kb)) is None
    cold_sore = assess(replace(GLOW, skin_now=frozenset({SkinNow.COLD_SORE})), kb)
    paused = pause(cold_sore)
    assert paused is not None
    assert paused.tier is cold_sore.tier
    assert paused.tier.rank > Tier.HOME_CAUTION.rank
    assert paused.reasons
    assert all(r.tier.rank > Tier.HOME_CAUTION.rank for r in paused.reasons)


def said(kb: KnowledgeBase, day: int, *yes: str) -> dict[str, Answer]:
    """Every question of ``day`` answered: ``yes`` yes, the others no."""
    return {
        q.question_id: Answer.YES if q.question_id in yes else Answer.NO for q in check_questions(kb.treatment, day)
    }


def test_a_skin_check_uses_the_check_in_questions_and_triage_with_home_words(kb: KnowledgeBase) -> None:
    assert [q.question_id for q in check_questions(kb.treatment, 0)] == [
        q.question_id for q in kb.treatment.checkin.questions_for(1)
    ]
    calm = skin_check(kb.treatment, 1, said(kb, 1, "expected_reactions"), Lang.EN)
    assert (calm.triage, calm.day, calm.yes, calm.not_sure) == (Triage.EXPECTED, 1, {"expected_reactions"}, ())
    assert "72 hours" in calm.advice
    watch = skin_check(kb.treatment, 3, said(kb, 3, "firm_bumps"), Lang.ES)
    assert watch.triage is Triage.CALL_CLINIC
    assert watch.advice.startswith("Para y vigila")
    assert (
        skin_check(kb.treatment, 1, {**said(kb, 1), "firm_bumps": Answer.YES}, Lang.EN).triage is Triage.EXPECTED
    )  # not asked on day 1
    urgent = skin_check(kb.treatment, 2, said(kb, 2, "fever_chills"), Lang.EN)
    assert urgent.triage is Triage.SEEK_CARE_NOW
    unsure = skin_check(kb.treatment, 2, {**said(kb, 2), "pus": Answer.NOT_SURE}, Lang.EN)
    assert (unsure.triage, unsure.not_sure, unsure.yes) == (Triage.SEEK_CARE_NOW, ("pus",), frozenset())
    missing = said(kb, 2)
    del missing["pus"]
    assert skin_check(kb.treatment, 2, missing, Lang.EN).triage is Triage.SEEK_CARE_NOW  # never read as "no"
    assert urgent.citations == kb.treatment.checkin.citations
