"""CSV text that spreadsheets open as plain values, never as formulas.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (CSV or formula injection: a name typed as
``=HYPERLINK(...)`` would run when staff open an export). Such a cell gets a leading apostrophe,
which spreadsheets show as text and do not evaluate (OWASP's advice).

Some values must reach the spreadsheet exactly as written: a phone number such as ``+34 600 000 000``
or ``0044 20 7946 0000`` would otherwise lose its plus sign or leading zeros, turn into a number
(``6.00E+08``) or, with the apostrophe above, show a stray ``'``. Such a value is :class:`KeptText`
and is written as the formula ``="+34 600 000 000"``: a formula whose only content is one string
literal (its own double quotes doubled), which Excel, LibreOffice and Google Sheets show as that text
and which can run nothing. The CSV stays valid (RFC 4180): the writer quotes the cell, so the csv
module reads back exactly ``="+34 600 000 000"``. A prefixed tab was the other choice; it is itself
one of the formula starts above and shows as leading white space, so it was not taken.

Exports start with a UTF-8 byte-order mark (:data:`BOM`) when asked, so that Excel reads the file as
UTF-8 and keeps accents (``Núñez``) instead of guessing a legacy code page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class KeptText:
    """A cell value spreadsheets must show exactly as written (a phone number), never as a number."""

    text: str


def safe_cell(value: object) -> str:
    """``value`` as CSV cell text, with a leading ``'`` when a spreadsheet would take it for a formula.

    :class:`KeptText` becomes ``="…"`` (empty text stays an empty cell).
    """
    if isinstance(value, KeptText):
        literal = value.text.replace('"', '""')
        return f'="{literal}"' if value.text else ""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool = False) -> str:
    """A header row and ``rows``, every cell made safe, as one CSV text (CRLF line ends, as RFC 4180).

    With ``bom``, the text starts with :data:`BOM` (for files people open in a spreadsheet).
    """
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(name) for name in header])
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return buffer.getvalue()
