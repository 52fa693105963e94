"""Profile v2: "not sure" is an answer, a left-out question is unanswered, errors name the field."""

from __future__ import annotations

import json

import pytest

from needlewise.domain.profile import UNSURE_FIELDS
from needlewise.errors import ProfileError
from needlewise.services.profiles import parse_profile, parse_profile_json, profile_json_schema

BASE = {"profile_version": 2, "setting": "home", "age": 30}
ALL_ANSWERED = {
    **BASE,
    "goals": ["glow"],
    "areas": ["cheeks"],
    "device": {"kind": "roller", "needle_mm": 0.25, "uses": 3, "shared": False, "sterile_single_use": False},
    "pregnant_or_breastfeeding": False,
    "fitzpatrick": 3,
    "skin_now": [],
    "history": ["keloid"],
    "medications": [],
    "isotretinoin_months_since_stop": None,
    "recent_procedures": [{"kind": "laser", "weeks_ago": 8}],
    "planned_products": [],
}


def test_every_question_answered_leaves_nothing_open() -> None:
    profile = parse_profile(ALL_ANSWERED)
    assert profile.version == 2
    assert profile.unsure == frozenset()
    assert profile.unanswered == frozenset()
    assert profile.device.uses == 3
    assert profile.recent_procedures[0].weeks_ago == 8


@pytest.mark.parametrize("field", UNSURE_FIELDS)
def test_every_question_but_the_basics_takes_unsure(field: str) -> None:
    document = json.loads(json.dumps(ALL_ANSWERED))
    if field.startswith("device."):
        document["device"][field.removeprefix("device.")] = "unsure"
    else:
        document[field] = "unsure"
    profile = parse_profile(document)
    assert profile.unsure == {field}
    assert profile.unanswered == frozenset()


@pytest.mark.parametrize("field", ["setting", "age", "goals", "areas"])
def test_the_basics_do_not_take_unsure(field: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile({**ALL_ANSWERED, field: "unsure"})
    assert caught.value.first.where == field


def test_device_kind_does_not_take_unsure() -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile({**BASE, "device": {"kind": "unsure"}})
    assert caught.value.first.where == "device.kind"


def test_unsure_takes_the_neutral_value_and_is_never_read_as_it() -> None:
    profile = parse_profile({**BASE, "pregnant_or_breastfeeding": "unsure", "history": "unsure"})
    assert profile.pregnant_or_breastfeeding is False
    assert profile.history == frozenset()
    assert profile.unsure == {"pregnant_or_breastfeeding", "history"}


def test_left_out_questions_are_unanswered() -> None:
    profile = parse_profile({**BASE, "device": {"kind": "pen", "needle_mm": 1.0}})
    assert profile.unanswered == set(UNSURE_FIELDS) - {"device.needle_mm"}
    assert profile.unsure == frozenset()


def test_null_means_not_sure_for_length_uses_and_skin_type_and_never_for_isotretinoin() -> None:
    device = {"kind": "roller", "needle_mm": None, "uses": None}
    profile = parse_profile({**ALL_ANSWERED, "device": device, "fitzpatrick": None})
    assert profile.unsure == {"device.needle_mm", "device.uses", "fitzpatrick"}
    assert "isotretinoin_months_since_stop" not in profile.unsure | profile.unanswered


def test_an_empty_list_is_none_of_these() -> None:
    profile = parse_profile({**ALL_ANSWERED, "history": []})
    assert profile.history == frozenset()
    assert "history" not in profile.unsure | profile.unanswered


@pytest.mark.parametrize(
    ("change", "where", "fragment"),
    [
        ({"history": "maybe"}, "history", 'valid array (got "maybe"); or "unsure" (not sure)'),
        ({"history": ["keloyd"]}, "history[0]", "'keloyd' is not allowed"),
        ({"device": {"needle_mm": 9}}, "device.needle_mm", 'less than or equal to 5 (got 9); or "unsure"'),
        ({"device": {"shared": "yes"}}, "device.shared", 'valid boolean (got "yes"); or "unsure"'),
        ({"recent_procedures": [{"kind": "peel", "weeks_ago": 1}]}, "recent_procedures[0].kind", "'peel'"),
        ({"isotretinoin_months_since_stop": -1}, "isotretinoin_months_since_stop", "greater than or equal to 0"),
        ({"devise": {}}, "devise", "unknown field"),
        ({"bool": 1}, "bool", "unknown field"),
        ({"device": {"colour": "red"}}, "device.colour", "unknown field (allowed: kind, needle_mm"),
        ({"profile_version": 3}, "profile_version", "unknown profile version 3 (allowed: 2)"),
        ({"profile_version": True}, "profile_version", "unknown profile version true"),
        ({"profile_version": "2"}, "profile_version", 'unknown profile version "2"'),
    ],
)
def test_problems_name_the_field_once(change: dict[str, object], where: str, fragment: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile({**BASE, **change})
    problems = caught.value.problems
    assert [p.where for p in problems] == [where]
    assert fragment in problems[0].message


def test_the_unknown_field_gets_a_did_you_mean() -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile({**BASE, "devise": {}})
    assert caught.value.first.suggestion == "device"


def test_v1_documents_keep_their_meaning_and_explain_unsure() -> None:
    assert parse_profile({"setting": "home", "age": 30, "profile_version": 1}).version == 1
    with pytest.raises(ProfileError) as caught:
        parse_profile({"setting": "home", "age": 30, "pregnant_or_breastfeeding": "unsure"})
    assert caught.value.first.message.endswith('"unsure" needs "profile_version": 2')


def test_json_text_is_parsed_the_same_way() -> None:
    assert parse_profile_json(json.dumps(ALL_ANSWERED)) == parse_profile(ALL_ANSWERED)


def test_the_v2_schema_is_published() -> None:
    schema = profile_json_schema()
    assert schema["title"] == "needlewise Profile v2"
    assert schema["$id"].endswith("profile-v2.json")
    assert schema["required"] == ["profile_version", "setting", "age"]
    assert schema["additionalProperties"] is False
    assert {"const": "unsure", "type": "string"} in schema["properties"]["pregnant_or_breastfeeding"]["anyOf"]
