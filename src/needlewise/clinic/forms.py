"""A clinic form declared once: a pydantic model lists each posted field, its kind, bounds and messages.

A form's declaration is a :class:`~pydantic.BaseModel` whose fields are the names the page posts. A
field's kind says how it is read from a post: text (the last value; ``""`` when absent, or
:class:`Absent`'s value), :data:`Flag` (a checkbox: whether it was posted), :data:`Many` (checkboxes
sharing a name: every value) or :class:`Reads` (the text parsed, as :data:`PostedDate`,
:data:`PostedDay`, :data:`PostedTime` and :data:`PostedWhole` are). Its validators (:func:`text`,
:func:`whole`, :func:`choice`, :func:`given`) parse what was typed and word what is wrong.
:func:`echo` gives the posted values to show again, :func:`read` the values a form's value object is
built from, :func:`parse` the parsed declaration or a problem per
field that is wrong, and :func:`in_order` puts problems in the declaration's order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, time
from typing import Annotated, Any, NoReturn, Protocol, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ValidationError
from pydantic_core import PydanticCustomError

from needlewise.clinic.typed_text import character_problem
from needlewise.errors import N_, Problem

_ERROR_TYPE = "clinic_form"
REQUIRED = N_("this field is required")

M = TypeVar("M", bound=BaseModel)


class _Flag:
    """A checkbox: true when posted."""


class _Many:
    """Checkboxes sharing a name: every value posted."""


@dataclass(frozen=True, slots=True)
class Absent:
    """A text field's value when the form does not post it at all (posted empty, it is ``""``)."""

    value: str | None


@dataclass(frozen=True, slots=True)
class Reads:
    """A field read from its posted text by ``parse`` (shown again as typed)."""

    parse: Callable[[str], object]


def _posted_date(typed: str) -> date | None:
    try:
        return date.fromisoformat(typed.strip())
    except ValueError:
        return None


def _posted_time(typed: str) -> time | None:
    try:
        return time.fromisoformat(typed.strip())
    except ValueError:
        return None


#: The calendar days a form may name (a birth date, a booking, a clearance): far enough from the ends of
#: Python's calendar that the day's bounds in any time zone, and the days around it, exist.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def calendar_day(typed: str) -> date | None:
    """A typed YYYY-MM-DD date from :data:`FIRST_DAY` to :data:`LAST_DAY`, or None."""
    day = _posted_date(typed)
    return day if day is not None and FIRST_DAY <= day <= LAST_DAY else None


#: The most digits a typed whole number (a record id, a count) may have: it must fit a 64-bit integer.
MAX_WHOLE_DIGITS = 18


def whole_number(typed: str) -> int | None:
    """A typed whole number (ASCII digits, at most :data:`MAX_WHOLE_DIGITS` of them), or None.

    Other digits (``²``, ``١٢``) and longer numbers are not one: a database id or count never needs them.
    """
    value = typed.strip()
    return int(value) if value.isascii() and value.isdecimal() and len(value) <= MAX_WHOLE_DIGITS else None


Flag = Annotated[bool, _Flag()]
Many = Annotated[tuple[str, ...], _Many()]
PostedDate = Annotated[date | None, Reads(_posted_date)]
"""A YYYY-MM-DD date; None when empty or not a date (the form then names the field)."""
PostedDay = Annotated[date | None, Reads(calendar_day)]
"""A YYYY-MM-DD date from :data:`FIRST_DAY` to :data:`LAST_DAY`; None otherwise (the form then names the field)."""
PostedTime = Annotated[time | None, Reads(_posted_time)]
"""An HH:MM time; None when empty or not a time."""
PostedWhole = Annotated[int | None, Reads(whole_number)]
"""A whole number, or the id of a row chosen from a list; None when empty or not a whole number."""
PostedId = PostedWhole


class Posted(Protocol):
    """A submitted form (Django's ``QueryDict``): one value, every value, or whether a name was sent."""

    def get(self, key: str, default: str) -> str:
        """The last value posted under ``key``, or ``default``."""

    def getlist(self, key: str) -> list[str]:
        """Every value posted under ``key``."""

    def __contains__(self, key: object, /) -> bool:
        """Whether ``key`` was posted."""


def fail(message: str, worded: Problem | None = None) -> NoReturn:
    """Refuse the value being parsed with ``message`` (inside a declared field's validator).

    ``worded``: the same problem with its translatable template, kept for the page's language.
    """
    raise PydanticCustomError(_ERROR_TYPE, message, {"worded": worded} if worded else None)


def refuse(message: str | Problem) -> NoReturn:
    """Refuse the value with a fixed message (marked ``N_``) or a worded problem (its numbers kept for the page)."""
    if isinstance(message, Problem):
        fail(message.message, message)
    fail(message)


def text(limit: int, *, required: bool = False, missing: str = REQUIRED) -> BeforeValidator:
    """Text of at most ``limit`` characters once trimmed (kept as typed); ``required``: not blank (else ``missing``).

    Tabs and line breaks are allowed, other control and invisible characters are not (:mod:`.typed_text`).
    """

    def check(value: str) -> str:
        if required and not value.strip():
            fail(missing)
        if len(value.strip()) > limit:
            fail(
                f"at most {limit} characters", Problem.worded("", N_("at most %(limit)s characters"), limit=str(limit))
            )
        if refused := character_problem("", value, multiline=True):
            fail(refused.message, refused)
        return value

    return BeforeValidator(check)


def whole(
    low: int, high: int, *, required: bool = False, wrong: str | Problem = "", missing: str | Problem = REQUIRED
) -> BeforeValidator:
    """A whole number from ``low`` to ``high`` (typed, or already a number); None when blank and not ``required``.

    ``wrong`` words a value that is not one (by default "enter a whole number from low to high"),
    ``missing`` a blank required one: a fixed message, or a worded problem.
    """

    def check(typed: str | int | None) -> int | None:
        value = "" if typed is None else str(typed).strip()
        if not value:
            if required:
                refuse(missing)
            return None
        number = whole_number(value)
        if number is None or not low <= number <= high:
            if wrong:
                refuse(wrong)
            message = N_("enter a whole number from %(low)s to %(high)s")
            fail(message % {"low": low, "high": high}, Problem.worded("", message, low=str(low), high=str(high)))
        return number

    return BeforeValidator(check)


def choice(options: Sequence[str], wrong: str) -> BeforeValidator:
    """One of ``options``; ``wrong`` words anything else."""

    def check(value: str) -> str:
        if value not in options:
            fail(wrong)
        return value

    return BeforeValidator(check)


def given(missing: str) -> AfterValidator:
    """Refuse a value read as None (a date that is not one, nothing chosen) with ``missing``."""

    def check(value: object) -> object:
        if value is None:
            fail(missing)
        return value

    return AfterValidator(check)


def _is(model: type[BaseModel], name: str, kind: type) -> bool:
    return any(isinstance(m, kind) for m in model.model_fields[name].metadata)


def _value(model: type[BaseModel], name: str, post: Posted) -> object:
    absent = next((m for m in model.model_fields[name].metadata if isinstance(m, Absent)), None)
    if absent is not None and name not in post:
        return absent.value
    if _is(model, name, _Flag):
        return name in post
    if _is(model, name, _Many):
        return tuple(post.getlist(name))
    return post.get(name, "")


def _reads(model: type[BaseModel], name: str) -> Reads | None:
    return next((m for m in model.model_fields[name].metadata if isinstance(m, Reads)), None)


def echo(model: type[BaseModel], post: Posted) -> dict[str, Any]:
    """Each declared field's posted value by name (checkboxes as booleans or tuples), to show the form again."""
    return {name: _value(model, name, post) for name in model.model_fields}


def read(model: type[BaseModel], post: Posted) -> dict[str, Any]:
    """Each declared field's posted value by name, as the form's value object holds it (dates as dates)."""
    values = echo(model, post)
    return {name: reads.parse(v) if (reads := _reads(model, name)) else v for name, v in values.items()}


def in_order(problems: list[Problem], model: type[BaseModel]) -> list[Problem]:
    """The problems in the order of the fields they name (by the declaration; undeclared names last)."""
    names = list(model.model_fields)

    def place(problem: Problem) -> int:
        name = problem.where.split(".")[0]
        return names.index(name) if name in names else len(names)

    return sorted(problems, key=place)


def problem_of(where: str, message: str, context: Mapping[str, Any] | None) -> Problem:
    """The problem a validator refused a value with (:func:`fail`), at ``where``: worded when it was."""
    worded = (context or {}).get("worded")
    return replace(worded, where=where) if isinstance(worded, Problem) else Problem(where, message)


def parse(
    model: type[M], values: Mapping[str, object], problems: list[Problem], context: Mapping[str, object] | None = None
) -> M | None:
    """The declaration parsed from ``values``, or None with a problem per wrong field added to ``problems``.

    ``context``: what the validators may need beside the values (the clinic's ``today``).
    Every text value is held to the typed-text rule (:mod:`.typed_text`: no NUL, control or invisible
    character, line breaks allowed) whatever its validator reads it as, so no declared field stores one.
    """
    found: list[Problem] = []
    try:
        parsed = model.model_validate(values, context=context)
    except ValidationError as invalid:
        found = [problem_of(str(e["loc"][0]), e["msg"], e.get("ctx")) for e in invalid.errors()]
        parsed = None
    named = {problem.where for problem in found}
    found += [
        refused
        for name, value in values.items()
        if isinstance(value, str) and name not in named
        if (refused := character_problem(name, value, multiline=True)) is not None
    ]
    problems.extend(found)
    return None if found else parsed
