"""Profile v1 is accepted exactly under its names; anything else is rejected naming the field."""

from __future__ import annotations

import json

import pytest

from needlewise.domain.vocabulary import DeviceKind, Goal, ProcedureKind, Setting
from needlewise.errors import ProfileError
from needlewise.services.profiles import MAX_INPUT_BYTES, parse_profile, parse_profile_json, profile_json_schema

FULL = {
    "setting": "home",
    "age": 34,
    "goals": ["glow", "texture"],
    "areas": ["cheeks"],
    "device": {"kind": "roller", "needle_mm": 0.25, "uses": 3, "shared": False, "sterile_single_use": False},
    "pregnant_or_breastfeeding": False,
    "fitzpatrick": 3,
    "skin_now": [],
    "history": ["pih"],
    "medications": ["topical_retinoid"],
    "isotretinoin_months_since_stop": None,
    "recent_procedures": [{"kind": "filler", "weeks_ago": 30}],
    "planned_products": ["hyaluronic_acid"],
}


def test_a_full_profile_parses() -> None:
    profile = parse_profile(FULL)
    assert profile.setting is Setting.HOME
    assert profile.goals == {Goal.GLOW, Goal.TEXTURE}
    assert profile.device.kind is DeviceKind.ROLLER
    assert profile.weeks_since(ProcedureKind.FILLER) == 30


def test_missing_optional_fields_mean_none() -> None:
    profile = parse_profile({"setting": "clinic", "age": 50})
    assert profile.goals == frozenset()
    assert profile.device.kind is DeviceKind.UNDECIDED
    assert profile.device.needle_mm is None
    assert profile.isotretinoin_months_since_stop is None


def _first(data: object) -> str:
    with pytest.raises(ProfileError) as caught:
        parse_profile(data)
    return str(caught.value.first)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"setting": "spa"}, "setting: 'spa' is not allowed (allowed: home, clinic)"),
        ({"age": 400}, "age: Input should be less than or equal to 120 (got 400)"),
        ({"age": "30"}, 'age: Input should be a valid integer (got "30")'),
        ({"age": True}, "age: Input should be a valid integer (got true)"),
        ({"age": 30.5}, "age: Input should be a valid integer (got 30.5)"),
        ({"goals": ["glo"]}, "goals[0]: 'glo' is not allowed"),
        ({"goals": ["glow", "glow"]}, "goals: Value error, each value may appear only once"),
        ({"goals": "glow"}, "goals: Input should be a valid array"),
        ({"device": {"needle_mm": -0.5}}, "device.needle_mm: Input should be greater than 0 (got -0.5)"),
        ({"device": {"needle_mm": False}}, "device.needle_mm: Input should be a valid number (got false)"),
        ({"device": {"kindd": "roller"}}, "device.kindd: unknown field (allowed: kind, needle_mm"),
        ({"recent_procedures": [{"kind": "filler"}]}, "recent_procedures[0].weeks_ago: required field is missing"),
        ({"recent_procedures": [{"kind": "filler", "weeks_ago": 1, "x": 1}]}, "recent_procedures[0].x: unknown field"),
        ({"fitzpatrick": 7}, "fitzpatrick: Input should be less than or equal to 6"),
        ({"colour": "red"}, "colour: unknown field (allowed: setting, age"),
        (
            {"isotretinoin_months_since_stop": -1},
            "isotretinoin_months_since_stop: Input should be greater than or equal to 0",
        ),
    ],
)
def test_invalid_values_name_the_field(change: dict, expected: str) -> None:
    assert expected in _first({**FULL, **change})


def test_did_you_mean() -> None:
    assert "(did you mean 'glow'?)" in _first({**FULL, "goals": ["glo"]})
    assert "(did you mean 'kind'?)" in _first({**FULL, "device": {"kindd": "roller"}})


def test_required_fields() -> None:
    assert _first({"age": 3}) == "setting: required field is missing"


@pytest.mark.parametrize(
    ("data", "expected"),
    [([1], "an array"), ("x", "a string"), (None, "null"), (3, "a number"), (True, "a boolean")],
)
def test_non_objects_are_rejected(data: object, expected: str) -> None:
    assert _first(data) == f"(input): a profile must be a JSON object, not {expected}"


def test_json_text() -> None:
    assert parse_profile_json(json.dumps(FULL)).age == 34
    with pytest.raises(ProfileError, match="not valid JSON"):
        parse_profile_json("{setting: home}")
    with pytest.raises(ProfileError, match="larger than"):
        parse_profile_json(" " * (MAX_INPUT_BYTES + 1))


def test_every_problem_is_reported() -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile({"setting": "spa", "age": -1, "goals": ["x"]})
    assert {p.where for p in caught.value.problems} == {"setting", "age", "goals[0]"}


def test_json_schema_is_published_and_strict() -> None:
    schema = profile_json_schema(1)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["required"] == ["setting", "age"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["goals"]["uniqueItems"] is True
    assert set(schema["properties"]) == set(FULL)


def test_whole_numbers_written_with_a_decimal_point_are_integers() -> None:
    assert parse_profile({**FULL, "age": 34.0, "fitzpatrick": 3.0}).age == 34
