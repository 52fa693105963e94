"""The hazard log (docs/hazards.yaml) names real rules, real code and tests that pytest collects.

A control without a test that exists, a rule id the knowledge base does not have, or a serious rule
(one of the brief's contraindication classes, or a tier of medical_review or stop) that no control
names, fails the build: the log must follow the knowledge base and the tests, in the same commit.
"""

from __future__ import annotations

from collections import Counter

import pytest

from kb.hazard_log import HAZARD_LOG, REPOSITORY, collect, controls, file_of, load, matches, resolves
from needlewise.domain.tier import Tier
from needlewise.engine.knowledge import KnowledgeBase

LOG = load()
CONTROLS = list(controls(LOG))


def test_hazard_ids_are_unique() -> None:
    duplicates = sorted(i for i, n in Counter(h.id for h in LOG.hazards).items() if n > 1)
    assert duplicates == []


def test_every_rule_a_control_names_exists(kb: KnowledgeBase) -> None:
    known = {rule.rule_id for rule in kb.rules}
    unknown = [f"{where}: {rule}" for where, control in CONTROLS for rule in control.rules if rule not in known]
    assert unknown == [], f"{HAZARD_LOG.name} names rules the knowledge base does not have: {unknown}"


def test_every_serious_rule_is_named_by_a_control(kb: KnowledgeBase) -> None:
    named = {rule for _, control in CONTROLS for rule in control.rules}
    serious = [
        rule.rule_id
        for rule in kb.rules
        if rule.brief_class is not None or max(t.rank for t in rule.tiers.values()) >= Tier.MEDICAL_REVIEW.rank
    ]
    missing = [rule_id for rule_id in serious if rule_id not in named]
    assert missing == [], (
        f"rules carrying a contraindication class or forcing medical_review/stop that no control in "
        f"{HAZARD_LOG.name} names (add each to the hazard it controls): {missing}"
    )


def test_every_code_reference_imports() -> None:
    broken = [f"{where}: {name}" for where, control in CONTROLS for name in control.code if not resolves(name)]
    assert broken == [], f"{HAZARD_LOG.name} names code that does not exist: {broken}"


def test_every_control_is_shown_by_tests_that_exist() -> None:
    wanted = [(where, node) for where, control in CONTROLS for node in control.tests]
    files = {file_of(node) for _, node in wanted}
    absent = sorted(f for f in files if not (REPOSITORY / f).is_file())
    collected, failure = collect(files - set(absent))
    assert failure == "", f"pytest could not collect the tests {HAZARD_LOG.name} names:\n{failure}"
    missing = [f"{where}: {node}" for where, node in wanted if not matches(node, collected)]
    assert missing == [], f"{HAZARD_LOG.name} names tests pytest does not collect: {missing}"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("tests/a.py::test_x", True),
        ("tests/a.py::test_y", True),
        ("tests/a.py::test_y[one]", True),
        ("tests/a.py::test_y[on]", False),
        ("tests/a.py::test_y[o*]", True),
        ("tests/a.py::test_y[t*]", False),
        ("tests/a.py::test_", False),
        ("tests/b.py::test_x", False),
    ],
)
def test_test_ids_match_exactly_by_function_or_by_star(pattern: str, expected: bool) -> None:
    collected = {"tests/a.py::test_x", "tests/a.py::test_y[one]", "tests/a.py::test_y[only]"}
    assert matches(pattern, collected) is expected


def test_code_references_resolve_modules_and_attributes() -> None:
    assert resolves("needlewise.engine.plan")
    assert resolves("needlewise.engine.plan.home_needle_limit")
    assert resolves("needlewise.engine.knowledge.Rule.tier_for")
    assert not resolves("needlewise.engine.plan.no_such_function")
    assert not resolves("no_such_package.anything")


def test_collection_failures_are_reported(tmp_path) -> None:
    broken = tmp_path / "test_broken.py"
    broken.write_text("import no_such_module_here\n", encoding="utf-8")
    collected, failure = collect([str(broken)])
    assert collected == set()
    assert "no_such_module_here" in failure
