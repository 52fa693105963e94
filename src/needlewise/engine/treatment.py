"""Pure checks of clinic treatment records against the knowledge base: no I/O, no clock.

The caller passes today's date and every fact; these functions only decide. Findings carry codes and
details; the edges turn them into words in the reader's language. Dates are day numbers
(``datetime.date.toordinal()``): the engine counts days and never reads a clock or a calendar.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from needlewise.domain.tier import Tier
from needlewise.domain.treatment import Answer, CheckCode, CheckResult, Finding, FindingLevel, Triage
from needlewise.engine.treatment_knowledge import CitedWarning, IntervalRule, TreatmentKnowledge

ABOVE_RANGE = "length_above_range"
BELOW_RANGE = "length_below_range"
NO_CONFIRMED_RANGE = "no_confirmed_range"
ABOVE_SCOPE = "length_above_scope"
ZONE_NOTE = "zone_note"
PRODUCT_FLAG = "product_flag"
NUMBING_WARNING = "numbing_warning"


def length_findings(
    tk: TreatmentKnowledge,
    goals: Iterable[str],
    zone_lengths: Mapping[str, float],
    scope_mm: float | None,
) -> tuple[Finding, ...]:
    """What is wrong with these needle lengths per zone for these goals and this practitioner.

    A length is within range when some goal with a confirmed range allows it; above every confirmed
    range or above the practitioner's scope blocks; shorter than studied (below every confirmed range,
    or between two goals' ranges), a goal without a confirmed range and a zone caution only warn.
    """
    ranges = [tk.range_for(goal) for goal in sorted(set(goals))]
    confirmed = [(r, r.min_mm, r.max_mm) for r in ranges if r.min_mm is not None and r.max_mm is not None]
    findings = [
        Finding(NO_CONFIRMED_RANGE, FindingLevel.WARN, {"goal": r.goal}, r.citations)
        for r in ranges
        if r.min_mm is None or r.max_mm is None
    ]
    for zone, length in sorted(zone_lengths.items()):
        if confirmed and not any(low <= length <= high for _, low, high in confirmed):
            top, _, top_max = max(confirmed, key=lambda c: c[2])
            if length > top_max:
                details: dict[str, str | int | float] = {
                    "zone": zone,
                    "length_mm": length,
                    "goal": top.goal,
                    "max_mm": top_max,
                }
                findings.append(Finding(ABOVE_RANGE, FindingLevel.BLOCK, details, top.citations))
            else:
                # Shorter than the nearest longer range (below them all, or in a gap between two goals').
                nearest, nearest_min, _ = min((c for c in confirmed if c[1] > length), key=lambda c: c[1])
                details = {"zone": zone, "length_mm": length, "goal": nearest.goal, "min_mm": nearest_min}
                findings.append(Finding(BELOW_RANGE, FindingLevel.WARN, details, nearest.citations))
        if scope_mm is not None and length > scope_mm:
            scope: dict[str, str | int | float] = {"zone": zone, "length_mm": length, "scope_mm": scope_mm}
            findings.append(Finding(ABOVE_SCOPE, FindingLevel.BLOCK, scope))
        findings.extend(
            Finding(
                ZONE_NOTE, FindingLevel.WARN, {"zone": zone, "length_mm": length, "note": note.zone}, note.citations
            )
            for note in tk.zone_notes
            if note.zone == zone and length > note.warn_above_mm
        )
    return tuple(findings)


@dataclass(frozen=True, slots=True)
class IntervalChoice:
    """The minimum interval for a plan and the rules it came from (the longest wins)."""

    days: int
    rules: tuple[IntervalRule, ...]


def minimum_interval(tk: TreatmentKnowledge, goals: Iterable[str], max_length_mm: float) -> IntervalChoice:
    """The shortest interval between sessions the knowledge base supports for these goals and length.

    Each goal's first rule covering ``max_length_mm`` applies (the loader guarantees a catch-all last
    rule per goal; ``KeyError`` for a goal without rules); the longest of them wins.
    """
    chosen: list[IntervalRule] = []
    for goal in sorted(set(goals)):
        covering = (r for r in tk.intervals if r.goal == goal and (r.up_to_mm is None or max_length_mm <= r.up_to_mm))
        rule = next(covering, None)
        if rule is None:
            raise KeyError(goal)
        chosen.append(rule)
    days = max((r.min_days for r in chosen), default=0)
    return IntervalChoice(days, tuple(r for r in chosen if r.min_days == days))


def product_findings(tk: TreatmentKnowledge, products: Iterable[str]) -> tuple[Finding, ...]:
    """A warning for each product that should not go on freshly needled skin."""
    wanted = set(products)
    return tuple(
        Finding(
            PRODUCT_FLAG,
            FindingLevel.WARN,
            {"product": f.product, "warning": f.warning.warning_id},
            f.warning.citations,
        )
        for f in tk.product_flags
        if f.product in wanted
    )


@dataclass(frozen=True, slots=True)
class NumbingUse:
    """How a topical anaesthetic was (or will be) used."""

    lidocaine_percent: float | None
    compounded: bool
    zones: frozenset[str]
    occluded: bool
    broken_skin: bool
    heat: bool


def numbing_findings(tk: TreatmentKnowledge, use: NumbingUse) -> tuple[Finding, ...]:
    """FDA's topical-anaesthetic warnings that apply to this use."""
    policy = tk.numbing
    raised: list[CitedWarning] = []
    if use.compounded:
        raised.append(policy.compounded)
    if use.lidocaine_percent is not None and use.lidocaine_percent > policy.max_lidocaine_percent:
        raised.append(policy.over_strength)
    if use.zones & policy.large_area_zones:
        raised.append(policy.large_area)
    if use.occluded:
        raised.append(policy.occlusion)
    if use.broken_skin:
        raised.append(policy.broken_skin)
    if use.heat:
        raised.append(policy.heat)
    return tuple(Finding(NUMBING_WARNING, FindingLevel.WARN, {"warning": w.warning_id}, w.citations) for w in raised)


def triage(tk: TreatmentKnowledge, day: int, yes_answers: Iterable[str]) -> Triage:
    """The most urgent level among the red-flag questions answered "yes" on ``day``."""
    yes = set(yes_answers)
    return Triage.highest(q.triage for q in tk.checkin.questions_for(day) if q.question_id in yes)


def triage_answers(tk: TreatmentKnowledge, day: int, answers: Mapping[str, Answer]) -> Triage:
    """The triage of a check-in's answers: a "not sure" counts as "yes" (the worst it could stand for).

    A question of ``day`` without an answer counts as "yes" too: callers refuse those first, and
    nothing here ever reads a missing answer as "no".
    """
    asked = [q.question_id for q in tk.checkin.questions_for(day)]
    return triage(tk, day, [key for key in asked if answers.get(key, Answer.NOT_SURE).counts_as_yes])


Day = int
"""A date as its day number (``date.toordinal()``)."""


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """Everything the pre-session checks look at, gathered by the caller on the day."""

    today: Day
    screening_on: Day | None
    screening_tier: Tier | None
    screening_valid_days: int
    cleared_until: Day | None
    consent_version: int | None
    current_consent_version: int | None
    plan_active: bool
    last_session_on: Day | None
    min_interval_days: int
    cartridge_expiry: Day
    cartridge_used: bool
    length_findings: tuple[Finding, ...] = field(default=())
    sessions_planned: int | None = None  # None: the plan sets no number of sessions
    sessions_done: int = 0
    clinic_has_phone: bool = True  # clients are told to call it after treatment


def session_checks(facts: SessionFacts) -> tuple[CheckResult, ...]:
    """Every pre-session check, passed or not, in the order a practitioner would fix them."""
    f = facts
    results = [CheckResult(CheckCode.SCREENING_PRESENT, f.screening_on is not None)]
    if f.screening_on is not None:
        valid_until = f.screening_on + f.screening_valid_days
        results.append(CheckResult(CheckCode.SCREENING_CURRENT, f.today <= valid_until, {"valid_until": valid_until}))
        tier = f.screening_tier or Tier.STOP
        cleared = f.cleared_until is not None and f.today <= f.cleared_until
        results.append(
            CheckResult(CheckCode.SCREENING_TIER, tier.rank <= Tier.CLINIC.rank or cleared, {"tier": tier.value})
        )
    results.append(
        CheckResult(
            CheckCode.CONSENT_CURRENT,
            f.current_consent_version is not None and f.consent_version == f.current_consent_version,
            {"signed": f.consent_version or 0, "current": f.current_consent_version or 0},
        )
    )
    results.append(CheckResult(CheckCode.PLAN_ACTIVE, f.plan_active))
    if f.sessions_planned is not None:
        results.append(
            CheckResult(
                CheckCode.PLAN_SESSIONS_LEFT,
                f.sessions_done < f.sessions_planned,
                {"planned": f.sessions_planned, "done": f.sessions_done},
            )
        )
    if f.last_session_on is not None:
        earliest = f.last_session_on + f.min_interval_days
        results.append(
            CheckResult(
                CheckCode.INTERVAL,
                f.today >= earliest,
                {"earliest": earliest, "min_days": f.min_interval_days},
            )
        )
    results.append(
        CheckResult(CheckCode.CARTRIDGE_EXPIRY, f.cartridge_expiry >= f.today, {"expiry": f.cartridge_expiry})
    )
    results.append(CheckResult(CheckCode.CARTRIDGE_UNUSED, not f.cartridge_used))
    scope = [x for x in f.length_findings if x.code == ABOVE_SCOPE]
    results.append(CheckResult(CheckCode.PRACTITIONER_SCOPE, not scope, scope[0].details if scope else {}))
    above = [x for x in f.length_findings if x.code == ABOVE_RANGE]
    results.append(CheckResult(CheckCode.LENGTH_IN_RANGE, not above, above[0].details if above else {}))
    results.append(CheckResult(CheckCode.CLINIC_PHONE, f.clinic_has_phone))
    return tuple(results)


def next_session_days(last_session_on: Day, min_interval_days: int, remaining: int) -> tuple[Day, ...]:
    """The earliest days of the remaining sessions, each at least the minimum interval after the one before."""
    step = max(min_interval_days, 1)
    return tuple(last_session_on + step * (i + 1) for i in range(max(remaining, 0)))
