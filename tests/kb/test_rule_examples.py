"""Every example profile written next to a rule runs as a test: its tier, and whether the rule fires."""

from __future__ import annotations

import pytest

from needlewise.engine.evaluate import assess, fired_rule_ids
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.kb.loader import load_knowledge_base
from needlewise.services.profiles import parse_profile

_KB = load_knowledge_base()
EXAMPLES = [
    pytest.param(rule.rule_id, example, id=f"{rule.rule_id}-{n}")
    for rule in _KB.rules
    for n, example in enumerate(rule.examples)
]


@pytest.mark.parametrize(("rule_id", "example"), EXAMPLES)
def test_rule_example(kb: KnowledgeBase, rule_id: str, example) -> None:
    profile = parse_profile(dict(example.profile))
    fired = fired_rule_ids(profile, kb)
    assert (rule_id in fired) is example.fires, f"{rule_id} fired={rule_id in fired}; all fired: {fired}"
    assert assess(profile, kb).tier is example.tier


def test_every_rule_has_an_example_where_it_fires(kb: KnowledgeBase) -> None:
    missing = [r.rule_id for r in kb.rules if not any(e.fires for e in r.examples)]
    assert missing == []
