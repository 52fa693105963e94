"""How a cited source is named in reports: grade, authors and year, title, address."""

from __future__ import annotations

from needlewise.domain.citation import Citation
from needlewise.domain.vocabulary import Lang
from needlewise.reports.labels import label


def citation_parts(citation: Citation) -> tuple[str, str, str, str | None]:
    """``(grade, "Authors, year. " or "", title, url)``; missing authors or year are left out.

    ``url`` is ``None`` for a source with no public original: name it by its text, with no link.
    """
    byline = ", ".join(part for part in (citation.authors, str(citation.year) if citation.year else None) if part)
    return citation.grade.value, f"{byline}. " if byline else "", citation.title, citation.url


def short_reference(citation: Citation) -> str:
    """A source named in a line of text: first author (else title), year and grade: ``Harris AG et al., 2015 [SR]``."""
    if citation.authors:
        first, _, others = citation.authors.partition(",")
        who = f"{first.strip()} et al." if others.strip() else first.strip()
    else:
        who = citation.title
    dated = f"{who}, {citation.year}" if citation.year else who
    return f"{dated} [{citation.grade.value}]"


def address_or_note(url: str | None, lang: Lang) -> str:
    """Where to read a source: its original's address, or (none found) the note saying so, in brackets."""
    return url if url is not None else f"({label('no_original', lang)})"
