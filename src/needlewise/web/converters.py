"""The path converter of a record's id: ``<id:client_id>`` in the URL map.

Django's ``int`` converter takes any number of digits, and a number past 64 bits reached the
database as an overflow (a 500). A record id is 1 to 18 ASCII digits, so that it fits a 64-bit
integer; any other path is no record's and is the ordinary 404 page.
"""

from __future__ import annotations

from django.urls import register_converter

#: The most digits a record id in a path may have (every 18-digit number fits a signed 64-bit integer).
ID_DIGITS = 18


class RecordId:
    """A record id in a path: 1 to :data:`ID_DIGITS` ASCII digits."""

    regex = f"[0-9]{{1,{ID_DIGITS}}}"

    def to_python(self, value: str) -> int:
        """The id as a number."""
        return int(value)

    def to_url(self, value: int) -> str:
        """The id as the path writes it."""
        return str(value)


register_converter(RecordId, "id")
