"""Build the person's plan from the fired rules: home needle limit, schedules and protocol sections."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from needlewise.domain.plan import GoalSchedule, Plan, PlanSection
from needlewise.domain.profile import Profile
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang, Setting
from needlewise.engine.knowledge import KnowledgeBase, Rule

HOME_LIMIT = "home_limit"
NOT_AT_HOME = "not_at_home"
GOALS_NEED_CLINIC = "goals_need_clinic"
UNSURE_TITLE = "unsure_title"
UNSURE_FIND_OUT = "unsure_find_out"
UNSURE_CHECK = "unsure_check"
UNSURE_NOTE = "unsure_note"
# Texts the engine fills in, with the placeholders each must use.
PLAN_TEXT_KEYS = {
    HOME_LIMIT: ("max", "preferred"),
    NOT_AT_HOME: (),
    GOALS_NEED_CLINIC: ("goals",),
    UNSURE_TITLE: ("question",),
    UNSURE_FIND_OUT: ("worst",),
    UNSURE_CHECK: ("worst",),
    UNSURE_NOTE: ("rules",),
}


class Matched(NamedTuple):
    """The rules that fired, and those that could fire for some real answer to a "not sure" question."""

    fired: Sequence[Rule]
    possible: Sequence[Rule] = ()


@dataclass(frozen=True, slots=True)
class PlanContext:
    """What a plan is assembled from, prepared once per knowledge base and language."""

    kb: KnowledgeBase
    lang: Lang
    sections: tuple[PlanSection, ...]
    section_needs_home_use: tuple[bool, ...]
    schedules: Mapping[tuple[str, Setting], GoalSchedule]
    summaries: dict[tuple[object, ...], str] = field(default_factory=dict)  # needle summaries already written


def home_needle_limit(
    profile: Profile, kb: KnowledgeBase, tier: Tier, fired: Sequence[Rule], possible: Sequence[Rule] = ()
) -> float | None:
    """Longest needle reasonable at home for this person, or None when home use is not advised.

    ``possible`` rules could fire for some real answer to a question answered "not sure": their
    needle caps apply too.
    """
    if not tier.allows_home or any(rule.blocks_home for rule in fired):
        return None
    if _only_clinic_goals(profile, kb):
        return None
    caps = [rule.home_needle_cap_mm for rule in (*fired, *possible) if rule.home_needle_cap_mm is not None]
    return min([kb.home_needle.max_mm, *caps])


def build_plan(
    profile: Profile,
    context: PlanContext,
    *,
    tier: Tier,
    rules: Matched,
    sections: Sequence[int],
) -> Plan:
    """The plan for ``profile``; ``sections`` are the indices of sections whose condition holds.

    A ``stop`` verdict carries no schedule and no preparation or aftercare for the session that must
    not happen: its findings say what to do instead and when to come back.
    """
    kb = context.kb
    limit = home_needle_limit(profile, kb, tier, rules.fired, rules.possible)
    preferred = None if limit is None else min(limit, kb.home_needle.preferred_mm)
    go_ahead = tier is not Tier.STOP
    cleared = tier.rank < Tier.MEDICAL_REVIEW.rank
    chosen = tuple(
        context.sections[i]
        for i in sections
        if cleared and (limit is not None or not context.section_needs_home_use[i])
    )
    return Plan(
        home_needle_mm_max=limit,
        home_needle_mm_preferred=preferred,
        needle_summary=_needle_summary(profile, context, limit, preferred),
        schedules=_schedules(profile, context, limit) if go_ahead else (),
        sections=chosen,
    )


def _only_clinic_goals(profile: Profile, kb: KnowledgeBase) -> bool:
    goals = kb.vocabulary["goals"]
    return bool(profile.goals) and not any(goals[g].home_reachable for g in profile.goals)


def _needle_summary(profile: Profile, context: PlanContext, limit: float | None, preferred: float | None) -> str:
    """The plan's needle line; written once per limit (or, with no home limit, per set of goals)."""
    key = (limit, preferred) if limit is not None else (None, profile.goals)
    summary = context.summaries.get(key)
    if summary is None:
        summary = context.summaries[key] = _write_needle_summary(profile, context, limit, preferred)
    return summary


def _write_needle_summary(profile: Profile, context: PlanContext, limit: float | None, preferred: float | None) -> str:
    texts, lang = context.kb.plan_texts, context.lang
    if limit is not None:
        return texts[HOME_LIMIT].in_(lang).format(max=_mm(limit, lang), preferred=_mm(preferred or limit, lang))
    if _only_clinic_goals(profile, context.kb):
        goals = context.kb.vocabulary["goals"]
        labels = ", ".join(t.label.in_(lang) for v, t in goals.items() if v in profile.goals)
        return texts[GOALS_NEED_CLINIC].in_(lang).format(goals=labels)
    return texts[NOT_AT_HOME].in_(lang)


def _schedules(profile: Profile, context: PlanContext, limit: float | None) -> tuple[GoalSchedule, ...]:
    goals = context.kb.vocabulary["goals"]
    at_home = profile.setting is Setting.HOME and limit is not None
    result: list[GoalSchedule] = []
    for value, term in goals.items():
        if value in profile.goals:
            where = Setting.HOME if at_home and term.home_reachable else Setting.CLINIC
            result.append(context.schedules.get((value, where)) or context.schedules[(value, Setting.CLINIC)])
    return tuple(result)


def _mm(value: float, lang: Lang) -> str:
    """A length as the reader writes it: 0.25 in English, 0,25 in Spanish."""
    text = f"{value:g}"
    return text.replace(".", ",") if lang is Lang.ES else text
