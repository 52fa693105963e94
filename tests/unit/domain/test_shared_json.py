"""Parts of an assessment's JSON shared between assessments: readable as JSON, never changed in place."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from factories import make_profile
from needlewise.domain.shared_json import SharedArray, SharedObject, shared
from needlewise.domain.vocabulary import Lang
from needlewise.engine.evaluate import assess
from needlewise.engine.knowledge import KnowledgeBase

PLAIN = {"title": "Ñ", "citations": ["a", "b"], "facts": [{"field": "goals", "value": ["glow"]}], "n": 1.5}

OBJECT_CHANGES: list[Callable[[Any], object]] = [
    lambda o: o.__setitem__("x", 1),
    lambda o: o.__delitem__("title"),
    lambda o: o.__ior__({"x": 1}),
    lambda o: o.clear(),
    lambda o: o.pop("title"),
    lambda o: o.popitem(),
    lambda o: o.setdefault("x", 1),
    lambda o: o.update(x=1),
]
ARRAY_CHANGES: list[Callable[[Any], object]] = [
    lambda a: a.__setitem__(0, "z"),
    lambda a: a.__delitem__(0),
    lambda a: a.__iadd__(["z"]),
    lambda a: a.__imul__(2),
    lambda a: a.append("z"),
    lambda a: a.extend(["z"]),
    lambda a: a.insert(0, "z"),
    lambda a: a.pop(),
    lambda a: a.remove("a"),
    lambda a: a.clear(),
    lambda a: a.sort(),
    lambda a: a.reverse(),
]


def test_shared_json_reads_and_serialises_as_the_plain_json() -> None:
    frozen = shared(PLAIN)
    assert isinstance(frozen, SharedObject)
    assert isinstance(frozen["citations"], SharedArray)
    assert isinstance(frozen["facts"][0], SharedObject)
    assert frozen == PLAIN
    assert json.loads(json.dumps(frozen)) == PLAIN
    assert orjson.loads(orjson.dumps(frozen, option=orjson.OPT_SORT_KEYS)) == PLAIN
    assert shared(("a", 1)) == ["a", 1]
    assert shared("text") == "text"


@pytest.mark.parametrize("change", OBJECT_CHANGES)
def test_a_shared_object_refuses_every_change(change: Callable[[Any], object]) -> None:
    frozen = shared(PLAIN)
    with pytest.raises(TypeError, match="shared with other assessments and read-only"):
        change(frozen)
    assert frozen == PLAIN


@pytest.mark.parametrize("change", ARRAY_CHANGES)
def test_a_shared_array_refuses_every_change(change: Callable[[Any], object]) -> None:
    frozen = shared(PLAIN)["citations"]
    with pytest.raises(TypeError, match="read-only"):
        change(frozen)
    assert frozen == ["a", "b"]


@pytest.mark.parametrize("clone", [copy.copy, copy.deepcopy])
def test_copies_are_plain_and_changeable(clone: Callable[[Any], Any]) -> None:
    frozen = shared(PLAIN)
    obj, array = clone(frozen), clone(frozen["citations"])
    assert (type(obj), type(array)) == (dict, list)
    obj["x"] = 1
    array.append("c")
    assert frozen == PLAIN


def test_deep_copies_are_plain_all_the_way_down() -> None:
    plain = copy.deepcopy(shared(PLAIN))
    plain["facts"][0]["value"].append("acne_scars")
    assert type(plain["facts"]) is list
    assert shared(PLAIN)["facts"][0]["value"] == ["glow"]


def test_an_assessment_shares_its_findings_and_sources_but_no_one_can_change_them_through_it(kb: KnowledgeBase) -> None:
    profile = make_profile(goals=["acne_scars"], skin_now=["cold_sore"], fitzpatrick=5)
    first, second = assess(profile, kb).to_json(), assess(profile, kb).to_json()
    assert first == second
    assert first is not second
    assert first["findings"] is not second["findings"]
    assert first["findings"][0] is second["findings"][0]  # type: ignore[index]
    with pytest.raises(TypeError):
        first["findings"][0]["title"] = "changed"  # type: ignore[index]
    editable = copy.deepcopy(first)
    editable["findings"][0]["title"] = "changed"  # type: ignore[index]
    first["findings"].clear()  # type: ignore[union-attr]
    first["sources"].clear()  # type: ignore[union-attr]
    assert assess(profile, kb).to_json() == second
    assert assess(profile, kb).findings[0].to_json() == dict(second["findings"][0])  # type: ignore[call-overload,index]


def test_findings_built_outside_the_engine_still_give_their_json(kb: KnowledgeBase) -> None:
    finding = assess(make_profile(skin_now=["cold_sore"]), kb, Lang.ES).findings[0]
    bare = finding._replace(shared_json=None)
    assert bare.json_form() == finding.json_form()
    assert bare.to_json() == dict(finding.json_form())


def test_a_citation_gives_a_plain_changeable_copy_of_its_shared_json(kb: KnowledgeBase) -> None:
    citation = assess(make_profile(skin_now=["cold_sore"]), kb).findings[0].citations[0]
    plain = citation.to_json()
    assert type(plain) is dict
    assert plain == citation.shared_json
    plain["title"] = "changed"
    assert citation.shared_json["title"] != "changed"


def test_a_finding_s_shared_json_is_its_plain_json_read_only_all_the_way_down(kb: KnowledgeBase) -> None:
    profile = make_profile(skin_now=["cold_sore"], areas=["cheeks", "forehead"])
    for finding in assess(profile, kb, Lang.ES).findings:
        form = finding.text.shared_json(finding.facts)
        assert form == shared(finding.text.to_json(finding.facts))
        assert orjson.loads(orjson.dumps(form)) == finding.text.to_json(finding.facts)
        assert isinstance(form["citations"], SharedArray)
        assert all(isinstance(fact, SharedObject) for fact in form["facts"])
        for part in (form, form["facts"], form["citations"]):
            with pytest.raises(TypeError):
                part.clear()  # type: ignore[union-attr]
