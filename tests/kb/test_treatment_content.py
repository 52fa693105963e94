"""Content guarantees of the clinic treatment knowledge that the loader's checks cannot express."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from needlewise.domain.text import Text
from needlewise.domain.tier import Grade
from needlewise.domain.treatment import Triage
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.engine.treatment_knowledge import TreatmentKnowledge

NUMBER = re.compile(r"\d+(?:\.\d+)?")
SPANISH_DECIMAL = re.compile(r"(\d),(\d)")  # 0,25 mm is how Spanish writes 0.25 mm
LENGTH_IS_NOT_DEPTH = re.compile(r"length is not (?:the )?(?:penetration )?depth", re.IGNORECASE)


@pytest.fixture(scope="module")
def tk(kb: KnowledgeBase) -> TreatmentKnowledge:
    return kb.treatment


def _texts(tk: TreatmentKnowledge) -> Iterator[tuple[str, Text]]:
    yield from ((f"range {r.goal}", r.note) for r in tk.ranges)
    yield from ((f"zone note {n.zone}", n.text) for n in tk.zone_notes)
    yield from ((f"interval {r.goal} up to {r.up_to_mm}", r.note) for r in tk.intervals)
    numbing = tk.numbing
    warnings = (
        numbing.compounded,
        numbing.over_strength,
        numbing.large_area,
        numbing.occlusion,
        numbing.broken_skin,
        numbing.heat,
    )
    yield from ((f"numbing {w.warning_id}", w.text) for w in warnings)
    yield from ((f"product {f.product}", f.warning.text) for f in tk.product_flags)
    yield from ((f"consent risk {r.risk_id}", r.text) for r in tk.consent_risks)
    yield from ((f"question {q.question_id}", q.text) for q in tk.checkin.questions)
    yield from ((f"outcome {level}", text) for level, text in tk.checkin.outcome.items())
    yield from ((f"adverse event kind {k.kind_id}", k.label) for k in tk.adverse_event_kinds)


def test_every_goal_has_exactly_one_range(kb: KnowledgeBase, tk: TreatmentKnowledge) -> None:
    assert sorted(r.goal for r in tk.ranges) == sorted(kb.vocabulary["goals"])


def test_unconfirmed_ranges_stay_null_and_say_so(tk: TreatmentKnowledge) -> None:
    for goal in ("stretch_marks", "melasma", "scars", "hyperpigmentation"):
        r = tk.range_for(goal)
        assert (r.min_mm, r.max_mm) == (None, None), goal
        assert "no confirmed" in r.note.en.lower() or "conflict" in r.note.en.lower(), goal
        assert "provider's decision" in r.note.en, goal
    assert "No confirmed needle-length range" in tk.range_for("stretch_marks").note.en
    assert "contradicen" in tk.range_for("melasma").note.es


def test_key_numbers_follow_the_brief(tk: TreatmentKnowledge) -> None:
    acne = tk.range_for("acne_scars")
    assert (acne.min_mm, acne.max_mm) == (0.25, 2.0)
    assert "1.5 mm" in acne.note.en  # the median across studies
    hair = tk.range_for("hair_loss")
    assert (hair.min_mm, hair.max_mm) == (0.5, 2.5)
    for goal in ("fine_lines", "wrinkles"):
        assert (tk.range_for(goal).min_mm, tk.range_for(goal).max_mm) == (0.5, 1.5)
    catch_all = {r.goal: r.min_days for r in tk.intervals if r.up_to_mm is None}
    assert catch_all["acne_scars"] == 14
    assert catch_all["hair_loss"] == 7
    assert catch_all["melasma"] == catch_all["hyperpigmentation"] == catch_all["stretch_marks"] == 14
    assert catch_all["fine_lines"] == catch_all["wrinkles"] == 28
    assert tk.numbing.max_lidocaine_percent == 4


def test_every_goal_ends_with_a_catch_all_interval(kb: KnowledgeBase, tk: TreatmentKnowledge) -> None:
    for goal in kb.vocabulary["goals"]:
        rules = [r for r in tk.intervals if r.goal == goal]
        assert rules, goal
        assert rules[-1].up_to_mm is None, goal


def test_interval_notes_say_the_number_is_a_minimum_not_an_optimum(tk: TreatmentKnowledge) -> None:
    for rule in tk.intervals:
        assert "shortest interval" in rule.note.en, rule.goal
        assert f"{rule.min_days} days" in rule.note.en, rule.goal


def test_every_number_is_cited_by_a_source_that_exists(kb: KnowledgeBase, tk: TreatmentKnowledge) -> None:
    numbered = [(r.goal, r.citations) for r in tk.ranges if r.min_mm is not None]
    numbered += [(r.goal, r.citations) for r in tk.intervals]
    numbered += [(n.zone, n.citations) for n in tk.zone_notes]
    for where, citations in numbered:
        assert citations, where
        assert all(c in kb.sources for c in citations), where


def test_confirmed_ranges_rest_on_more_than_marketing(kb: KnowledgeBase, tk: TreatmentKnowledge) -> None:
    for r in tk.ranges:
        if r.min_mm is not None:
            assert {kb.sources[c].grade for c in r.citations} - {Grade.MKT}, r.goal


def test_lengths_are_never_called_depths(tk: TreatmentKnowledge) -> None:
    offenders = [
        (where, text.en)
        for where, text in _texts(tk)
        if "depth" in text.en.lower() and not LENGTH_IS_NOT_DEPTH.search(text.en)
    ]
    assert offenders == []
    assert not [where for where, text in _texts(tk) if "profundidad" in text.es.lower()]


def test_spanish_texts_carry_the_same_numbers_as_english(tk: TreatmentKnowledge) -> None:
    mismatches = [
        (where, text.en)
        for where, text in _texts(tk)
        if sorted(NUMBER.findall(text.en)) != sorted(NUMBER.findall(SPANISH_DECIMAL.sub(r"\1.\2", text.es)))
    ]
    assert mismatches == []


def test_consent_risks_cover_the_serious_ones(tk: TreatmentKnowledge) -> None:
    risks = {r.risk_id: r for r in tk.consent_risks}
    assert {
        "expected_reactions",
        "hyperpigmentation",
        "infection",
        "granulomas",
        "scarring",
        "allergy_irritation",
        "disease_transmission",
        "anaesthetic_toxicity",
        "results_vary",
    } <= set(risks)
    assert "HIV" in risks["disease_transmission"].text.en
    assert "sterile" in risks["disease_transmission"].text.en
    assert "seizures" in risks["anaesthetic_toxicity"].text.en


def test_checkin_red_flags(tk: TreatmentKnowledge) -> None:
    checkin = tk.checkin
    assert checkin.days == (1, 3, 7)
    questions = {q.question_id: q for q in checkin.questions}
    assert questions["fever_chills"].triage is Triage.SEEK_CARE_NOW
    assert questions["spreading_redness"].triage is Triage.SEEK_CARE_NOW
    # infection and herpes blisters are on the "see a doctor now" list: never only "call the clinic"
    assert questions["pus"].triage is Triage.SEEK_CARE_NOW
    assert questions["blisters"].triage is Triage.SEEK_CARE_NOW
    assert "see a doctor today" in checkin.outcome[Triage.CALL_CLINIC].en
    assert questions["worsening_pain_swelling"].from_day == 3
    assert {q.triage for q in checkin.questions} == set(Triage)
    for q in checkin.questions:
        assert q.text.en.startswith("Since your treatment, "), q.question_id
        assert q.text.en.endswith("?"), q.question_id
        assert q.text.es.startswith("Desde el tratamiento, ¿"), q.question_id
        assert q.text.es.endswith("?"), q.question_id
    assert "urgent care or emergency" in checkin.outcome[Triage.SEEK_CARE_NOW].en


def test_numbing_flags_large_zones_and_says_fda_gives_no_threshold(kb: KnowledgeBase, tk: TreatmentKnowledge) -> None:
    assert tk.numbing.large_area_zones <= set(kb.vocabulary["areas"])
    assert "no size threshold" in tk.numbing.large_area.text.en


def test_product_flags_cover_non_sterile_serums_and_prp(kb: KnowledgeBase, tk: TreatmentKnowledge) -> None:
    flagged = {f.product for f in tk.product_flags}
    assert {"vitamin_c_serum", "unknown_serum", "retinoid_serum", "acid_serum", "prp"} <= flagged
    assert "sterile_clinic_product" not in flagged
    assert flagged <= set(kb.vocabulary["planned_products"])


def test_adverse_event_kinds(tk: TreatmentKnowledge) -> None:
    kinds = [k.kind_id for k in tk.adverse_event_kinds]
    assert kinds == [
        "erythema_oedema",
        "pain",
        "bruising_bleeding",
        "pih",
        "infection_bacterial",
        "infection_hsv",
        "infection_mycobacterial",
        "granuloma",
        "contact_dermatitis_allergy",
        "scarring",
        "anaesthetic_toxicity",
        "other",
    ]
    mycobacterial = next(k for k in tk.adverse_event_kinds if k.kind_id == "infection_mycobacterial")
    assert "no microneedling case confirmed" in mycobacterial.label.en
