"""Build the person's plan from the fired rules: home needle limit, schedules and protocol sections."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from needlewise.domain.assessment import Citation, GoalSchedule, Plan, PlanSection
from needlewise.domain.profile import Profile
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang, Setting
from needlewise.engine.compiler import interpret
from needlewise.engine.fields import FactValue
from needlewise.engine.knowledge import KnowledgeBase, Rule

HOME_LIMIT = "home_limit"
NOT_AT_HOME = "not_at_home"
GOALS_NEED_CLINIC = "goals_need_clinic"
PLAN_TEXT_KEYS = {HOME_LIMIT: ("max", "preferred"), NOT_AT_HOME: (), GOALS_NEED_CLINIC: ("goals",)}

Cite = Callable[[Sequence[str]], tuple[Citation, ...]]


def home_needle_limit(profile: Profile, kb: KnowledgeBase, tier: Tier, fired: Sequence[Rule]) -> float | None:
    """Longest needle reasonable at home for this person, or None when home use is not advised."""
    if not tier.allows_home or any(rule.blocks_home for rule in fired):
        return None
    goals = kb.vocabulary["goals"]
    if profile.goals and not any(goals[g.value].home_reachable for g in profile.goals):
        return None
    caps = [rule.home_needle_cap_mm for rule in fired if rule.home_needle_cap_mm is not None]
    return min([kb.home_needle.max_mm, *caps])


def build_plan(  # noqa: PLR0913 - the plan really depends on each of these
    profile: Profile,
    facts: Sequence[FactValue],
    kb: KnowledgeBase,
    *,
    tier: Tier,
    fired: Sequence[Rule],
    lang: Lang,
    cite: Cite,
) -> Plan:
    """The plan for ``profile`` given the tier and the rules that fired."""
    limit = home_needle_limit(profile, kb, tier, fired)
    preferred = None if limit is None else min(limit, kb.home_needle.preferred_mm)
    sections = tuple(
        PlanSection(
            s.section_id, s.title.in_(lang), tuple(t.in_(lang) for t in s.steps), s.confidence, cite(s.citations)
        )
        for s in kb.sections
        if (limit is not None or not s.requires_home_use) and (s.applies_if is None or interpret(s.applies_if, facts))
    )
    return Plan(
        home_needle_mm_max=limit,
        home_needle_mm_preferred=preferred,
        needle_summary=_needle_summary(profile, kb, limit, preferred, lang),
        schedules=_schedules(profile, kb, limit, lang, cite),
        sections=sections,
    )


def _needle_summary(
    profile: Profile, kb: KnowledgeBase, limit: float | None, preferred: float | None, lang: Lang
) -> str:
    texts = kb.plan_texts
    if limit is not None:
        return texts[HOME_LIMIT].in_(lang).format(max=_mm(limit), preferred=_mm(preferred or limit))
    goals = kb.vocabulary["goals"]
    if profile.goals and not any(goals[g.value].home_reachable for g in profile.goals):
        labels = ", ".join(t.label.in_(lang) for v, t in goals.items() if v in profile.goals)
        return texts[GOALS_NEED_CLINIC].in_(lang).format(goals=labels)
    return texts[NOT_AT_HOME].in_(lang)


def _schedules(
    profile: Profile, kb: KnowledgeBase, limit: float | None, lang: Lang, cite: Cite
) -> tuple[GoalSchedule, ...]:
    by_key = {(s.goal, s.where): s for s in kb.schedules}
    goals = kb.vocabulary["goals"]
    result: list[GoalSchedule] = []
    for value, term in goals.items():
        if value not in profile.goals:
            continue
        at_home = profile.setting is Setting.HOME and limit is not None and term.home_reachable
        where = Setting.HOME if at_home else Setting.CLINIC
        schedule = by_key.get((value, where)) or by_key[(value, Setting.CLINIC)]
        result.append(
            GoalSchedule(
                goal=value,
                goal_label=term.label.in_(lang),
                where=schedule.where.value,
                interval=schedule.interval.in_(lang),
                sessions=schedule.sessions.in_(lang),
                confidence=schedule.confidence,
                citations=cite(schedule.citations),
            )
        )
    return tuple(result)


def _mm(value: float) -> str:
    return f"{value:g}"
