"""Read ``vocabulary.yaml``: the labels of every profile value, which must match the contract exactly."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from pydantic import ValidationError

from needlewise.domain.text import Text
from needlewise.domain.vocabulary import (
    Area,
    DeviceKind,
    Goal,
    History,
    Medication,
    ProcedureKind,
    Product,
    Setting,
    SkinNow,
)
from needlewise.engine.knowledge import Term
from needlewise.errors import Problem
from needlewise.kb.schema import TermModel
from needlewise.kb.suggestions import closest

# vocabulary.yaml section -> (profile vocabulary, the profile field whose options it labels)
VOCABULARIES: dict[str, tuple[type[Enum], str]] = {
    "setting": (Setting, "setting"),
    "goals": (Goal, "goals"),
    "areas": (Area, "areas"),
    "device_kind": (DeviceKind, "device.kind"),
    "skin_now": (SkinNow, "skin_now"),
    "history": (History, "history"),
    "medications": (Medication, "medications"),
    "procedure_kind": (ProcedureKind, "recent_procedures"),
    "planned_products": (Product, "planned_products"),
}


def read_vocabulary(document: object, problems: list[Problem]) -> dict[str, dict[str, Term]]:
    """Labels of every profile vocabulary value; problems (unknown or missing values) are appended."""
    vocab: dict[str, dict[str, Term]] = {name: {} for name in VOCABULARIES}
    if not isinstance(document, Mapping):
        problems.append(Problem("vocabulary.yaml", "must be a mapping of vocabularies"))
        return vocab
    problems.extend(
        Problem(f"vocabulary.yaml: {name}", "unknown vocabulary", closest(str(name), VOCABULARIES))
        for name in document
        if name not in VOCABULARIES
    )
    for name, (enum, _) in VOCABULARIES.items():
        section = document.get(name)
        if not isinstance(section, Mapping):
            problems.append(Problem(f"vocabulary.yaml: {name}", "missing, or not a mapping of values to labels"))
            continue
        allowed = [str(member.value) for member in enum]
        for value, raw in section.items():
            where = f"vocabulary.yaml: {name}.{value}"
            if value not in allowed:
                problems.append(Problem(where, f"not a profile {name} value", closest(str(value), allowed)))
                continue
            try:
                term = TermModel.model_validate(raw)
            except ValidationError as error:
                problems.extend(Problem(f"{where}.{'.'.join(map(str, d['loc']))}", d["msg"]) for d in error.errors())
                continue
            vocab[name][value] = Term(value, Text(term.en, term.es), term.home_reachable)
        problems.extend(
            Problem(f"vocabulary.yaml: {name}", f"no label for value {value!r}")
            for value in allowed
            if value not in section
        )
        vocab[name] = {v: vocab[name][v] for v in allowed if v in vocab[name]}
    return vocab
