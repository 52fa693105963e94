from __future__ import annotations

from needlewise.domain.tier import Tier
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.services.assessments import LineResult, assess_json_lines, assess_profile_data, split_json_lines


def test_assess_decoded_data(kb: KnowledgeBase) -> None:
    assert assess_profile_data({"setting": "home", "age": 30}, kb).tier is Tier.HOME_OK


def test_line_results_serialise(kb: KnowledgeBase) -> None:
    results = list(assess_json_lines(['{"setting": "home", "age": 30}', '{"age": 1}'], kb))
    assert results[0].to_json()["tier"] == "home_ok"
    assert results[1].to_json()["error"]["field"] == "setting"
    assert isinstance(results[1], LineResult)


def test_split_json_lines_ignores_only_the_final_newline() -> None:
    assert split_json_lines("a\nb\n") == ["a", "b"]
    assert split_json_lines("a\n\nb") == ["a", "", "b"]
