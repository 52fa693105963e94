"""The JSON form of a knowledge-base diff (``needlewise kb diff --format json``)."""

from __future__ import annotations

from collections.abc import Mapping

from needlewise.domain.json_types import JsonValue
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Setting
from needlewise.engine.kb_diff import VerdictChange
from needlewise.services.change_control import KbDiff


def diff_json(diff: KbDiff) -> dict[str, JsonValue]:
    """The JSON form of a diff (``needlewise kb diff --format json``)."""
    return {
        "from": {
            "source": diff.old_label,
            **diff.old.to_json(),
            "read_with_tolerance": [str(n) for n in diff.old_notes],
        },
        "to": {"source": diff.new_label, **diff.new.to_json()},
        "content_changed": diff.content_changed,
        "version_bumped": diff.version_bumped,
        "files_changed": list(diff.files),
        "rules": {
            "added": [{"id": r.rule_id, "tier": _tiers(r.tiers)} for r in diff.rules.added],
            "removed": [{"id": r.rule_id, "tier": _tiers(r.tiers)} for r in diff.rules.removed],
            "changed": [
                {
                    "id": c.rule_id,
                    "kinds": list(c.kinds),
                    "fields": [{"kind": f.kind, "field": f.field, "old": f.old, "new": f.new} for f in c.changes],
                }
                for c in diff.rules.changed
            ],
            "unreadable_in_old": {rule_id: list(why) for rule_id, why in diff.unreadable.items()},
        },
        "verdicts": {
            "vignettes": diff.cases,
            "changed": [verdict_change_json(c) for c in diff.verdicts],
            "skipped": dict(diff.skipped),
            "not_comparable": dict(diff.not_comparable),
        },
    }


def verdict_change_json(change: VerdictChange) -> dict[str, JsonValue]:
    """One changed verdict: what changed, the tier's direction, and both verdicts."""
    return {
        "id": change.case_id,
        "what": list(change.what),
        "direction": change.direction,
        "old": change.old.to_json() if change.old else None,
        "new": change.new.to_json() if change.new else None,
        "fired_added": list(change.fired_added),
        "fired_removed": list(change.fired_removed),
    }


def _tiers(tiers: Mapping[Setting, Tier]) -> dict[str, JsonValue]:
    return {setting.value: tier.value for setting, tier in tiers.items()}
