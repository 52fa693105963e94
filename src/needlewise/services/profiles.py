"""Parse a person's answers, Profile v1 or v2, into a domain ``Profile``; publish their JSON Schemas.

``"profile_version": 2`` selects v2; a document without it is v1 (deprecated) and keeps v1's
meaning. Every problem names its field path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from needlewise.domain.profile import Profile
from needlewise.errors import Problem, ProfileError
from needlewise.services.profile_common import MAX_INPUT_BYTES, json_type, problem_of
from needlewise.services.profile_v1 import SCHEMA_ID as V1_SCHEMA_ID
from needlewise.services.profile_v1 import DeviceV1, ProfileV1, RecentProcedureV1
from needlewise.services.profile_v2 import SCHEMA_ID as V2_SCHEMA_ID
from needlewise.services.profile_v2 import DeviceV2, ProfileV2

__all__ = ["MAX_INPUT_BYTES", "parse_profile", "parse_profile_json", "profile_json_schema"]

_NESTED: dict[type[BaseModel], dict[str, type[BaseModel]]] = {
    ProfileV1: {"device": DeviceV1, "recent_procedures": RecentProcedureV1},
    ProfileV2: {"device": DeviceV2, "recent_procedures": RecentProcedureV1},
}


def parse_profile_json(text: str | bytes) -> Profile:
    """Parse one profile JSON document (v1 or v2)."""
    if len(text) > MAX_INPUT_BYTES:
        raise ProfileError([Problem("(input)", f"profile is larger than {MAX_INPUT_BYTES} bytes")])
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise ProfileError([Problem("(input)", f"not valid JSON: {error}")]) from None
    except RecursionError:  # arrays or objects nested thousands deep: no profile is
        raise ProfileError([Problem("(input)", "not a profile: JSON nested too deeply")]) from None
    return parse_profile(data)


def parse_profile(data: object) -> Profile:
    """Validate already-decoded JSON data as Profile v2 (with ``profile_version: 2``) or v1."""
    if not isinstance(data, Mapping):
        raise ProfileError([Problem("(input)", f"a profile must be a JSON object, not {json_type(data)}")])
    version = data.get("profile_version", 1)
    if version not in (1, 2) or isinstance(version, bool):
        raise ProfileError([Problem("profile_version", f"unknown profile version {json.dumps(version)} (allowed: 2)")])
    model: type[ProfileV1 | ProfileV2] = ProfileV2 if version == 2 else ProfileV1  # noqa: PLR2004 - the version number
    body = dict(data)
    if version == 1:
        body.pop("profile_version", None)
    try:
        # Validate as JSON so that strict mode accepts enum values as strings, exactly as on the wire.
        parsed = model.model_validate_json(json.dumps(body))
    except ValidationError as error:
        raise ProfileError(_problems(error, model)) from None
    return parsed.to_domain()


_TYPE_TAGS = frozenset({"bool", "float", "int", "str", "none", "list"})


def _problems(error: ValidationError, model: type[BaseModel]) -> list[Problem]:
    """One problem per field path: a union's branches (``"unsure"`` or a value) become one message."""
    nested = _NESTED[model]
    by_path: dict[tuple[int | str, ...], list[ErrorDetails]] = {}
    for detail in error.errors(include_url=False):
        *parents, last = detail["loc"] or ("",)
        kept = [p for p in parents if isinstance(p, int) or not _is_union_tag(p)]
        if detail["type"] == "extra_forbidden" or isinstance(last, int) or not _is_union_tag(last):
            kept.append(last)  # an unknown field's name is the person's own, whatever it looks like
        loc = tuple(kept)
        by_path.setdefault(loc, []).append({**detail, "loc": loc})
    problems = []
    for path, details in by_path.items():
        deeper = any(len(other) > len(path) and other[: len(path)] == path for other in by_path)
        if deeper and all(_literal_branch(d) for d in details):
            continue  # the value's own branch explains the problem further down
        values = [d for d in details if not _literal_branch(d)] or details
        problem = problem_of(values[0], nested, model)
        if len(values) < len(details):
            problem = Problem(problem.where, f'{problem.message}; or "unsure" (not sure)', problem.suggestion)
        elif model is ProfileV1 and values[0].get("input") == "unsure":
            problem = Problem(problem.where, f'{problem.message}: "unsure" needs "profile_version": 2')
        problems.append(problem)
    return problems


def _is_union_tag(part: str) -> bool:
    return part in _TYPE_TAGS or any(c in part for c in "[]-'")


def _literal_branch(detail: ErrorDetails) -> bool:
    return detail["type"] == "literal_error"


def profile_json_schema(version: int = 2) -> dict[str, Any]:
    """The published JSON Schema of Profile v2 (or of the deprecated v1)."""
    model, schema_id = (ProfileV2, V2_SCHEMA_ID) if version == 2 else (ProfileV1, V1_SCHEMA_ID)  # noqa: PLR2004
    schema = model.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": schema_id, **schema}
