"""Pure checks of clinic treatment records: lengths, intervals, products, numbing, triage, pre-session checks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from needlewise.domain.text import Text
from needlewise.domain.tier import Confidence, Tier
from needlewise.domain.treatment import CheckCode, CheckResult, Finding, FindingLevel, Triage
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.engine.treatment import (
    ABOVE_RANGE,
    ABOVE_SCOPE,
    BELOW_RANGE,
    NO_CONFIRMED_RANGE,
    NUMBING_WARNING,
    PRODUCT_FLAG,
    ZONE_NOTE,
    NumbingUse,
    SessionFacts,
    length_findings,
    minimum_interval,
    next_session_days,
    numbing_findings,
    product_findings,
    session_checks,
    triage,
)
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

T = Text("x", "x")
LOW = Confidence.LOW


def _warning(warning_id: str) -> CitedWarning:
    return CitedWarning(warning_id, T, (f"src-{warning_id}",))


def _rule(goal: str, up_to_mm: float | None, min_days: int) -> IntervalRule:
    return IntervalRule(goal, up_to_mm, min_days, T, LOW, (f"src-{goal}-{min_days}",))


def _question(question_id: str, level: Triage, from_day: int) -> CheckinQuestion:
    return CheckinQuestion(question_id, T, level, from_day, ("src-q",))


@pytest.fixture
def tk() -> TreatmentKnowledge:
    return TreatmentKnowledge(
        ranges=(
            NeedleRange("glow", 0.1, 0.3, LOW, T, ("src-glow",)),
            NeedleRange("hair_loss", 0.5, 2.5, Confidence.MODERATE, T, ("src-hair",)),
            NeedleRange("acne_scars", 0.25, 2.0, Confidence.MODERATE, T, ("src-acne",)),
            NeedleRange("stretch_marks", None, None, LOW, T, ("src-striae",)),
        ),
        zone_notes=(
            ZoneNote("under_eye", 0.0, T, ("src-eye",)),
            ZoneNote("upper_lip", 0.5, T, ("src-lip",)),
        ),
        intervals=(
            _rule("glow", 0.25, 2),
            _rule("glow", None, 28),
            _rule("hair_loss", None, 7),
            _rule("acne_scars", None, 14),
            _rule("stretch_marks", None, 14),
        ),
        numbing=NumbingPolicy(
            max_lidocaine_percent=4,
            large_area_zones=frozenset({"body", "chest"}),
            compounded=_warning("compounded"),
            over_strength=_warning("over_strength"),
            large_area=_warning("large_area"),
            occlusion=_warning("occlusion"),
            broken_skin=_warning("broken_skin"),
            heat=_warning("heat"),
        ),
        product_flags=(ProductFlag("vitamin_c_serum", _warning("vitamin_c_serum")),),
        consent_risks=(ConsentRisk("infection", T, LOW, ("src-risk",)),),
        checkin=CheckinPolicy(
            days=(1, 3, 7),
            questions=(
                _question("redness", Triage.EXPECTED, 1),
                _question("pus", Triage.CALL_CLINIC, 1),
                _question("fever", Triage.SEEK_CARE_NOW, 1),
                _question("worse_pain", Triage.SEEK_CARE_NOW, 3),
            ),
            outcome=dict.fromkeys(Triage, T),
            citations=("src-checkin",),
        ),
        adverse_event_kinds=(AdverseEventKind("other", T, ("src-other",)),),
        home_journal=HomeJournalPolicy(10, 3, LOW, _warning("replacement"), T, T, dict.fromkeys(Triage, T)),
    )


def _codes(findings: tuple[Finding, ...]) -> list[str]:
    return [f.code for f in findings]


# --- needle lengths ---------------------------------------------------------------------------------


def test_aesthetician_scope_blocks_a_length_within_the_goal_range(tk: TreatmentKnowledge) -> None:
    findings = length_findings(tk, ["acne_scars"], {"cheeks": 0.75}, scope_mm=0.5)
    assert _codes(findings) == [ABOVE_SCOPE]
    assert findings[0].blocks
    assert dict(findings[0].details) == {"zone": "cheeks", "length_mm": 0.75, "scope_mm": 0.5}
    assert findings[0].citations == ()


def test_length_at_the_scope_limit_is_allowed(tk: TreatmentKnowledge) -> None:
    assert length_findings(tk, ["acne_scars"], {"cheeks": 0.5}, scope_mm=0.5) == ()


def test_length_above_every_range_blocks_and_names_the_longest_range(tk: TreatmentKnowledge) -> None:
    findings = length_findings(tk, ["acne_scars", "glow"], {"cheeks": 2.5}, scope_mm=None)
    assert _codes(findings) == [ABOVE_RANGE]
    assert findings[0].level is FindingLevel.BLOCK
    assert dict(findings[0].details) == {"zone": "cheeks", "length_mm": 2.5, "goal": "acne_scars", "max_mm": 2.0}
    assert findings[0].citations == ("src-acne",)


def test_length_within_one_of_two_goals_ranges_passes(tk: TreatmentKnowledge) -> None:
    assert length_findings(tk, ["glow", "acne_scars"], {"cheeks": 1.5, "forehead": 0.25}, scope_mm=None) == ()


def test_length_shorter_than_studied_only_warns(tk: TreatmentKnowledge) -> None:
    findings = length_findings(tk, ["acne_scars"], {"cheeks": 0.1}, scope_mm=None)
    assert _codes(findings) == [BELOW_RANGE]
    assert not findings[0].blocks
    assert dict(findings[0].details) == {"zone": "cheeks", "length_mm": 0.1, "goal": "acne_scars", "min_mm": 0.25}


def test_length_between_two_goals_ranges_warns_against_the_nearest_longer_range(tk: TreatmentKnowledge) -> None:
    findings = length_findings(tk, ["glow", "hair_loss"], {"scalp": 0.4}, scope_mm=None)
    assert _codes(findings) == [BELOW_RANGE]
    assert findings[0].details["goal"] == "hair_loss"
    assert findings[0].details["min_mm"] == 0.5


def test_goal_without_a_confirmed_range_warns_once_and_checks_no_length(tk: TreatmentKnowledge) -> None:
    findings = length_findings(tk, ["stretch_marks", "stretch_marks"], {"body": 3.0, "chest": 0.1}, scope_mm=None)
    assert _codes(findings) == [NO_CONFIRMED_RANGE]
    assert findings[0].level is FindingLevel.WARN
    assert dict(findings[0].details) == {"goal": "stretch_marks"}
    assert findings[0].citations == ("src-striae",)


def test_unconfirmed_goal_beside_a_confirmed_one_still_checks_the_confirmed_range(tk: TreatmentKnowledge) -> None:
    findings = length_findings(tk, ["stretch_marks", "acne_scars"], {"body": 2.5}, scope_mm=None)
    assert _codes(findings) == [NO_CONFIRMED_RANGE, ABOVE_RANGE]


def test_zone_notes_warn_only_above_their_length(tk: TreatmentKnowledge) -> None:
    findings = length_findings(
        tk, ["acne_scars"], {"under_eye": 0.25, "upper_lip": 0.5, "forehead": 1.0}, scope_mm=None
    )
    assert _codes(findings) == [ZONE_NOTE]
    assert dict(findings[0].details) == {"zone": "under_eye", "length_mm": 0.25, "note": "under_eye"}
    above = length_findings(tk, ["acne_scars"], {"upper_lip": 0.75}, scope_mm=None)
    assert _codes(above) == [ZONE_NOTE]
    assert above[0].citations == ("src-lip",)


def test_without_goals_only_scope_and_zone_notes_apply(tk: TreatmentKnowledge) -> None:
    findings = length_findings(tk, [], {"under_eye": 3.0}, scope_mm=0.5)
    assert _codes(findings) == [ABOVE_SCOPE, ZONE_NOTE]


def test_every_problem_of_a_zone_is_reported(tk: TreatmentKnowledge) -> None:
    findings = length_findings(tk, ["acne_scars"], {"upper_lip": 2.5}, scope_mm=0.5)
    assert _codes(findings) == [ABOVE_RANGE, ABOVE_SCOPE, ZONE_NOTE]


def test_unknown_goal_is_a_key_error(tk: TreatmentKnowledge) -> None:
    with pytest.raises(KeyError, match="wrinkles"):
        length_findings(tk, ["wrinkles"], {}, scope_mm=None)
    with pytest.raises(KeyError):
        tk.range_for("wrinkles")
    assert tk.range_for("glow").max_mm == 0.3


# --- intervals --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("goals", "length", "days", "rule_goals"),
    [
        (["glow"], 0.25, 2, ["glow"]),
        (["glow"], 0.3, 28, ["glow"]),
        (["glow", "hair_loss"], 0.25, 7, ["hair_loss"]),
        (["glow", "hair_loss", "acne_scars"], 1.0, 28, ["glow"]),
        (["acne_scars", "stretch_marks"], 1.5, 14, ["acne_scars", "stretch_marks"]),
        ([], 1.0, 0, []),
    ],
)
def test_minimum_interval_is_the_longest_of_the_goals(
    tk: TreatmentKnowledge, goals: list[str], length: float, days: int, rule_goals: list[str]
) -> None:
    choice = minimum_interval(tk, goals, length)
    assert choice.days == days
    assert [r.goal for r in choice.rules] == rule_goals
    assert all(r.min_days == days for r in choice.rules)


def test_minimum_interval_of_a_goal_without_rules_is_a_key_error(tk: TreatmentKnowledge) -> None:
    with pytest.raises(KeyError, match="wrinkles"):
        minimum_interval(tk, ["wrinkles"], 1.0)


# --- products and numbing ---------------------------------------------------------------------------


def test_flagged_products_warn_and_others_do_not(tk: TreatmentKnowledge) -> None:
    findings = product_findings(tk, ["hyaluronic_acid", "vitamin_c_serum"])
    assert _codes(findings) == [PRODUCT_FLAG]
    assert findings[0].level is FindingLevel.WARN
    assert dict(findings[0].details) == {"product": "vitamin_c_serum", "warning": "vitamin_c_serum"}
    assert findings[0].citations == ("src-vitamin_c_serum",)
    assert product_findings(tk, []) == ()


def _use(**changes: object) -> NumbingUse:
    base = NumbingUse(
        lidocaine_percent=4.0,
        compounded=False,
        zones=frozenset({"cheeks"}),
        occluded=False,
        broken_skin=False,
        heat=False,
    )
    return replace(base, **changes)


def test_numbing_as_labelled_raises_no_warning(tk: TreatmentKnowledge) -> None:
    assert numbing_findings(tk, _use()) == ()
    assert numbing_findings(tk, _use(lidocaine_percent=None)) == ()


@pytest.mark.parametrize(
    ("changes", "warning"),
    [
        ({"compounded": True}, "compounded"),
        ({"lidocaine_percent": 5.0}, "over_strength"),
        ({"zones": frozenset({"cheeks", "body"})}, "large_area"),
        ({"occluded": True}, "occlusion"),
        ({"broken_skin": True}, "broken_skin"),
        ({"heat": True}, "heat"),
    ],
)
def test_each_numbing_warning(tk: TreatmentKnowledge, changes: dict[str, object], warning: str) -> None:
    findings = numbing_findings(tk, _use(**changes))
    assert [(f.code, f.details["warning"]) for f in findings] == [(NUMBING_WARNING, warning)]
    assert findings[0].citations == (f"src-{warning}",)


def test_every_numbing_warning_at_once_in_a_fixed_order(tk: TreatmentKnowledge) -> None:
    use = NumbingUse(
        lidocaine_percent=20.0,
        compounded=True,
        zones=frozenset({"chest"}),
        occluded=True,
        broken_skin=True,
        heat=True,
    )
    warnings = [f.details["warning"] for f in numbing_findings(tk, use)]
    assert warnings == ["compounded", "over_strength", "large_area", "occlusion", "broken_skin", "heat"]


# --- check-in triage --------------------------------------------------------------------------------


def test_triage_is_the_most_urgent_yes(tk: TreatmentKnowledge) -> None:
    assert triage(tk, 1, []) is Triage.EXPECTED
    assert triage(tk, 1, ["redness"]) is Triage.EXPECTED
    assert triage(tk, 1, ["redness", "pus"]) is Triage.CALL_CLINIC
    assert triage(tk, 3, ["pus", "fever", "redness"]) is Triage.SEEK_CARE_NOW


def test_triage_ignores_questions_not_asked_that_day_and_unknown_ids(tk: TreatmentKnowledge) -> None:
    assert triage(tk, 1, ["worse_pain", "no_such_question"]) is Triage.EXPECTED
    assert triage(tk, 3, ["worse_pain"]) is Triage.SEEK_CARE_NOW


def test_questions_for_a_day(tk: TreatmentKnowledge) -> None:
    assert [q.question_id for q in tk.checkin.questions_for(1)] == ["redness", "pus", "fever"]
    assert len(tk.checkin.questions_for(7)) == 4


def test_checkin_outcomes_are_read_only(tk: TreatmentKnowledge) -> None:
    assert set(tk.checkin.outcome) == set(Triage)
    with pytest.raises(TypeError):
        tk.checkin.outcome[Triage.EXPECTED] = T  # type: ignore[index]


# --- pre-session checks -----------------------------------------------------------------------------

TODAY = 738_000


def _facts(**changes: object) -> SessionFacts:
    base = SessionFacts(
        today=TODAY,
        screening_on=TODAY - 10,
        screening_tier=Tier.CLINIC,
        screening_valid_days=90,
        cleared_until=None,
        consent_version=2,
        current_consent_version=2,
        plan_active=True,
        last_session_on=TODAY - 28,
        min_interval_days=28,
        cartridge_expiry=TODAY,
        cartridge_used=False,
        sessions_planned=3,
        sessions_done=1,
    )
    return replace(base, **changes)


def _failed(results: tuple[CheckResult, ...]) -> list[CheckCode]:
    return [r.code for r in results if not r.passed]


def test_every_check_passes_on_a_good_day() -> None:
    results = session_checks(_facts())
    assert [r.code for r in results] == list(CheckCode)
    assert _failed(results) == []
    by_code = {r.code: r for r in results}
    assert by_code[CheckCode.SCREENING_CURRENT].details["valid_until"] == TODAY + 80
    assert dict(by_code[CheckCode.INTERVAL].details) == {"earliest": TODAY, "min_days": 28}
    assert dict(by_code[CheckCode.CONSENT_CURRENT].details) == {"signed": 2, "current": 2}
    assert dict(by_code[CheckCode.PRACTITIONER_SCOPE].details) == {}


@pytest.mark.parametrize(
    ("changes", "failed"),
    [
        ({"screening_on": TODAY - 91}, [CheckCode.SCREENING_CURRENT]),
        ({"screening_tier": Tier.MEDICAL_REVIEW}, [CheckCode.SCREENING_TIER]),
        ({"screening_tier": Tier.STOP, "cleared_until": TODAY - 1}, [CheckCode.SCREENING_TIER]),
        ({"screening_tier": None}, [CheckCode.SCREENING_TIER]),
        ({"consent_version": 1}, [CheckCode.CONSENT_CURRENT]),
        ({"consent_version": None}, [CheckCode.CONSENT_CURRENT]),
        ({"consent_version": None, "current_consent_version": None}, [CheckCode.CONSENT_CURRENT]),
        ({"plan_active": False}, [CheckCode.PLAN_ACTIVE]),
        ({"sessions_done": 3}, [CheckCode.PLAN_SESSIONS_LEFT]),
        ({"last_session_on": TODAY - 27}, [CheckCode.INTERVAL]),
        ({"cartridge_expiry": TODAY - 1}, [CheckCode.CARTRIDGE_EXPIRY]),
        ({"cartridge_used": True}, [CheckCode.CARTRIDGE_UNUSED]),
    ],
)
def test_each_failing_check(changes: dict[str, object], failed: list[CheckCode]) -> None:
    assert _failed(session_checks(_facts(**changes))) == failed


def test_a_valid_clearance_lets_a_medical_review_result_through() -> None:
    results = session_checks(_facts(screening_tier=Tier.MEDICAL_REVIEW, cleared_until=TODAY))
    assert _failed(results) == []
    tier = next(r for r in results if r.code is CheckCode.SCREENING_TIER)
    assert tier.details["tier"] == "medical_review"


def test_without_a_screening_only_its_presence_is_checked() -> None:
    results = session_checks(_facts(screening_on=None))
    codes = [r.code for r in results]
    assert CheckCode.SCREENING_CURRENT not in codes
    assert CheckCode.SCREENING_TIER not in codes
    assert _failed(results) == [CheckCode.SCREENING_PRESENT]


def test_a_first_session_has_no_interval_check() -> None:
    results = session_checks(_facts(last_session_on=None))
    assert CheckCode.INTERVAL not in [r.code for r in results]
    assert _failed(results) == []


def test_length_findings_fail_scope_and_range_checks(tk: TreatmentKnowledge) -> None:
    findings = length_findings(tk, ["acne_scars"], {"cheeks": 2.5, "chin": 0.2}, scope_mm=0.5)
    results = session_checks(_facts(length_findings=findings))
    assert _failed(results) == [CheckCode.PRACTITIONER_SCOPE, CheckCode.LENGTH_IN_RANGE]
    by_code = {r.code: r for r in results}
    assert by_code[CheckCode.PRACTITIONER_SCOPE].details["zone"] == "cheeks"
    assert by_code[CheckCode.LENGTH_IN_RANGE].details["max_mm"] == 2.0


def test_warnings_alone_do_not_fail_a_check(tk: TreatmentKnowledge) -> None:
    findings = length_findings(tk, ["acne_scars", "stretch_marks"], {"under_eye": 0.1}, scope_mm=None)
    assert {f.level for f in findings} == {FindingLevel.WARN}
    assert _failed(session_checks(_facts(length_findings=findings))) == []


# --- next sessions ----------------------------------------------------------------------------------


def test_next_session_days_step_by_the_minimum_interval() -> None:
    assert next_session_days(100, 14, 3) == (114, 128, 142)


def test_next_session_days_edge_cases() -> None:
    assert next_session_days(100, 0, 2) == (101, 102)
    assert next_session_days(100, 14, 0) == ()
    assert next_session_days(100, 14, -1) == ()


# --- value types ------------------------------------------------------------------------------------


def test_triage_levels_are_ordered() -> None:
    assert [t.rank for t in Triage] == [0, 1, 2]
    assert Triage.highest([]) is Triage.EXPECTED
    assert Triage.highest([Triage.SEEK_CARE_NOW, Triage.CALL_CLINIC]) is Triage.SEEK_CARE_NOW


def test_findings_and_results_are_frozen() -> None:
    finding = Finding("x", FindingLevel.BLOCK, {"a": 1})
    assert finding.blocks
    assert not Finding("x", FindingLevel.WARN).blocks
    with pytest.raises(TypeError):
        finding.details["a"] = 2  # type: ignore[index]
    result = CheckResult(CheckCode.PLAN_ACTIVE, passed=True, details={"b": "c"})
    with pytest.raises(TypeError):
        result.details["b"] = "d"  # type: ignore[index]


# --- with the real knowledge base -------------------------------------------------------------------


def test_real_knowledge_base_checks(kb: KnowledgeBase) -> None:
    tk = kb.treatment
    assert _codes(length_findings(tk, ["acne_scars"], {"cheeks": 2.5}, scope_mm=None)) == [ABOVE_RANGE]
    assert _codes(length_findings(tk, ["acne_scars"], {"cheeks": 0.75}, scope_mm=0.5)) == [ABOVE_SCOPE]
    assert _codes(length_findings(tk, ["stretch_marks"], {"body": 1.5}, scope_mm=None)) == [NO_CONFIRMED_RANGE]
    assert minimum_interval(tk, ["hair_loss", "acne_scars"], 1.5).days == 14
    assert minimum_interval(tk, ["glow"], 0.25).days == 2
    assert triage(tk, 1, ["fever_chills"]) is Triage.SEEK_CARE_NOW


def test_a_plan_without_a_number_of_sessions_has_no_sessions_left_check() -> None:
    results = session_checks(_facts(sessions_planned=None))
    assert CheckCode.PLAN_SESSIONS_LEFT not in [r.code for r in results]
    assert _failed(results) == []
    [left] = [r for r in session_checks(_facts(sessions_done=2)) if r.code is CheckCode.PLAN_SESSIONS_LEFT]
    assert (left.passed, dict(left.details)) == (True, {"planned": 3, "done": 2})
