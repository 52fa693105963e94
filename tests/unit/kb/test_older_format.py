"""Reading a knowledge base written for an older needlewise, with tolerance, to compare it with the current one."""

from __future__ import annotations

from pathlib import Path

import pytest

from needlewise.domain.text import Text
from needlewise.errors import KnowledgeBaseError, Problem
from needlewise.kb.loader import load_knowledge_base
from needlewise.kb.older import OlderFormat
from unit.kb.kb_copies import copy_in_an_older_format, copy_of_the_knowledge_base, edit_yaml, problems_of


def test_the_current_loader_refuses_an_older_format(tmp_path: Path) -> None:
    problems = problems_of(copy_in_an_older_format(tmp_path))
    assert "vocabulary.yaml: skin_now: no label for value 'recent_tan'" in problems
    assert any("postpone_weeks: Extra inputs are not permitted" in p for p in problems)


def test_an_older_format_is_read_as_it_declares_itself(tmp_path: Path) -> None:
    older = OlderFormat()
    kb = load_knowledge_base(copy_in_an_older_format(tmp_path), older=older)
    assert "recent_tan" not in kb.vocabulary["skin_now"]
    assert "old_spot" not in kb.vocabulary["skin_now"]
    assert "numbing_cream" not in kb.vocabulary["planned_products"]
    assert "sunburn" in kb.vocabulary["skin_now"]
    skin_now = next(q for q in kb.questions if q.field == "skin_now")
    assert not skin_now.takes_unsure
    assert next(q for q in kb.questions if q.field == "history").takes_unsure
    assert kb.plan_texts["unsure_title"] == Text("", "")
    keloid = next(r for r in kb.rules if r.rule_id == "keloid-tendency")
    assert keloid.citations[-1] == "mnbeforeafter-depth-chart"
    notes = [str(n) for n in older.all_notes()]
    assert notes == [
        "vocabulary.yaml: skin_now.old_spot: not a profile skin_now value (did you mean 'cold_sore'?)",
        "vocabulary.yaml: skin_now: no label for value 'recent_tan'",
        "vocabulary.yaml: planned_products: no label for value 'numbing_cream'",
        "questionnaire.yaml: no 'not sure' answer to: skin_now",
        "kb.yaml: plan_texts.unsure_title: missing; verdicts do not read it",
        "citations: 1 citation(s) of marketing sources (grade MKT) outside claims.yaml, which the current rules refuse",
    ]


def test_rules_the_current_code_cannot_read_are_left_out_with_why(tmp_path: Path) -> None:
    older = OlderFormat()
    kb = load_knowledge_base(copy_in_an_older_format(tmp_path), older=older)
    ids = {r.rule_id for r in kb.rules}
    assert not ids & {"sunburn", "recent-tan-or-sun"}
    assert "keloid-tendency" in ids
    assert older.unreadable == {
        "sunburn": (
            "rules/contraindications.yaml: rules[17] (id 'sunburn').condition.field: unknown field 'sunburn_days_ago'",
        ),
        "recent-tan-or-sun": (
            (
                "rules/contraindications.yaml: rules[18] (id 'recent-tan-or-sun').postpone_weeks: Extra inputs are "
                "not permitted"
            ),
        ),
    }


def test_an_unreadable_rule_without_an_id_and_a_file_of_unreadable_rules(tmp_path: Path) -> None:
    knowledge = copy_of_the_knowledge_base(tmp_path)
    edit_yaml(knowledge, "rules/contraindications.yaml", lambda d: d["rules"].append("not a rule"))
    edit_yaml(knowledge, "rules/products.yaml", lambda d: d.update(rules=[{"id": "old-rule"}]))
    older = OlderFormat()
    kb = load_knowledge_base(knowledge, older=older)
    assert "rules/contraindications.yaml: rules[" in next(iter(older.unreadable))
    assert older.unreadable["old-rule"][0].startswith("rules/products.yaml: rules[0] (id 'old-rule').tier: ")
    assert not any(r.group == "products" for r in kb.rules)


def test_a_rules_file_without_a_list_of_rules_is_still_an_error(tmp_path: Path) -> None:
    knowledge = copy_of_the_knowledge_base(tmp_path)
    edit_yaml(knowledge, "rules/products.yaml", lambda d: d.update(rules="none"))
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(knowledge, older=OlderFormat())
    assert [p.where for p in caught.value.problems] == ["rules/products.yaml: rules"]


def test_plan_texts_with_other_placeholders_are_left_empty_and_unknown_ones_left_out(tmp_path: Path) -> None:
    knowledge = copy_of_the_knowledge_base(tmp_path)

    def plan_texts(data: dict) -> None:
        data["plan_texts"]["unsure_check"]["en"] = "Check {what}"
        data["plan_texts"]["retired_text"] = {"en": "x", "es": "x"}

    edit_yaml(knowledge, "kb.yaml", plan_texts)
    older = OlderFormat()
    kb = load_knowledge_base(knowledge, older=older)
    assert kb.plan_texts["unsure_check"] == Text("", "")
    assert "retired_text" not in kb.plan_texts
    assert [n.where for n in older.notes] == ["kb.yaml: plan_texts.unsure_check.en", "kb.yaml: plan_texts.retired_text"]


def test_the_current_knowledge_base_needs_no_tolerance() -> None:
    older = OlderFormat()
    kb = load_knowledge_base(older=older)
    assert older.all_notes() == ()
    assert older.unreadable == {}
    assert kb == load_knowledge_base()


def test_notes_count_marketing_citations_once() -> None:
    older = OlderFormat(notes=[Problem("kb.yaml", "a note")], marketing_citations=3)
    assert [str(n) for n in older.all_notes()] == [
        "kb.yaml: a note",
        "citations: 3 citation(s) of marketing sources (grade MKT) outside claims.yaml, which the current rules refuse",
    ]


def test_a_treatment_file_without_the_home_journal_reads_with_a_placeholder(tmp_path: Path) -> None:
    knowledge = copy_of_the_knowledge_base(tmp_path)
    edit_yaml(knowledge, "treatment.yaml", lambda d: d.pop("home_journal"))
    assert any("home_journal" in p and "Field required" in p for p in problems_of(knowledge))
    older = OlderFormat()
    kb = load_knowledge_base(knowledge, older=older)
    assert [str(n) for n in older.all_notes()] == [
        "treatment.yaml: home_journal: absent in this version; read as a placeholder"
    ]
    assert kb.treatment.home_journal.replacement.text == Text("(absent in this version)", "(ausente en esta versión)")
