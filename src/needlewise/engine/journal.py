"""The home journal's decisions, pure: no I/O, no clock, no calendar.

Given the journal's profile, its device and its logged sessions, this decides the next reasonable
day, when the device is due for replacement, what each session's findings are, and whether the
journal is paused. Days are day numbers (``datetime.date.toordinal()``) as in
:mod:`needlewise.engine.treatment`; the caller turns months into a day.

* The next session: every logged session allows the next one no sooner than its day plus the
  knowledge base's minimum interval for the person's goals and that session's needle length (the
  longest goal's interval wins; with no goal known, every goal's: an unknown goal is never read as the
  one with the shortest interval). The next day is the latest of those.
* A session's findings, in the assessment's finding shape: one when it came sooner than that (it is
  recorded all the same, it happened), and the findings the engine gives for the profile with the
  session's needle length, areas and products applied afterwards (the home needle cap, an area's
  limit, a flagged product), those whose rule read one of these answers; an area's limit (a rule
  with a home needle cap) only when the session's needle was longer than it.
* A skin check: the clinic check-ins' red-flag questions and triage for the days since the last
  session, with what to do at home (expected course / stop and watch / seek care now). Each question is
  answered yes, no or not sure; "not sure" is triaged as yes (never safer than what it could stand for).
* Pause: the profile re-assessed with the knowledge base; a tier above home use (``clinic``,
  ``medical_review``, ``stop``) pauses the journal, with the findings that raised it as the reasons
  (their advice says when to come back where the knowledge base says).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

from needlewise.domain.assessment import Assessment, Fact, Finding, FindingText
from needlewise.domain.profile import Profile
from needlewise.domain.tier import Confidence, Severity, Tier
from needlewise.domain.treatment import Answer, Triage
from needlewise.domain.vocabulary import Area, DeviceKind, Goal, Lang, Product, Setting
from needlewise.engine.evaluate import assess
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.engine.prepared import prepared_for
from needlewise.engine.treatment import IntervalChoice, minimum_interval, triage
from needlewise.engine.treatment_knowledge import CheckinQuestion, TreatmentKnowledge

Day = int
TOO_SOON = "journal-session-too-soon"
SESSION_FIELDS = frozenset({"device.needle_mm", "areas", "planned_products"})
HOME_LIMIT = Tier.HOME_CAUTION  # the most restrictive tier at which home use goes on


@dataclass(frozen=True, slots=True)
class HomeSession:
    """One logged home session: its day, needle length, areas and the products applied afterwards."""

    on: Day
    needle_mm: float
    areas: frozenset[Area] = frozenset()
    products: frozenset[Product] = frozenset()


@dataclass(frozen=True, slots=True)
class HomeDevice:
    """The person's device: its kind, needle length, the day it was bought and its uses so far."""

    kind: DeviceKind
    needle_mm: float | None
    bought_on: Day | None
    uses: int


@dataclass(frozen=True, slots=True)
class NextSession:
    """The next reasonable day and the interval that sets it (from the session that binds)."""

    on: Day
    after: HomeSession
    interval: IntervalChoice


@dataclass(frozen=True, slots=True)
class Replacement:
    """When the device is due for replacement by uses, and after how many months (low confidence)."""

    after_uses: int
    uses: int
    after_months: int
    bought_on: Day | None
    confidence: Confidence
    note: str
    citations: tuple[str, ...]

    @property
    def uses_left(self) -> int:
        """Uses before the figure is reached (0: due now)."""
        return max(self.after_uses - self.uses, 0)


@dataclass(frozen=True, slots=True)
class Pause:
    """Why the journal is paused: the re-assessment's tier and the findings that raised it above home use."""

    tier: Tier
    reasons: tuple[Finding, ...]


def interval_for(tk: TreatmentKnowledge, goals: Iterable[Goal], needle_mm: float) -> IntervalChoice:
    """The minimum interval after a session with ``needle_mm`` for ``goals`` (none known: every goal's)."""
    wanted = {g.value for g in goals} or {r.goal for r in tk.intervals}
    return minimum_interval(tk, wanted, needle_mm)


def next_session(tk: TreatmentKnowledge, goals: Iterable[Goal], sessions: Sequence[HomeSession]) -> NextSession | None:
    """The next reasonable day after ``sessions`` (None before the first): the latest any of them allows."""
    wanted = frozenset(goals)
    intervals: dict[float, IntervalChoice] = {}  # by needle length: most sessions repeat one or two
    candidates = []
    for s in sessions:
        choice = intervals.get(s.needle_mm)
        if choice is None:
            choice = intervals[s.needle_mm] = interval_for(tk, wanted, s.needle_mm)
        candidates.append((s.on + choice.days, s, choice))
    if not candidates:
        return None
    on, after, choice = max(candidates, key=lambda c: (c[0], c[1].on))
    return NextSession(on, after, choice)


def session_findings(
    kb: KnowledgeBase, profile: Profile, earlier: Sequence[HomeSession], session: HomeSession, lang: Lang
) -> tuple[Finding, ...]:
    """What ``session`` raises, given the sessions logged before it (by day, on or before its own)."""
    before = [s for s in earlier if s.on <= session.on]
    return _findings(kb, profile, next_session(kb.treatment, profile.goals, before), session, lang)


def logged_findings(
    kb: KnowledgeBase, profile: Profile, sessions: Sequence[HomeSession], lang: Lang
) -> tuple[tuple[Finding, ...], ...]:
    """Each session's findings, in the order given (the order logged), in one pass in day order.

    Before a session come the sessions of earlier days and those of its day logged before it. The
    engine assesses each distinct needle length, areas and products once: sessions that repeat them
    (most do) share the findings of that assessment.
    """
    found: list[tuple[Finding, ...]] = [()] * len(sessions)
    binding: NextSession | None = None
    assessed: dict[tuple[float, frozenset[Area], frozenset[Product]], tuple[Finding, ...]] = {}
    intervals: dict[float, IntervalChoice] = {}
    too_soon: dict[float, FindingText] = {}  # by the binding session's needle length, as ``intervals``
    for i in sorted(range(len(sessions)), key=lambda i: (sessions[i].on, i)):
        session = sessions[i]
        used = (session.needle_mm, session.areas, session.products)
        if used not in assessed:
            assessed[used] = _session_findings(kb, profile, session, lang)
        if binding is not None and session.on < binding.on:
            text = too_soon.get(binding.after.needle_mm)
            if text is None:
                text = too_soon[binding.after.needle_mm] = _too_soon_text(kb, binding.interval, lang)
            found[i] = (Finding(text, _too_soon_facts(binding, session)), *assessed[used])
        else:
            found[i] = assessed[used]
        if session.needle_mm not in intervals:
            intervals[session.needle_mm] = interval_for(kb.treatment, profile.goals, session.needle_mm)
        choice = intervals[session.needle_mm]
        if binding is None or session.on + choice.days >= binding.on:
            binding = NextSession(session.on + choice.days, session, choice)
    return tuple(found)


def _findings(
    kb: KnowledgeBase, profile: Profile, binding: NextSession | None, session: HomeSession, lang: Lang
) -> tuple[Finding, ...]:
    found: list[Finding] = []
    if binding is not None and session.on < binding.on:
        found.append(_too_soon(kb, binding, session, lang))
    found.extend(_session_findings(kb, profile, session, lang))
    return tuple(found)


def _session_findings(kb: KnowledgeBase, profile: Profile, session: HomeSession, lang: Lang) -> tuple[Finding, ...]:
    """The findings the engine gives for ``profile`` with the session's needle length, areas and products."""
    assessment = assess(session_profile(profile, session), kb, lang)
    caps = {r.rule_id: r.home_needle_cap_mm for r in kb.rules if r.home_needle_cap_mm is not None}
    return tuple(
        f
        for f in assessment.findings
        if any(fact.field in SESSION_FIELDS for fact in f.facts)
        and (f.rule_id not in caps or session.needle_mm > caps[f.rule_id])  # an area's limit: only when over it
    )


def session_profile(profile: Profile, session: HomeSession) -> Profile:
    """``profile`` at home with the session's needle length, areas and products, all known."""
    return replace(
        profile,
        setting=Setting.HOME,
        areas=session.areas,
        planned_products=session.products,
        device=replace(profile.device, needle_mm=session.needle_mm),
        unsure=profile.unsure - SESSION_FIELDS,
        unanswered=profile.unanswered - SESSION_FIELDS,
    )


def _too_soon(kb: KnowledgeBase, binding: NextSession, session: HomeSession, lang: Lang) -> Finding:
    return Finding(_too_soon_text(kb, binding.interval, lang), _too_soon_facts(binding, session))


def _too_soon_text(kb: KnowledgeBase, interval: IntervalChoice, lang: Lang) -> FindingText:
    """What the too-soon finding says after a session whose minimum interval is ``interval``."""
    policy = kb.treatment.home_journal
    rules = interval.rules
    notes = dict.fromkeys(r.note.in_(lang) for r in rules)
    sources = dict.fromkeys(c for r in rules for c in r.citations)
    return FindingText(
        rule_id=TOO_SOON,
        tier=HOME_LIMIT,
        severity=Severity.MODERATE,
        confidence=max((r.confidence for r in rules), key=list(Confidence).index),
        title=policy.too_soon_title.in_(lang),
        advice=policy.too_soon_advice.in_(lang),
        seek_care_if=None,
        evidence_note=" ".join(notes),
        citations=prepared_for(kb, lang).cite(tuple(sources)),
    )


def _too_soon_facts(binding: NextSession, session: HomeSession) -> tuple[Fact, ...]:
    """The answers a too-soon finding read: days since the binding session, its needle, its interval."""
    return (
        Fact("days_since_session", session.on - binding.after.on),
        Fact("session_needle_mm", binding.after.needle_mm),
        Fact("min_interval_days", binding.interval.days),
    )


def replacement(tk: TreatmentKnowledge, device: HomeDevice, lang: Lang) -> Replacement:
    """When ``device`` is due for replacement, by the knowledge base's low-confidence figures."""
    policy = tk.home_journal
    return Replacement(
        after_uses=policy.replace_after_uses,
        uses=device.uses,
        after_months=policy.replace_after_months,
        bought_on=device.bought_on,
        confidence=policy.replacement_confidence,
        note=policy.replacement.text.in_(lang),
        citations=policy.replacement.citations,
    )


@dataclass(frozen=True, slots=True)
class SkinCheck:
    """A home skin check: the day after the session, the questions asked, their triage and what to do."""

    day: int
    questions: tuple[CheckinQuestion, ...]
    answers: Mapping[str, Answer]  # each question's id and its answer
    triage: Triage
    advice: str
    citations: tuple[str, ...]

    @property
    def yes(self) -> frozenset[str]:
        """The questions answered yes."""
        return frozenset(key for key, said in self.answers.items() if said is Answer.YES)

    @property
    def not_sure(self) -> tuple[str, ...]:
        """The questions answered "not sure", in the order asked: each was triaged as if yes."""
        return tuple(q.question_id for q in self.questions if self.answers.get(q.question_id) is Answer.NOT_SURE)


def check_questions(tk: TreatmentKnowledge, day: int) -> tuple[CheckinQuestion, ...]:
    """The clinic check-ins' red-flag questions asked ``day`` days after a session (the day of it: day 1's)."""
    return tk.checkin.questions_for(max(day, 1))


def skin_check(tk: TreatmentKnowledge, day: int, answers: Mapping[str, Answer], lang: Lang) -> SkinCheck:
    """The check-ins' triage of the answers, with what a person at home should do.

    A "not sure" counts as yes (the worst it could stand for); a question without an answer counts as
    yes too: the caller refuses those first, and nothing here ever reads a missing answer as "no".
    """
    questions = check_questions(tk, day)
    yes = {q.question_id for q in questions if answers.get(q.question_id, Answer.NOT_SURE).counts_as_yes}
    level = triage(tk, max(day, 1), yes)
    advice = tk.home_journal.checkin_outcome[level].in_(lang)
    return SkinCheck(day, questions, MappingProxyType(dict(answers)), level, advice, tk.checkin.citations)


def pause(assessment: Assessment) -> Pause | None:
    """The pause a re-assessment calls for (a tier above home use), or None."""
    if assessment.tier.rank <= HOME_LIMIT.rank:
        return None
    reasons = tuple(f for f in assessment.findings if f.tier.rank > HOME_LIMIT.rank)
    return Pause(assessment.tier, reasons)
