"""The loader rejects every kind of broken knowledge base with a precise, located message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from needlewise.kb.files import default_directory
from needlewise.kb.loader import load_knowledge_base
from unit.kb.kb_copies import assert_problem, copy_of_the_knowledge_base, edit_yaml, problems_of

SOURCE = default_directory()


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    return copy_of_the_knowledge_base(tmp_path)


def edit(directory: Path, name: str, old: str, new: str, count: int = 1) -> None:
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_missing_folder(tmp_path: Path) -> None:
    assert_problem(tmp_path / "nowhere", "knowledge base folder not found")


def test_missing_file(kb_dir: Path) -> None:
    (kb_dir / "questionnaire.yaml").unlink()
    assert_problem(kb_dir, "questionnaire.yaml", "file is missing")


def test_no_rule_files(kb_dir: Path) -> None:
    shutil.rmtree(kb_dir / "rules")
    assert_problem(kb_dir, "rules/", "no rule files")


def test_invalid_yaml_names_the_line(kb_dir: Path) -> None:
    edit(kb_dir, "rules/goals.yaml", "group: goals", "group: [goals")
    assert_problem(kb_dir, "rules/goals.yaml:", "not valid YAML")


def test_unknown_key_in_a_rule_names_file_rule_and_key(kb_dir: Path) -> None:
    edit(kb_dir, "rules/goals.yaml", "    severity: moderate\n", "    severity: moderate\n    advise: x\n")
    assert_problem(kb_dir, "rules/goals.yaml: rules[0] (id 'goal-needs-clinic').advise", "Extra inputs")


def test_missing_translation(kb_dir: Path) -> None:
    edit_yaml(kb_dir, "rules/hygiene.yaml", lambda d: d["rules"][1]["title"].pop("es"))
    assert_problem(kb_dir, "rules[1] (id 'worn-device').title.es", "Field required")


def test_wrong_document_shape(kb_dir: Path) -> None:
    (kb_dir / "sources.yaml").write_text("- just a list\n", encoding="utf-8")
    assert_problem(kb_dir, "sources.yaml", "valid dictionary")


def test_unknown_citation_suggests_the_close_one(kb_dir: Path) -> None:
    edit(kb_dir, "rules/hygiene.yaml", "[cdc-2008-disinfection-gl,", "[cdc-2008-disinfection,")
    assert_problem(
        kb_dir, "citations[0]", "unknown source 'cdc-2008-disinfection'", "did you mean 'cdc-2008-disinfection-gl'"
    )


def test_same_source_cited_twice(kb_dir: Path) -> None:
    edit(
        kb_dir,
        "rules/hygiene.yaml",
        "[cdc-2008-disinfection-gl,",
        "[cdc-2008-disinfection-gl, cdc-2008-disinfection-gl,",
    )
    assert_problem(kb_dir, "a source is cited twice")


@pytest.mark.parametrize(
    ("old", "new", "fragments"),
    [
        (
            "{field: skin_now, op: contains, value: cold_sore}",
            "{field: skin_nw, op: contains, value: cold_sore}",
            ("condition.field", "unknown field 'skin_nw'", "did you mean 'skin_now'"),
        ),
        (
            "{field: skin_now, op: contains, value: cold_sore}",
            "{field: skin_now, op: contain, value: cold_sore}",
            ("condition.op", "unknown operator 'contain'", "did you mean 'contains'"),
        ),
        (
            "{field: skin_now, op: contains, value: cold_sore}",
            "{field: skin_now, op: gt, value: cold_sore}",
            ("operator 'gt' does not apply to set field 'skin_now'",),
        ),
        (
            "{field: skin_now, op: contains, value: cold_sore}",
            "{field: skin_now, op: contains, value: cold_sores}",
            ("condition.value", "'cold_sores' is not a skin_now value", "did you mean 'cold_sore'"),
        ),
        (
            "{field: skin_now, op: contains, value: cold_sore}",
            "{field: skin_now, op: intersects, value: cold_sore}",
            ("needs a non-empty list",),
        ),
        (
            "{field: skin_now, op: contains, value: cold_sore}",
            "{field: skin_now, op: is_null, value: cold_sore}",
            ("operator 'is_null' takes no value",),
        ),
        (
            "{field: skin_now, op: contains, value: cold_sore}",
            "{field: skin_now, op: contains, value: 3}",
            ("3 is not a skin_now value",),
        ),
        (
            "{field: skin_now, op: contains, value: cold_sore}",
            '{field: pregnant_or_breastfeeding, op: eq, value: "yes"}',
            ("'yes' is not a bool value",),
        ),
        (
            "{field: skin_now, op: contains, value: cold_sore}",
            "{field: age, op: lt, value: 18.5}",
            ("18.5 is not a int value for field 'age'",),
        ),
        (
            "{field: skin_now, op: contains, value: cold_sore}",
            "{field: device.needle_mm, op: gt, value: true}",
            ("True is not a number value",),
        ),
        (
            "{field: skin_now, op: contains, value: cold_sore}",
            "{field: skin_now, opp: contains, value: cold_sore}",
            ("unknown key 'opp' in condition", "did you mean 'op'"),
        ),
        (
            "{field: skin_now, op: contains, value: cold_sore}",
            "{field: 1, op: contains}",
            ("needs 'field' and 'op' strings",),
        ),
        ("{field: skin_now, op: contains, value: cold_sore}", "[skin_now]", ("a condition must be a mapping",)),
        ("{field: skin_now, op: contains, value: cold_sore}", "{all: x}", ("'all' needs a list",)),
        (
            "{field: skin_now, op: contains, value: cold_sore}",
            "{all: [], any: []}",
            ("exactly one of 'all', 'any' or 'not'",),
        ),
        (
            "{field: skin_now, op: contains, value: cold_sore}",
            "{not: {field: skin_now, op: has, value: cold_sore}}",
            ("condition.not.op", "unknown operator 'has'"),
        ),
    ],
)
def test_condition_errors_are_located_and_suggest_fixes(
    kb_dir: Path, old: str, new: str, fragments: tuple[str, ...]
) -> None:
    edit(kb_dir, "rules/contraindications.yaml", old, new)
    assert_problem(kb_dir, "rules/contraindications.yaml: rules[1] (id 'active-cold-sore')", *fragments)


def test_duplicate_rule_id_across_files(kb_dir: Path) -> None:
    edit(kb_dir, "rules/goals.yaml", "id: goal-melasma", "id: active-cold-sore")
    assert_problem(kb_dir, "duplicate rule id 'active-cold-sore'", "also in rules/contraindications.yaml")


def test_tier_per_setting_must_cover_both_settings(kb_dir: Path) -> None:
    edit(kb_dir, "rules/contraindications.yaml", "tier: {home: stop, clinic: medical_review}", "tier: {home: stop}")
    assert_problem(kb_dir, ".tier", "no tier for setting(s): clinic")


def test_duplicate_source_id_and_brief_ref(kb_dir: Path) -> None:
    def duplicate(data: dict) -> None:
        data["sources"].append(dict(data["sources"][0]))

    edit_yaml(kb_dir, "sources.yaml", duplicate)
    assert_problem(kb_dir, "duplicate source id 'alster-2018-mn-review'")
    assert_problem(kb_dir, "brief_ref 1 is used twice")


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        (
            lambda d: d.update(colours={"red": {"en": "Red", "es": "Rojo"}}),
            ("vocabulary.yaml: colours", "unknown vocabulary"),
        ),
        (lambda d: d.pop("areas"), ("vocabulary.yaml: areas", "missing")),
        (
            lambda d: d["areas"].update(elbow={"en": "Elbow", "es": "Codo"}),
            ("areas.elbow", "not a profile areas value"),
        ),
        (lambda d: d["areas"].pop("chin"), ("vocabulary.yaml: areas", "no label for value 'chin'")),
        (lambda d: d["areas"]["chin"].pop("es"), ("areas.chin.es", "Field required")),
    ],
)
def test_vocabulary_must_match_profile_v1(kb_dir: Path, change, fragments: tuple[str, ...]) -> None:
    edit_yaml(kb_dir, "vocabulary.yaml", change)
    assert_problem(kb_dir, *fragments)


def test_vocabulary_must_be_a_mapping(kb_dir: Path) -> None:
    (kb_dir / "vocabulary.yaml").write_text("[]\n", encoding="utf-8")
    assert_problem(kb_dir, "vocabulary.yaml", "must be a mapping")


def _question(data: dict, question_id: str) -> dict:
    return next(q for q in data["questions"] if q["id"] == question_id)


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        (
            lambda d: _question(d, "history").update(field="histroy"),
            ("unknown field 'histroy'", "did you mean 'history'"),
        ),
        (lambda d: _question(d, "history").update(field="skin_now"), ("field 'skin_now' is already asked",)),
        (lambda d: _question(d, "history").update(kind="single"), ("kind 'single' does not suit set field 'history'",)),
        (
            lambda d: _question(d, "pregnant").update(nullable=True),
            ("'pregnant_or_breastfeeding' cannot be left unknown",),
        ),
        (lambda d: _question(d, "fitzpatrick").pop("choices"), ("scale questions, and only they",)),
        (lambda d: _question(d, "recent-procedures").update(kind="multi"), ("kind 'procedures' is for field",)),
        (lambda d: _question(d, "history").update(kind="procedures"), ("kind 'procedures' is for field",)),
        (
            lambda d: _question(d, "skin-now").update(ask_if={"field": "goals", "op": "contains", "value": "glow"}),
            ("skin-now').ask_if.field", "field 'goals' is not known at this point"),
        ),
        (
            lambda d: _question(d, "needle-length").update(
                ask_if={"all": [{"field": "age", "op": "lt", "value": 10}, {"field": "age", "op": "gt", "value": 20}]}
            ),
            ("needle-length').ask_if", "unreachable"),
        ),
        (
            lambda d: _question(d, "goals").update(options=["glow", "glowing"]),
            ("options[1]", "'glowing' is not a value of 'goals'", "did you mean 'glow'"),
        ),
        (lambda d: _question(d, "goals").update(id="history"), ("duplicate question id 'history'",)),
        (lambda d: d["questions"].reverse(), ("the first questions must ask setting and age",)),
        (
            lambda d: _question(d, "pregnant").pop("unsure"),
            ("pregnant').unsure", "'pregnant_or_breastfeeding' says what to find out"),
        ),
        (
            lambda d: _question(d, "goals").update(unsure={"en": "?", "es": "?"}),
            ("goals').unsure", "field 'goals' takes no 'unsure' answer"),
        ),
        (
            lambda d: _question(d, "pregnant").update(none_label={"en": "No", "es": "No"}),
            ("pregnant').none_label", "only a nullable question has an answer meaning 'none'"),
        ),
    ],
)
def test_questionnaire_problems(kb_dir: Path, change, fragments: tuple[str, ...]) -> None:
    edit_yaml(kb_dir, "questionnaire.yaml", change)
    assert_problem(kb_dir, "questionnaire.yaml", *fragments)


def test_questions_may_ask_a_subset_of_options(kb_dir: Path) -> None:
    edit_yaml(kb_dir, "questionnaire.yaml", lambda d: _question(d, "goals").update(options=["glow", "texture"]))
    kb = load_knowledge_base(kb_dir)
    goals = next(q for q in kb.questions if q.question_id == "goals")
    assert [o.value for o in goals.options] == ["glow", "texture"]


def test_procedure_fields_are_readable_after_the_procedures_question(kb_dir: Path) -> None:
    edit_yaml(
        kb_dir,
        "questionnaire.yaml",
        lambda d: _question(d, "goals").update(ask_if={"field": "procedures.laser.weeks_ago", "op": "is_null"}),
    )
    load_knowledge_base(kb_dir)


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        (lambda d: d["sections"].append(dict(d["sections"][0])), ("duplicate section id 'home-preparation'",)),
        (lambda d: d["schedules"][0].update(goal="shine"), ("unknown goal 'shine'",)),
        (
            lambda d: d["schedules"].append(dict(d["schedules"][0])),
            ("a schedule for this goal and setting already exists",),
        ),
        (
            lambda d: d.update(schedules=[s for s in d["schedules"] if s["goal"] != "scars"]),
            ("goal 'scars' has no clinic schedule",),
        ),
        (
            lambda d: d["sections"][0].update(applies_if={"field": "setting", "op": "eq", "value": "spa"}),
            ("sections[0] (id 'home-preparation').applies_if.value", "'spa' is not a setting value"),
        ),
    ],
)
def test_protocol_problems(kb_dir: Path, change, fragments: tuple[str, ...]) -> None:
    edit_yaml(kb_dir, "protocols.yaml", change)
    assert_problem(kb_dir, "protocols.yaml", *fragments)


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        (lambda d: d["plan_texts"].pop("not_at_home"), ("plan_texts.not_at_home", "missing")),
        (
            lambda d: d["plan_texts"]["home_limit"].update(en="Use {maximum} mm."),
            ("plan_texts.home_limit.en", "must use {max}, {preferred}"),
        ),
        (lambda d: d["plan_texts"]["not_at_home"].update(es="No {"), ("plan_texts.not_at_home.es", "bad template")),
        (
            lambda d: d["plan_texts"]["not_at_home"].update(es="No {x}"),
            ("plan_texts.not_at_home.es", "must use no placeholders"),
        ),
        (
            lambda d: d["plan_texts"].update(home_limt=d["plan_texts"]["home_limit"]),
            ("unknown plan text", "did you mean 'home_limit'"),
        ),
        (lambda d: d["tiers"].pop("clinic"), ("kb.yaml: tiers", "missing texts for tiers: clinic")),
        (lambda d: d["home_needle"].update(preferred_mm=0.4), ("preferred_mm is longer than max_mm",)),
        (
            lambda d: d["home_needle"].update(citations=["nobody-2020"]),
            ("home_needle.citations[0]", "unknown source 'nobody-2020'"),
        ),
    ],
)
def test_kb_file_problems(kb_dir: Path, change, fragments: tuple[str, ...]) -> None:
    edit_yaml(kb_dir, "kb.yaml", change)
    assert_problem(kb_dir, "kb.yaml", *fragments)


def test_every_problem_is_reported_at_once(kb_dir: Path) -> None:
    edit(kb_dir, "rules/goals.yaml", "value: melasma}", "value: melasmaa}")
    edit(kb_dir, "rules/hygiene.yaml", "[cdc-2008-disinfection-gl,", "[cdc-2008,")
    problems = problems_of(kb_dir)
    assert len(problems) == 2


@pytest.mark.parametrize(
    "ask_if",
    [
        {
            "all": [
                {"field": "setting", "op": "eq", "value": "home"},
                {"field": "setting", "op": "eq", "value": "clinic"},
            ]
        },
        {
            "all": [
                {"field": "goals", "op": "contains", "value": "glow"},
                {"not": {"field": "goals", "op": "intersects", "value": ["glow"]}},
            ]
        },
        {
            "all": [
                {"field": "pregnant_or_breastfeeding", "op": "eq", "value": True},
                {"field": "pregnant_or_breastfeeding", "op": "eq", "value": False},
            ]
        },
    ],
)
def test_contradictory_conditions_make_a_question_unreachable(kb_dir: Path, ask_if: dict) -> None:
    edit_yaml(kb_dir, "questionnaire.yaml", lambda d: _question(d, "products").update(ask_if=ask_if))
    assert_problem(kb_dir, "questions[15] (id 'products').ask_if", "unreachable")


def test_problem_inside_a_list_without_ids(kb_dir: Path) -> None:
    edit_yaml(kb_dir, "protocols.yaml", lambda d: d["sections"][0]["steps"][1].pop("es"))
    assert_problem(kb_dir, "protocols.yaml: sections[0] (id 'home-preparation').steps[1].es", "Field required")


def test_duplicate_claim_and_gap_ids(kb_dir: Path) -> None:
    edit_yaml(kb_dir, "claims.yaml", lambda d: d["claims"].append(dict(d["claims"][0])))
    edit_yaml(kb_dir, "gaps.yaml", lambda d: d["gaps"].append(dict(d["gaps"][0])))
    problems = problems_of(kb_dir)
    assert any("duplicate claim id" in p for p in problems)
    assert any("duplicate gap id" in p for p in problems)
