"""``treatment.yaml`` loads into ``kb.treatment``, and every broken form of it is rejected with a located problem."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from needlewise.domain.treatment import Triage
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.kb.loader import load_knowledge_base
from unit.kb.kb_copies import assert_problem, copy_of_the_knowledge_base, edit_yaml, problems_of

FILE = "treatment.yaml"
Change = Callable[[dict], object]


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    return copy_of_the_knowledge_base(tmp_path)


def edit_treatment(directory: Path, change: Change) -> None:
    edit_yaml(directory, FILE, change)


def _by(items: list[dict], key: str, value: str) -> dict:
    return next(item for item in items if item[key] == value)


def _range(goal: str) -> Change:
    return lambda d: _by(d["ranges"], "goal", goal)


def _intervals(goal: str) -> Change:
    return lambda d: _by(d["intervals"], "goal", goal)


def test_the_bundled_treatment_knowledge_loads(kb: KnowledgeBase) -> None:
    tk = kb.treatment
    assert {r.goal for r in tk.ranges} == set(kb.vocabulary["goals"])
    assert tk.range_for("acne_scars").max_mm == 2.0
    assert tk.numbing.large_area.warning_id == "large_area"
    assert set(tk.checkin.outcome) == set(Triage)
    assert all(f.product == f.warning.warning_id for f in tk.product_flags)
    with pytest.raises(TypeError):
        tk.checkin.outcome[Triage.EXPECTED] = tk.checkin.outcome[Triage.CALL_CLINIC]  # type: ignore[index]


def test_missing_treatment_file(kb_dir: Path) -> None:
    (kb_dir / FILE).unlink()
    assert_problem(kb_dir, "treatment.yaml", "file is missing")


def test_unknown_key_is_located_by_id(kb_dir: Path) -> None:
    edit_treatment(kb_dir, lambda d: d["consent_risks"][0].update(severity="high"))
    assert_problem(kb_dir, "treatment.yaml: consent_risks[0] (id 'expected_reactions').severity", "Extra inputs")


def test_ids_are_snake_case(kb_dir: Path) -> None:
    edit_treatment(kb_dir, lambda d: d["adverse_event_kinds"][0].update(id="Erythema-Oedema"))
    assert_problem(kb_dir, "treatment.yaml: adverse_event_kinds[0]", ".id", "String should match pattern")


def test_a_statement_without_citations_is_rejected(kb_dir: Path) -> None:
    edit_treatment(kb_dir, lambda d: _range("glow")(d).update(citations=[]))
    assert_problem(kb_dir, "treatment.yaml: ranges[0].citations", "at least 1 item")


def test_unknown_citation_suggests_the_close_one(kb_dir: Path) -> None:
    edit_treatment(kb_dir, lambda d: _range("acne_scars")(d).update(citations=["harris-2015-acne-scar-revew"]))
    assert_problem(
        kb_dir,
        "treatment.yaml: ranges[5] (goal 'acne_scars').citations[0]",
        "unknown source 'harris-2015-acne-scar-revew'",
        "did you mean 'harris-2015-acne-scar-review'",
    )


def _append_copy(section: str, index: int = 0) -> Change:
    return lambda d: d[section].append(dict(d[section][index]))


def _set(getter: Change, **values: object) -> Change:
    return lambda d: getter(d).update(values)  # type: ignore[attr-defined]


def _remove(section: str, key: str, value: str) -> Change:
    return lambda d: d[section].remove(_by(d[section], key, value))


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        (_remove("ranges", "goal", "hair_loss"), ("treatment.yaml: ranges", "goal 'hair_loss' has no needle range")),
        (
            _set(_range("hair_loss"), goal="hair_los"),
            ("ranges[10] (goal 'hair_los').goal", "unknown goal 'hair_los'", "did you mean 'hair_loss'"),
        ),
        (_append_copy("ranges"), ("ranges[11] (goal 'glow')", "duplicate range for goal 'glow'")),
        (_set(_range("stretch_marks"), min_mm=1.0), ("(goal 'stretch_marks')", "both be numbers or both be null")),
        (_set(_range("acne_scars"), max_mm=None), ("(goal 'acne_scars')", "both be numbers or both be null")),
        (_set(_range("acne_scars"), min_mm=2.5), ("(goal 'acne_scars')", "min_mm 2.5 is longer than max_mm 2.0")),
        (_set(_range("acne_scars"), max_mm=9), ("ranges[5].max_mm", "less than or equal to 5")),
    ],
)
def test_range_problems(kb_dir: Path, change: Change, fragments: tuple[str, ...]) -> None:
    edit_treatment(kb_dir, change)
    assert_problem(kb_dir, *fragments)


def test_range_with_equal_ends_is_valid(kb_dir: Path) -> None:
    edit_treatment(kb_dir, _set(_range("acne_scars"), min_mm=1.5, max_mm=1.5))
    assert load_knowledge_base(kb_dir).treatment.range_for("acne_scars").min_mm == 1.5


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        (
            lambda d: d["zone_notes"][0].update(zone="under_eyes"),
            ("zone_notes[0] (zone 'under_eyes').zone", "unknown zone 'under_eyes'", "did you mean 'under_eye'"),
        ),
        (_append_copy("zone_notes"), ("zone_notes[3] (zone 'under_eye')", "duplicate note for zone 'under_eye'")),
        (lambda d: d["zone_notes"][0].update(warn_above_mm=-1), ("zone_notes[0].warn_above_mm", "greater than")),
    ],
)
def test_zone_note_problems(kb_dir: Path, change: Change, fragments: tuple[str, ...]) -> None:
    edit_treatment(kb_dir, change)
    assert_problem(kb_dir, *fragments)


def _rules(goal: str) -> Callable[[dict], list[dict]]:
    return lambda d: _intervals(goal)(d)["rules"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        (
            _remove("intervals", "goal", "melasma"),
            ("treatment.yaml: intervals", "goal 'melasma' has no interval rules"),
        ),
        (
            _set(_intervals("melasma"), goal="melasm"),
            ("(goal 'melasm').goal", "unknown goal 'melasm'", "did you mean 'melasma'"),
        ),
        (_append_copy("intervals"), ("intervals[11] (goal 'glow')", "duplicate intervals for goal 'glow'")),
        (
            lambda d: _rules("glow")(d).pop(),
            ("intervals[0] (goal 'glow').rules", "the last rule must be a catch-all (up_to_mm: null)"),
        ),
        (
            lambda d: _rules("glow")(d).reverse(),
            ("intervals[0] (goal 'glow').rules[1].up_to_mm", "must rise strictly"),
        ),
        (
            lambda d: _rules("glow")(d).insert(1, dict(_rules("glow")(d)[0])),
            ("intervals[0] (goal 'glow').rules[1].up_to_mm", "must rise strictly"),
        ),
        (
            lambda d: _rules("glow")(d).append(dict(_rules("glow")(d)[1])),
            ("intervals[0] (goal 'glow').rules[2].up_to_mm", "must rise strictly"),
        ),
        (lambda d: _intervals("glow")(d).update(rules=[]), ("intervals[0].rules", "at least 1 item")),
        (lambda d: _rules("hair_loss")(d)[0].update(min_days=0), ("rules[0].min_days", "greater than or equal to 1")),
    ],
)
def test_interval_problems(kb_dir: Path, change: Change, fragments: tuple[str, ...]) -> None:
    edit_treatment(kb_dir, change)
    assert_problem(kb_dir, *fragments)


def test_interval_rules_may_rise_in_several_steps(kb_dir: Path) -> None:
    def add_step(d: dict) -> None:
        rules = _rules("glow")(d)
        rules.insert(1, {**rules[0], "up_to_mm": 0.5, "min_days": 21})

    edit_treatment(kb_dir, add_step)
    tk = load_knowledge_base(kb_dir).treatment
    assert [(r.up_to_mm, r.min_days) for r in tk.intervals if r.goal == "glow"] == [(0.25, 2), (0.5, 21), (None, 28)]


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        (
            lambda d: d["numbing"].update(large_area_zones=["body", "chests"]),
            ("numbing.large_area_zones[1]", "unknown zone 'chests'", "did you mean 'chest'"),
        ),
        (lambda d: d["numbing"].pop("heat"), ("treatment.yaml: numbing.heat", "Field required")),
        (
            lambda d: d["numbing"]["occlusion"].update(citations=["uspharmacist-2009"]),
            ("numbing.occlusion.citations[0]", "unknown source 'uspharmacist-2009'"),
        ),
        (
            lambda d: d["product_flags"][0].update(product="vitamin_c"),
            ("product_flags[0] (product 'vitamin_c').product", "unknown product", "did you mean 'vitamin_c_serum'"),
        ),
        (_append_copy("product_flags"), ("product_flags[6]", "duplicate flag for product 'vitamin_c_serum'")),
        (_append_copy("consent_risks"), ("consent_risks[10] (id 'expected_reactions')", "duplicate consent risk id")),
        (
            _append_copy("adverse_event_kinds"),
            ("adverse_event_kinds[12] (id 'erythema_oedema')", "duplicate adverse event kind id"),
        ),
    ],
)
def test_numbing_product_risk_and_kind_problems(kb_dir: Path, change: Change, fragments: tuple[str, ...]) -> None:
    edit_treatment(kb_dir, change)
    assert_problem(kb_dir, *fragments)


def _question(question_id: str) -> Change:
    return lambda d: _by(d["checkin"]["questions"], "id", question_id)


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        (lambda d: d["checkin"].update(days=[1, 3, 3]), ("treatment.yaml: checkin.days", "days must rise strictly")),
        (lambda d: d["checkin"].update(days=[3, 1, 7]), ("checkin.days", "days must rise strictly")),
        (lambda d: d["checkin"].update(days=[0, 3, 7]), ("checkin.days[0]", "greater than or equal to 1")),
        (lambda d: d["checkin"].update(days=[]), ("checkin.days", "at least 1 item")),
        (
            _set(_question("firm_bumps"), from_day=8),
            ("checkin.questions[7] (id 'firm_bumps').from_day", "from_day 8 is after the last check-in day 7"),
        ),
        (
            _set(_question("pus"), from_day=0),
            ("checkin.questions[3] (id 'pus').from_day", "greater than or equal to 1"),
        ),
        (
            lambda d: d["checkin"]["questions"].append(dict(d["checkin"]["questions"][1])),
            ("checkin.questions[9] (id 'fever_chills')", "duplicate question id 'fever_chills'"),
        ),
        (_set(_question("pus"), triage="urgent"), ("(id 'pus').triage", "Input should be")),
        (
            lambda d: d["checkin"]["outcome"].pop("call_clinic"),
            ("treatment.yaml: checkin.outcome", "no outcome text for triage level 'call_clinic'"),
        ),
        (
            lambda d: d["checkin"]["outcome"].update(call_doctor=d["checkin"]["outcome"]["expected"]),
            ("checkin.outcome.call_doctor", "Input should be"),
        ),
        (
            lambda d: d["checkin"].update(citations=["no-such-source"]),
            ("treatment.yaml: checkin.citations[0]", "unknown source 'no-such-source'"),
        ),
    ],
)
def test_checkin_problems(kb_dir: Path, change: Change, fragments: tuple[str, ...]) -> None:
    edit_treatment(kb_dir, change)
    assert_problem(kb_dir, *fragments)


def test_every_treatment_problem_is_reported_at_once(kb_dir: Path) -> None:
    def break_many(d: dict) -> None:
        _range("scars")(d).update(min_mm=1.0)  # type: ignore[attr-defined]
        d["zone_notes"][1]["zone"] = "lips"
        _rules("hair_loss")(d)[0]["up_to_mm"] = 2.0
        d["checkin"]["outcome"].pop("expected")

    edit_treatment(kb_dir, break_many)
    problems = problems_of(kb_dir)
    assert len(problems) == 4, problems


def test_every_triage_level_needs_a_home_outcome(kb_dir: Path) -> None:
    edit_treatment(kb_dir, lambda d: d["home_journal"]["checkin_outcome"].pop("call_clinic"))
    assert_problem(
        kb_dir, "treatment.yaml: home_journal.checkin_outcome", "no outcome text for triage level 'call_clinic'"
    )
