"""The bibliography and the check every citation list goes through."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from needlewise.domain.tier import Grade
from needlewise.engine.knowledge import Source
from needlewise.errors import Problem
from needlewise.kb.older import OlderFormat
from needlewise.kb.schema import SourcesFileModel
from needlewise.kb.suggestions import closest


def _address(url: str) -> str:
    """``url`` compared loosely: scheme, ``www.``, case of the host and a trailing slash ignored."""
    rest = url.split("://", 1)[1]
    host, _, path = rest.partition("/")
    return f"{host.lower().removeprefix('www.')}/{path}".rstrip("/")


def build_sources(model: SourcesFileModel, problems: list[Problem]) -> dict[str, Source]:
    """The bibliography: one entry per work, each brief number and each address used once.

    An entry with no public original (``url`` is ``None``) must say where its text was read.
    """
    sources: dict[str, Source] = {}
    refs: dict[int, str] = {}
    addresses: dict[str, str] = {}
    for i, s in enumerate(model.sources):
        where = f"sources.yaml: sources[{i}] (id {s.id!r})"
        if s.id in sources:
            problems.append(Problem(where, f"duplicate source id {s.id!r}"))
        for ref in (s.brief_ref, *s.also_brief_refs):
            if ref in refs:
                problems.append(Problem(where, f"brief_ref {ref} is used twice (also by {refs[ref]!r})"))
            refs[ref] = s.id
        if s.url is None and not s.read_at:
            problems.append(
                Problem(f"{where}.url", "no original and no read_at: name where the text was read (read_at)")
            )
        shown = (("url", s.url),) if s.url is not None else ()
        for field, url in (*shown, *(("read_at", u) for u in s.read_at)):
            key = _address(url)
            other = addresses.setdefault(key, s.id)
            if other != s.id:
                problems.append(
                    Problem(f"{where}.{field}", f"{url} is also the address of {other!r}: the same work twice?")
                )
        sources[s.id] = Source(
            s.id,
            s.brief_ref,
            s.title,
            s.authors,
            s.year,
            s.venue,
            s.url,
            s.grade,
            s.note,
            public_note=s.public_note,
            read_at=tuple(s.read_at),
            also_brief_refs=tuple(s.also_brief_refs),
        )
    return sources


class CitationChecker:
    """Checks a citation list: known sources, none twice, and no marketing unless a claim is checked."""

    def __init__(
        self, sources: Mapping[str, Source], problems: list[Problem], older: OlderFormat | None = None
    ) -> None:
        """Check against ``sources``, adding to ``problems``; an ``older`` knowledge base counts marketing."""
        self._sources = sources
        self._problems = problems
        self._older = older

    def check(
        self,
        where: str,
        citations: Iterable[str],
        *,
        marketing_allowed: bool = False,
        into: list[Problem] | None = None,
    ) -> tuple[str, ...]:
        """``citations`` as a tuple; problems for unknown, repeated and (unless allowed) marketing sources.

        Marketing (MKT) material may only document a claim being checked (``claims.yaml``); it is
        never support for a rule, a plan, a schedule, a gap or a treatment figure. An older knowledge
        base's marketing citations are counted, not refused. Problems go ``into`` a list when given.
        """
        problems = self._problems if into is None else into
        cited = tuple(citations)
        seen: set[str] = set()
        for i, source_id in enumerate(cited):
            source = self._sources.get(source_id)
            if source is None:
                hint = closest(source_id, self._sources)
                problems.append(Problem(f"{where}[{i}]", f"unknown source {source_id!r}", hint))
            elif source.grade is Grade.MKT and not marketing_allowed and self._older is not None:
                self._older.marketing_citations += 1
            elif source.grade is Grade.MKT and not marketing_allowed:
                problems.append(
                    Problem(
                        f"{where}[{i}]",
                        f"cites marketing source {source_id!r} (grade MKT): marketing material may only "
                        "document a claim in claims.yaml, never support a statement",
                    )
                )
            if source_id in seen:
                problems.append(Problem(f"{where}[{i}]", f"a source is cited twice in this list: {source_id!r}"))
            seen.add(source_id)
        return cited
