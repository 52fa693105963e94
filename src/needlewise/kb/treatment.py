"""Check the meaning of ``treatment.yaml`` and build :class:`TreatmentKnowledge` from it.

Called by :mod:`needlewise.kb.loader` once the file has its shape. Every problem is appended to
``problems`` (file, path and id in ``where``; a did-you-mean suggestion where a value is close), so
the loader reports them together with the other files' problems.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import pairwise
from typing import Protocol

from needlewise.domain.text import Text
from needlewise.domain.treatment import Triage
from needlewise.engine.knowledge import Term
from needlewise.engine.treatment_knowledge import (
    AdverseEventKind,
    CheckinPolicy,
    CheckinQuestion,
    CitedWarning,
    ConsentRisk,
    HomeJournalPolicy,
    IntervalRule,
    NeedleRange,
    NumbingPolicy,
    ProductFlag,
    TreatmentKnowledge,
    ZoneNote,
)
from needlewise.errors import Problem
from needlewise.kb.schema import TextModel
from needlewise.kb.suggestions import closest
from needlewise.kb.treatment_schema import (
    CheckinModel,
    HomeJournalModel,
    IntervalsModel,
    NumbingModel,
    RangeModel,
    TreatmentFileModel,
    WarningModel,
)

FILE = "treatment.yaml"
NUMBING_WARNINGS = ("compounded", "over_strength", "large_area", "occlusion", "broken_skin", "heat")


class _Cite(Protocol):
    """The loader's citation checker: reports unknown, repeated or marketing sources, returns the citations."""

    def check(self, where: str, citations: Iterable[str]) -> tuple[str, ...]: ...


def build_treatment(
    model: TreatmentFileModel,
    vocab: Mapping[str, Mapping[str, Term]],
    cite: _Cite,
    problems: list[Problem],
) -> TreatmentKnowledge:
    """The clinic treatment knowledge of ``model``; problems of meaning are appended to ``problems``."""
    builder = _Builder(vocab, cite, problems)
    return TreatmentKnowledge(
        ranges=builder.ranges(model.ranges),
        zone_notes=builder.zone_notes(model),
        intervals=builder.intervals(model.intervals),
        numbing=builder.numbing(model.numbing),
        product_flags=builder.product_flags(model),
        consent_risks=builder.consent_risks(model),
        checkin=builder.checkin(model.checkin),
        adverse_event_kinds=builder.adverse_event_kinds(model),
        home_journal=builder.home_journal(model.home_journal),
    )


def _text(model: TextModel) -> Text:
    return Text(model.en, model.es)


class _Builder:
    def __init__(self, vocab: Mapping[str, Mapping[str, Term]], cite: _Cite, problems: list[Problem]) -> None:
        self._goals = vocab["goals"]
        self._areas = vocab["areas"]
        self._products = vocab["planned_products"]
        self._cite = cite
        self._problems = problems

    def _problem(self, where: str, message: str, suggestion: str | None = None) -> None:
        self._problems.append(Problem(where, message, suggestion))

    def _known(self, where: str, kind: str, value: str, known: Mapping[str, Term]) -> None:
        if value not in known:
            self._problem(where, f"unknown {kind} {value!r}", closest(value, known))

    def _unique(self, where: str, kind: str, value: str, seen: set[str]) -> None:
        if value in seen:
            self._problem(where, f"duplicate {kind} {value!r}")
        seen.add(value)

    def ranges(self, models: list[RangeModel]) -> tuple[NeedleRange, ...]:
        built: list[NeedleRange] = []
        seen: set[str] = set()
        for i, r in enumerate(models):
            where = f"{FILE}: ranges[{i}] (goal {r.goal!r})"
            self._known(f"{where}.goal", "goal", r.goal, self._goals)
            self._unique(where, "range for goal", r.goal, seen)
            if (r.min_mm is None) != (r.max_mm is None):
                self._problem(where, "min_mm and max_mm must both be numbers or both be null")
            elif r.min_mm is not None and r.max_mm is not None and r.min_mm > r.max_mm:
                self._problem(where, f"min_mm {r.min_mm} is longer than max_mm {r.max_mm}")
            cited = self._cite.check(f"{where}.citations", r.citations)
            built.append(NeedleRange(r.goal, r.min_mm, r.max_mm, r.confidence, _text(r.note), cited))
        self._problems.extend(
            Problem(f"{FILE}: ranges", f"goal {goal!r} has no needle range") for goal in self._goals if goal not in seen
        )
        return tuple(built)

    def zone_notes(self, model: TreatmentFileModel) -> tuple[ZoneNote, ...]:
        built: list[ZoneNote] = []
        seen: set[str] = set()
        for i, n in enumerate(model.zone_notes):
            where = f"{FILE}: zone_notes[{i}] (zone {n.zone!r})"
            self._known(f"{where}.zone", "zone", n.zone, self._areas)
            self._unique(where, "note for zone", n.zone, seen)
            cited = self._cite.check(f"{where}.citations", n.citations)
            built.append(ZoneNote(n.zone, n.warn_above_mm, _text(n.text), cited))
        return tuple(built)

    def intervals(self, models: list[IntervalsModel]) -> tuple[IntervalRule, ...]:
        built: list[IntervalRule] = []
        seen: set[str] = set()
        for i, group in enumerate(models):
            where = f"{FILE}: intervals[{i}] (goal {group.goal!r})"
            self._known(f"{where}.goal", "goal", group.goal, self._goals)
            self._unique(where, "intervals for goal", group.goal, seen)
            if group.rules[-1].up_to_mm is not None:
                self._problem(f"{where}.rules", "the last rule must be a catch-all (up_to_mm: null)")
            previous: float | None = None
            for j, rule in enumerate(group.rules):
                at = f"{where}.rules[{j}]"
                if j and (previous is None or (rule.up_to_mm is not None and rule.up_to_mm <= previous)):
                    self._problem(f"{at}.up_to_mm", "up_to_mm must rise strictly, with the catch-all (null) last")
                previous = rule.up_to_mm
                cited = self._cite.check(f"{at}.citations", rule.citations)
                built.append(
                    IntervalRule(group.goal, rule.up_to_mm, rule.min_days, _text(rule.note), rule.confidence, cited)
                )
        self._problems.extend(
            Problem(f"{FILE}: intervals", f"goal {goal!r} has no interval rules")
            for goal in self._goals
            if goal not in seen
        )
        return tuple(built)

    def numbing(self, model: NumbingModel) -> NumbingPolicy:
        where = f"{FILE}: numbing"
        for i, zone in enumerate(model.large_area_zones):
            self._known(f"{where}.large_area_zones[{i}]", "zone", zone, self._areas)

        def warning(warning_id: str) -> CitedWarning:
            w: WarningModel = getattr(model, warning_id)
            return CitedWarning(
                warning_id, _text(w.text), self._cite.check(f"{where}.{warning_id}.citations", w.citations)
            )

        compounded, over_strength, large_area, occlusion, broken_skin, heat = map(warning, NUMBING_WARNINGS)
        return NumbingPolicy(
            max_lidocaine_percent=model.max_lidocaine_percent,
            large_area_zones=frozenset(model.large_area_zones),
            compounded=compounded,
            over_strength=over_strength,
            large_area=large_area,
            occlusion=occlusion,
            broken_skin=broken_skin,
            heat=heat,
        )

    def product_flags(self, model: TreatmentFileModel) -> tuple[ProductFlag, ...]:
        built: list[ProductFlag] = []
        seen: set[str] = set()
        for i, f in enumerate(model.product_flags):
            where = f"{FILE}: product_flags[{i}] (product {f.product!r})"
            self._known(f"{where}.product", "product", f.product, self._products)
            self._unique(where, "flag for product", f.product, seen)
            cited = self._cite.check(f"{where}.citations", f.citations)
            built.append(ProductFlag(f.product, CitedWarning(f.product, _text(f.text), cited)))
        return tuple(built)

    def consent_risks(self, model: TreatmentFileModel) -> tuple[ConsentRisk, ...]:
        built: list[ConsentRisk] = []
        seen: set[str] = set()
        for i, r in enumerate(model.consent_risks):
            where = f"{FILE}: consent_risks[{i}] (id {r.id!r})"
            self._unique(where, "consent risk id", r.id, seen)
            cited = self._cite.check(f"{where}.citations", r.citations)
            built.append(ConsentRisk(r.id, _text(r.text), r.confidence, cited))
        return tuple(built)

    def checkin(self, model: CheckinModel) -> CheckinPolicy:
        where = f"{FILE}: checkin"
        if any(later <= earlier for earlier, later in pairwise(model.days)):
            self._problem(f"{where}.days", "days must rise strictly")
        last_day = max(model.days)
        questions: list[CheckinQuestion] = []
        seen: set[str] = set()
        for i, q in enumerate(model.questions):
            at = f"{where}.questions[{i}] (id {q.id!r})"
            self._unique(at, "question id", q.id, seen)
            if q.from_day > last_day:
                self._problem(f"{at}.from_day", f"from_day {q.from_day} is after the last check-in day {last_day}")
            cited = self._cite.check(f"{at}.citations", q.citations)
            questions.append(CheckinQuestion(q.id, _text(q.text), q.triage, q.from_day, cited))
        self._problems.extend(
            Problem(f"{where}.outcome", f"no outcome text for triage level {level.value!r}")
            for level in Triage
            if level not in model.outcome
        )
        return CheckinPolicy(
            days=tuple(model.days),
            questions=tuple(questions),
            outcome={level: _text(text) for level, text in model.outcome.items()},
            citations=self._cite.check(f"{where}.citations", model.citations),
        )

    def adverse_event_kinds(self, model: TreatmentFileModel) -> tuple[AdverseEventKind, ...]:
        built: list[AdverseEventKind] = []
        seen: set[str] = set()
        for i, k in enumerate(model.adverse_event_kinds):
            where = f"{FILE}: adverse_event_kinds[{i}] (id {k.id!r})"
            self._unique(where, "adverse event kind id", k.id, seen)
            built.append(AdverseEventKind(k.id, _text(k.label), self._cite.check(f"{where}.citations", k.citations)))
        return tuple(built)

    def home_journal(self, model: HomeJournalModel) -> HomeJournalPolicy:
        where = f"{FILE}: home_journal"
        self._problems.extend(
            Problem(f"{where}.checkin_outcome", f"no outcome text for triage level {level.value!r}")
            for level in Triage
            if level not in model.checkin_outcome
        )
        replacement = model.replacement
        cited = self._cite.check(f"{where}.replacement.citations", replacement.citations)
        return HomeJournalPolicy(
            replace_after_uses=model.replace_after_uses,
            replace_after_months=model.replace_after_months,
            replacement_confidence=replacement.confidence,
            replacement=CitedWarning("replacement", _text(replacement.text), cited),
            too_soon_title=_text(model.too_soon.title),
            too_soon_advice=_text(model.too_soon.advice),
            checkin_outcome={level: _text(text) for level, text in model.checkin_outcome.items()},
        )
