"""How a cited source is named in reports: grade, authors and year, title, address."""

from __future__ import annotations

from needlewise.domain.assessment import Citation


def citation_parts(citation: Citation) -> tuple[str, str, str, str]:
    """``(grade, "Authors, year. " or "", title, url)``; missing authors or year are left out."""
    byline = ", ".join(part for part in (citation.authors, str(citation.year) if citation.year else None) if part)
    return citation.grade.value, f"{byline}. " if byline else "", citation.title, citation.url
