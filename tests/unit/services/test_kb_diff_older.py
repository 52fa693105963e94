"""``kb diff`` from a knowledge base in an older format: rules it cannot read, vignettes it cannot express."""

from __future__ import annotations

from pathlib import Path

import pytest

from needlewise.domain.tier import Tier
from needlewise.errors import KnowledgeBaseError
from needlewise.kb.files import default_directory
from needlewise.kb.loader import load_knowledge_base
from needlewise.kb.older import OlderFormat
from needlewise.services.change_control import TOO_OLD, Cases, diff_knowledge
from needlewise.services.comparable import not_comparable
from needlewise.services.kb_diff_json import diff_json
from needlewise.services.profiles import parse_profile
from unit.kb.kb_copies import copy_in_an_older_format, copy_of_the_knowledge_base, edit_yaml

ANSWERED_V2 = {
    "profile_version": 2,
    "setting": "home",
    "age": 30,
    "goals": ["glow"],
    "areas": ["cheeks"],
    "device": {"kind": "roller", "needle_mm": 0.25, "uses": 0, "shared": False},
    "pregnant_or_breastfeeding": False,
    "fitzpatrick": 2,
    "skin_now": [],
    "history": [],
    "medications": [],
    "isotretinoin_months_since_stop": None,
    "recent_procedures": [],
    "planned_products": [],
}
LEFT_OUT = {k: v for k, v in ANSWERED_V2.items() if k != "skin_now"}
PROFILES = {
    "keloid-home": {"setting": "home", "age": 30, "history": ["keloid"]},
    "glow": {"setting": "home", "age": 30, "goals": ["glow"]},
    "tan": {"setting": "home", "age": 30, "skin_now": ["recent_tan"]},
    "sunburn": {"setting": "home", "age": 30, "skin_now": ["sunburn"]},
    "numbing": {"setting": "home", "age": 30, "planned_products": ["numbing_cream"]},
    "unsure-skin": {**ANSWERED_V2, "skin_now": "unsure"},
    "left-out-skin": LEFT_OUT,
    "answered-v2": ANSWERED_V2,
}


@pytest.fixture
def cases() -> Cases:
    return Cases({case_id: parse_profile(p) for case_id, p in PROFILES.items()}, {"broken": "setting: bad"})


@pytest.fixture
def old_dir(tmp_path: Path) -> Path:
    return copy_in_an_older_format(tmp_path / "old")


def test_the_diff_reads_the_older_side_with_tolerance(old_dir: Path, cases: Cases) -> None:
    diff = diff_knowledge(old_dir, default_directory(), cases, old_label="238925d~1", new_label="knowledge")
    assert diff.old.version == "1.0.0"
    assert [n.where for n in diff.old_notes] == [
        "vocabulary.yaml: skin_now.old_spot",
        "vocabulary.yaml: skin_now",
        "vocabulary.yaml: planned_products",
        "questionnaire.yaml",
        "kb.yaml: plan_texts.unsure_title",
        "citations",
    ]
    assert set(diff.unreadable) == {"sunburn", "recent-tan-or-sun"}
    assert "unknown field 'sunburn_days_ago'" in diff.unreadable["sunburn"][0]
    # A rule the old version could not read is not "added": it is listed as unreadable.
    assert not {r.rule_id for r in diff.rules.added} & set(diff.unreadable)
    changed = {c.rule_id: c.kinds for c in diff.rules.changed}
    assert changed["keloid-tendency"] == ("tier", "citations")


def test_vignettes_the_older_side_cannot_express_are_not_comparable(old_dir: Path, cases: Cases) -> None:
    diff = diff_knowledge(old_dir, default_directory(), cases, old_label="old", new_label="new")
    assert diff.not_comparable == {
        "tan": "skin_now 'recent_tan' is not in the old vocabulary; "
        "recent-tan-or-sun fires now and could not be read in the old version",
        "sunburn": "sunburn fires now and could not be read in the old version",
        "numbing": "planned_products 'numbing_cream' is not in the old vocabulary",
        "unsure-skin": "'not sure' to skin_now, which the old questionnaire does not take",
        "left-out-skin": "no answer to skin_now, which the old questionnaire cannot leave open",
    }
    assert diff.cases == len(PROFILES)
    assert [c.case_id for c in diff.verdicts] == ["keloid-home"]
    keloid = diff.verdicts[0]
    assert (keloid.old.tier, keloid.new.tier, keloid.direction) == (Tier.MEDICAL_REVIEW, Tier.STOP, "raised")
    document = diff_json(diff)
    assert document["verdicts"]["not_comparable"] == dict(diff.not_comparable)
    assert document["verdicts"]["skipped"] == {"broken": "setting: bad"}
    assert document["rules"]["unreadable_in_old"]["recent-tan-or-sun"] == list(diff.unreadable["recent-tan-or-sun"])
    assert document["from"]["read_with_tolerance"][3] == "questionnaire.yaml: no 'not sure' answer to: skin_now"


def test_every_vignette_compares_between_two_current_knowledge_bases(tmp_path: Path, cases: Cases) -> None:
    diff = diff_knowledge(
        copy_of_the_knowledge_base(tmp_path), default_directory(), cases, old_label="a", new_label="b"
    )
    assert diff.not_comparable == {}
    assert diff.old_notes == ()
    assert diff.unreadable == {}
    assert diff.verdicts == ()


def test_a_knowledge_base_too_old_to_read_is_an_error_that_says_so(old_dir: Path, cases: Cases) -> None:
    (old_dir / "treatment.yaml").unlink()
    with pytest.raises(KnowledgeBaseError) as caught:
        diff_knowledge(old_dir, default_directory(), cases, old_label="f7077e3", new_label="new")
    assert [str(p) for p in caught.value.problems] == [
        "f7077e3: treatment.yaml: file is missing",
        f"f7077e3: {TOO_OLD}",
    ]


def test_the_new_side_is_never_read_with_tolerance(old_dir: Path, tmp_path: Path, cases: Cases) -> None:
    new = copy_of_the_knowledge_base(tmp_path / "new")
    edit_yaml(new, "vocabulary.yaml", lambda d: d["skin_now"].pop("recent_tan"))
    with pytest.raises(KnowledgeBaseError) as caught:
        diff_knowledge(old_dir, new, cases, old_label="old", new_label="new")
    assert [str(p) for p in caught.value.problems] == [
        "new: vocabulary.yaml: skin_now: no label for value 'recent_tan'"
    ]


def test_a_case_is_comparable_when_the_old_side_has_everything_it_answers(old_dir: Path) -> None:
    older = OlderFormat()
    old, new = load_knowledge_base(old_dir, older=older), load_knowledge_base()
    assert not_comparable(parse_profile(PROFILES["glow"]), old, new, older.unreadable) is None
    both = parse_profile({**LEFT_OUT, "history": "unsure", "planned_products": ["numbing_cream"]})
    assert not_comparable(both, old, new, ()) == (
        "planned_products 'numbing_cream' is not in the old vocabulary; "
        "no answer to skin_now, which the old questionnaire cannot leave open"
    )
