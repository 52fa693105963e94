"""Build the person's plan from the fired rules: home needle limit, schedules and protocol sections."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from needlewise.domain.plan import GoalSchedule, Plan, PlanSection
from needlewise.domain.profile import Profile
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang, Setting
from needlewise.engine.knowledge import KnowledgeBase

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


@dataclass(frozen=True, slots=True)
class PlanContext:
    """What a plan is assembled from, prepared once per knowledge base and language.

    Rules are named by their index in ``kb.rules``: ``blocks_home`` holds those that close home use,
    ``caps`` each rule's home needle cap (or None).
    """

    kb: KnowledgeBase
    lang: Lang
    sections: tuple[PlanSection, ...]
    section_needs_home_use: tuple[bool, ...]
    schedules: Mapping[tuple[str, Setting], GoalSchedule]
    blocks_home: frozenset[int]
    caps: tuple[float | None, ...]
    home_goals: frozenset[str]  # the goals home microneedling can reach
    summaries: dict[tuple[object, ...], str] = field(default_factory=dict)  # needle summaries already written
    plans: dict[tuple[object, ...], Plan] = field(default_factory=dict)  # plans already made (see build_plan)


def plan_context(
    kb: KnowledgeBase,
    lang: Lang,
    sections: tuple[PlanSection, ...],
    schedules: Mapping[tuple[str, Setting], GoalSchedule],
) -> PlanContext:
    """The plan's context for ``kb`` in ``lang``, with its sections and schedules written in ``lang``."""
    return PlanContext(
        kb,
        lang,
        sections,
        tuple(s.requires_home_use for s in kb.sections),
        schedules,
        blocks_home=frozenset(i for i, rule in enumerate(kb.rules) if rule.blocks_home),
        caps=tuple(rule.home_needle_cap_mm for rule in kb.rules),
        home_goals=frozenset(value for value, term in kb.vocabulary["goals"].items() if term.home_reachable),
    )


_HOME_TIERS = frozenset(tier for tier in Tier if tier.allows_home)
_CLEARED = frozenset(tier for tier in Tier if tier.rank < Tier.MEDICAL_REVIEW.rank)  # sessions may go ahead


def home_needle_limit(
    profile: Profile, context: PlanContext, tier: Tier, fired: Sequence[int], possible: Sequence[int] = ()
) -> float | None:
    """Longest needle reasonable at home for this person, or None when home use is not advised.

    ``fired`` are the rules that fired (by index); ``possible`` rules could fire for some real answer
    to a question answered "not sure": their needle caps apply too.
    """
    if tier not in _HOME_TIERS or not context.blocks_home.isdisjoint(fired):
        return None
    if _only_clinic_goals(profile, context):
        return None
    caps = context.caps
    limit = context.kb.home_needle.max_mm
    for rules in (fired, possible):
        for i in rules:
            cap = caps[i]
            if cap is not None and cap < limit:
                limit = cap
    return limit


class Matched(NamedTuple):
    """The rules (by index) that fired, and those that could fire for some real answer to a "not sure" question."""

    fired: Sequence[int]
    possible: Sequence[int] = ()


def build_plan(
    profile: Profile,
    context: PlanContext,
    *,
    tier: Tier,
    rules: Matched,
    sections: Sequence[int],
) -> Plan:
    """The plan for ``profile``; ``sections`` are the indices of sections whose condition holds.

    ``rules`` are as for :func:`home_needle_limit`. A ``stop`` verdict carries no
    schedule and no preparation or aftercare for the session that must not happen: its findings say
    what to do instead and when to come back. Plans are immutable, so one is made once per verdict,
    setting, goals, home needle limit and sections that apply, and shared.
    """
    limit = home_needle_limit(profile, context, tier, rules.fired, rules.possible)
    key = (tier, profile.setting, profile.goals, limit, *sections)  # all the rest is made from these
    plan = context.plans.get(key)
    if plan is None:
        if len(context.plans) >= _PLANS_CACHE_SIZE:
            context.plans.clear()
        plan = context.plans[key] = _make_plan(profile, context, tier, limit, sections)
    return plan


_PLANS_CACHE_SIZE = 4_096  # plans per knowledge base and language; emptied when full


def _make_plan(
    profile: Profile, context: PlanContext, tier: Tier, limit: float | None, sections: Sequence[int]
) -> Plan:
    preferred = None if limit is None else min(limit, context.kb.home_needle.preferred_mm)
    needs_home = context.section_needs_home_use
    chosen = (
        tuple(context.sections[i] for i in sections if limit is not None or not needs_home[i])
        if tier in _CLEARED
        else ()
    )
    return Plan(
        home_needle_mm_max=limit,
        home_needle_mm_preferred=preferred,
        needle_summary=_needle_summary(profile, context, limit, preferred),
        schedules=_schedules(profile, context, limit) if tier is not Tier.STOP else (),
        sections=chosen,
    )


def _only_clinic_goals(profile: Profile, context: PlanContext) -> bool:
    goals = profile.goals
    return bool(goals) and context.home_goals.isdisjoint(goals)


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
    if _only_clinic_goals(profile, context):
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
