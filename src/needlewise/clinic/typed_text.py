"""Which characters typed text may hold: never NUL, nor an invisible or direction-changing character.

One rule for every name and note a person types, on the pages, in the API and at the command line
(the use cases check it): control characters (``Cc``: NUL, escape...), format characters (``Cf``:
zero-width spaces and joiners U+200B..U+200D, direction marks and overrides U+200E, U+200F,
U+202A..U+202E, U+2066..U+2069, the byte-order mark U+FEFF...), line and paragraph separators and
lone surrogates. They can hide a name, make two names look alike, or reverse how a line reads, and
PostgreSQL cannot store NUL. Multi-line notes may hold tabs and line breaks.
"""

from __future__ import annotations

import unicodedata

from needlewise.errors import N_, Problem

#: Unicode categories no typed name or note may hold.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
#: Allowed in multi-line notes only.
LINE_BREAKS = frozenset("\t\n\r")
MESSAGE = N_("remove the invisible or control character %(character)s (character %(position)s)")


def character_problem(where: str, text: str, *, multiline: bool = False) -> Problem | None:
    """The first refused character of ``text`` as a problem of the field ``where``, or None.

    ``multiline``: a note, which may hold tabs and line breaks.
    """
    for position, char in enumerate(text, start=1):
        if multiline and char in LINE_BREAKS:
            continue
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            return Problem.worded(where, MESSAGE, character=f"U+{ord(char):04X}", position=str(position))
    return None


def character_problems(*, multiline: bool = False, **fields: str) -> list[Problem]:
    """:func:`character_problem` for each named field (in the order given)."""
    found = (character_problem(where, text, multiline=multiline) for where, text in fields.items())
    return [problem for problem in found if problem is not None]
