"""What changed between two knowledge bases: rules added, removed and changed, and the verdicts. Pure.

Used by ``needlewise kb diff`` (two knowledge bases, one case suite) and by the reviewed verdict
snapshot (stored verdicts against today's). A case is any named profile, in practice a vignette.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from needlewise.domain.json_types import JsonValue
from needlewise.domain.profile import Profile
from needlewise.domain.text import Text
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Setting
from needlewise.engine.conditions import condition_to_json
from needlewise.engine.evaluate import assess, fired_rule_ids
from needlewise.engine.knowledge import KnowledgeBase, Rule

# The kinds of change a reviewer reads, in the order they are listed.
TIER = "tier"
CONDITION = "condition"
CITATIONS = "citations"
TEXTS = "texts"
HOME_NEEDLE = "home_needle"
OTHER = "other"
CHANGE_KINDS = (TIER, CONDITION, CITATIONS, TEXTS, HOME_NEEDLE, OTHER)

_TEXT_FIELDS = ("title", "advice", "seek_care_if", "evidence_note")
_OTHER_FIELDS = ("group", "severity", "confidence", "brief_class", "examples")


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One changed field of a rule (``tier.home``, ``condition``, ``advice.es``...), before and after."""

    kind: str
    field: str
    old: JsonValue
    new: JsonValue


@dataclass(frozen=True, slots=True)
class RuleChange:
    """A rule present on both sides whose content differs."""

    rule_id: str
    changes: tuple[FieldChange, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of change (tier, condition, citations, texts, home_needle, other), each once."""
        present = {c.kind for c in self.changes}
        return tuple(k for k in CHANGE_KINDS if k in present)


@dataclass(frozen=True, slots=True)
class RulesDiff:
    """Rules only in the new knowledge base, only in the old one, and in both but different."""

    added: tuple[Rule, ...]
    removed: tuple[Rule, ...]
    changed: tuple[RuleChange, ...]

    @property
    def empty(self) -> bool:
        """Whether no rule was added, removed or changed."""
        return not (self.added or self.removed or self.changed)


def diff_rules(old: KnowledgeBase, new: KnowledgeBase) -> RulesDiff:
    """Rules added, removed and changed from ``old`` to ``new`` (new order, then old order for removals)."""
    before = {r.rule_id: r for r in old.rules}
    after = {r.rule_id: r for r in new.rules}
    changed = []
    for rule in new.rules:
        previous = before.get(rule.rule_id)
        if previous is not None:
            changes = rule_changes(previous, rule)
            if changes:
                changed.append(RuleChange(rule.rule_id, changes))
    return RulesDiff(
        added=tuple(r for r in new.rules if r.rule_id not in before),
        removed=tuple(r for r in old.rules if r.rule_id not in after),
        changed=tuple(changed),
    )


def rule_changes(old: Rule, new: Rule) -> tuple[FieldChange, ...]:
    """Every field that differs between two versions of one rule."""
    changes: list[FieldChange] = [
        FieldChange(TIER, f"tier.{setting.value}", _tier(old, setting), _tier(new, setting))
        for setting in Setting
        if old.tiers.get(setting) != new.tiers.get(setting)
    ]
    if old.condition != new.condition:
        changes.append(
            FieldChange(CONDITION, "condition", _condition(old), _condition(new)),
        )
    if old.citations != new.citations:
        changes.append(FieldChange(CITATIONS, "citations", list(old.citations), list(new.citations)))
    for name in _TEXT_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        for lang in ("en", "es"):
            old_text, new_text = _in(before, lang), _in(after, lang)
            if old_text != new_text:
                changes.append(FieldChange(TEXTS, f"{name}.{lang}", old_text, new_text))
    if old.home_needle_cap_mm != new.home_needle_cap_mm:
        changes.append(
            FieldChange(HOME_NEEDLE, "home_needle_cap_mm", old.home_needle_cap_mm, new.home_needle_cap_mm),
        )
    if old.blocks_home != new.blocks_home:
        changes.append(FieldChange(HOME_NEEDLE, "blocks_home", old.blocks_home, new.blocks_home))
    changes.extend(
        FieldChange(OTHER, name, _plain(getattr(old, name)), _plain(getattr(new, name)))
        for name in _OTHER_FIELDS
        if getattr(old, name) != getattr(new, name)
    )
    return tuple(changes)


def _tier(rule: Rule, setting: Setting) -> str | None:
    tier = rule.tiers.get(setting)
    return tier.value if tier is not None else None


def _condition(rule: Rule) -> JsonValue:
    return condition_to_json(rule.condition)  # type: ignore[return-value]


def _in(text: Text | None, lang: str) -> str | None:
    return None if text is None else text.en if lang == "en" else text.es


def _plain(value: object) -> JsonValue:
    if value is None:
        return None
    if isinstance(value, tuple):  # examples: how many
        return len(value)
    return str(value)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the engine says for one case: the tier, the rules that fired (sorted), the home needle limit."""

    tier: Tier
    fired: tuple[str, ...]
    home_needle_mm_max: float | None

    def to_json(self) -> dict[str, JsonValue]:
        """JSON form, as the verdict snapshot stores it."""
        return {"tier": self.tier.value, "fired": list(self.fired), "home_needle_mm_max": self.home_needle_mm_max}


def verdict(profile: Profile, kb: KnowledgeBase) -> Verdict:
    """The verdict for ``profile`` under ``kb``."""
    assessment = assess(profile, kb)
    return Verdict(assessment.tier, tuple(sorted(fired_rule_ids(profile, kb))), assessment.plan.home_needle_mm_max)


def verdicts(cases: Mapping[str, Profile], kb: KnowledgeBase) -> dict[str, Verdict]:
    """The verdict of every case, in the cases' order."""
    return {case_id: verdict(profile, kb) for case_id, profile in cases.items()}


@dataclass(frozen=True, slots=True)
class VerdictChange:
    """One case whose verdict differs; ``old`` or ``new`` is None where the case is only on one side."""

    case_id: str
    old: Verdict | None
    new: Verdict | None

    @property
    def what(self) -> tuple[str, ...]:
        """What differs: ``added``/``removed`` for one-sided cases, else ``tier``, ``fired``, ``home_needle_mm_max``."""
        if self.old is None:
            return ("added",)
        if self.new is None:
            return ("removed",)
        names = ("tier", "fired", "home_needle_mm_max")
        return tuple(n for n in names if getattr(self.old, n) != getattr(self.new, n))

    @property
    def direction(self) -> str:
        """``raised``, ``lowered`` or ``same`` tier (``same`` for one-sided cases): lowered needs the closest look."""
        if self.old is None or self.new is None or self.old.tier is self.new.tier:
            return "same"
        return "raised" if self.new.tier.rank > self.old.tier.rank else "lowered"

    @property
    def fired_added(self) -> tuple[str, ...]:
        """Rules that fire now and did not before."""
        before = set(self.old.fired) if self.old else set()
        return tuple(r for r in self.new.fired if r not in before) if self.new else ()

    @property
    def fired_removed(self) -> tuple[str, ...]:
        """Rules that fired before and no longer do."""
        after = set(self.new.fired) if self.new else set()
        return tuple(r for r in self.old.fired if r not in after) if self.old else ()


def compare_verdicts(old: Mapping[str, Verdict], new: Mapping[str, Verdict]) -> tuple[VerdictChange, ...]:
    """Cases whose verdict differs, in ``new``'s order, then cases only in ``old``."""
    changes = [VerdictChange(case_id, old.get(case_id), v) for case_id, v in new.items() if old.get(case_id) != v]
    changes.extend(VerdictChange(case_id, v, None) for case_id, v in old.items() if case_id not in new)
    return tuple(changes)


def tier_counts(changes: Sequence[VerdictChange]) -> dict[str, int]:
    """How many changed cases were raised, lowered, or changed without a tier change."""
    counts = {"raised": 0, "lowered": 0, "same": 0}
    for change in changes:
        counts[change.direction] += 1
    return counts
