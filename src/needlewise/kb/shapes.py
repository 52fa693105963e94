"""Check a knowledge-base file's shape against its schema, with every problem located in the file."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from needlewise.errors import Problem
from needlewise.kb.files import KnowledgeFiles
from needlewise.kb.older import OlderFormat
from needlewise.kb.schema import RuleModel, RulesFileModel

M = TypeVar("M", bound=BaseModel)


def shape(files: KnowledgeFiles, name: str, model: type[M], problems: list[Problem]) -> M | None:
    """The file ``name`` read as ``model``, or None with its problems added to ``problems``."""
    return validate(name, files.documents[name], model, problems)


def validate(name: str, document: object, model: type[M], problems: list[Problem]) -> M | None:
    """``document`` read as ``model``, or None with each problem located in file ``name``."""
    try:
        return model.model_validate(document)
    except ValidationError as error:
        for detail in error.errors():
            where = location(name, document, detail["loc"])
            problems.append(Problem(where, detail["msg"]))
        return None


def older_rules_file(
    files: KnowledgeFiles, name: str, older: OlderFormat, problems: list[Problem]
) -> RulesFileModel | None:
    """A rules file of an older knowledge base: each rule the current schema refuses is unreadable."""
    document = files.documents[name]
    raw_rules = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(document, dict) or not isinstance(raw_rules, list):
        return validate(name, document, RulesFileModel, problems)
    kept: list[object] = []
    for i, raw in enumerate(raw_rules):
        try:
            RuleModel.model_validate(raw)
        except ValidationError as error:
            ident = raw.get("id") if isinstance(raw, dict) else None
            label = ident if isinstance(ident, str) else f"{name}: rules[{i}]"
            older.unreadable[label] = tuple(
                f"{location(name, document, ('rules', i, *d['loc']))}: {d['msg']}" for d in error.errors()
            )
            continue
        kept.append(raw)
    if not kept:
        return None
    return validate(name, {**document, "rules": kept}, RulesFileModel, problems)


def location(name: str, document: object, loc: Iterable[int | str]) -> str:
    """``file: rules[3] (id 'x').advice.es`` from a pydantic error location."""
    parts: list[str] = []
    node = document
    for key in loc:
        if isinstance(key, int):
            parts.append(f"[{key}]")
            node = node[key] if isinstance(node, list) and key < len(node) else None
            ident = node.get("id") if isinstance(node, dict) else None
            if isinstance(ident, str):
                parts.append(f" (id {ident!r})")
        else:
            parts.append(f".{key}" if parts else str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return f"{name}: {''.join(parts)}" if parts else name
