"""Sources people can trust: originals, traceable to the brief, one entry per work, marketing kept to claims."""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from needlewise.domain.tier import Grade
from needlewise.engine.knowledge import KnowledgeBase
from unit.kb.kb_copies import assert_problem, copy_of_the_knowledge_base, edit_yaml, problems_of

# Hosts that only copy, mirror, scrape, proxy or aggregate other people's texts: never an original.
MIRROR_DOMAINS = frozenset(
    {
        "scribd.com",
        "docksci.com",
        "vdocuments.site",
        "savingsdaily.com",
        "spiritindia.com",
        "newsminimalist.com",
        "iiab.me",
        "ouci.dntb.gov.ua",
        "docslib.org",
        "okayd.com",
        "lawstack.com",
        "elaws.us",
        "vesect.com",
        "chiachoob.com",
        "globaldiasporanews.com",
        "exbulletin.com",
        "toppikr.com",
        "wilddata.cn",
        "bohrium.dp.tech",
        "wilmingtonaikido.com",
        "prideseotools.com",
        "unibo.it",
        "mediceen.com",
        "revivetrainings.com",
        "plasticsurgerykey.com",
        "treatsbytiff.com",
        "discovery.researcher.life",
        "researchgate.net",
        "drugs.com",
        "go-vip.net",
        "pdfslide.net",
        "cupdf.com",
    }
)

# Sources whose original could not be found (issue 10): no public link at all, cited by their text, with
# the copy that was read kept for reviewers in read_at (here, the copy's host). An original found later
# leaves this list; a new source without one has to join it.
NO_ORIGINAL = {
    "aad-2018-dermatology-world": "vdocuments.site",
    "treatsbytiff-opening-channels": "treatsbytiff.com",
    "pskey-mn-safety-chapter": "plasticsurgerykey.com",
    "azbn-aesthetic-advisory": "docslib.org",
    "spaclinic-tga-mn-ban": "go-vip.net",
    "krqe-nm-spa-inspection": "exbulletin.com",
    "cnn-nm-spa-report": "toppikr.com",
    "asdp-granulomatous-reaction": "discovery.researcher.life",
    "jaad-nickel-allergy-comment": "discovery.researcher.life",
    "mabscessus-home-device-case": "mediceen.com",
    "fda-2006-compounded-anesthetic": "drugs.com",
    "varicella-scars-case": "revivetrainings.com",
    "saleh-2019-txa-melasma": "prideseotools.com",
    "azbn-esthetic-advisory": "scribd.com",
}


def _mirror(url: str) -> str | None:
    """The mirror domain ``url`` is on, ``"IP address"`` for a bare IP, or ``None``."""
    host = (urlsplit(url).hostname or "").lower()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return next((d for d in MIRROR_DOMAINS if host == d or host.endswith(f".{d}")), None)
    return "IP address"


def test_the_mirror_check_knows_subdomains_and_bare_addresses() -> None:
    assert _mirror("https://ru.scribd.com/document/1") == "scribd.com"
    assert _mirror("http://47.251.13.51:8081/18663579") == "IP address"
    assert _mirror("https://doi.org/10.1097/DSS.0000000000001248") is None
    assert _mirror("https://notscribd.com/x") is None


def test_no_public_url_is_a_mirror_or_a_bare_address(kb: KnowledgeBase) -> None:
    shown = [s.url for s in kb.sources.values() if s.url is not None]
    assert len(shown) == len(kb.sources) - len(NO_ORIGINAL)
    assert [url for url in shown if _mirror(url)] == []


def test_a_source_without_an_original_has_no_link_and_names_where_it_was_read(kb: KnowledgeBase) -> None:
    without = {s.source_id: s for s in kb.sources.values() if s.url is None}
    assert set(without) == set(NO_ORIGINAL)
    for source_id, source in without.items():
        assert source.read_at, source_id
        assert {_mirror(url) for url in source.read_at} == {NO_ORIGINAL[source_id]}, source_id


def test_every_copy_that_was_read_is_kept_for_reviewers(kb: KnowledgeBase) -> None:
    read_at = {url for s in kb.sources.values() for url in s.read_at}
    assert "https://www.scribd.com/document/392855998/Alster-2017-Review-microneedling" in read_at
    assert "http://47.251.13.51:8081/40056230" in read_at
    hou = kb.sources["hou-2017-mn-review"]
    assert hou.url == "https://doi.org/10.1097/DSS.0000000000000924"
    assert "https://ouci.dntb.gov.ua/works/45263DDl" in hou.read_at
    assert all(url != s.url for s in kb.sources.values() for url in s.read_at)


def test_copies_of_one_work_are_one_entry(kb: KnowledgeBase) -> None:
    merged = {s.source_id: s.also_brief_refs for s in kb.sources.values() if s.also_brief_refs}
    assert merged == {
        "allure-2017-fda-home-mn": (22,),
        "cfr-878-4430-ecfr": (34,),
        "stadelmanbehar-2024-mmwr-hiv": (66, 67),
        "cdc-2008-disinfection-gl": (105,),
        "fda-2007-anesthetic-advisory": (119,),
        "kumar-2018-minoxidil-mn-rct": (137,),
    }


def test_commentary_on_regulation_is_not_graded_as_regulation(kb: KnowledgeBase) -> None:
    for source_id in ("legalclarity-az-estheticians", "iapam-az-mn-prp-policies", "johner-mdr-annex-xvi"):
        assert kb.sources[source_id].grade is Grade.EO
    assert kb.sources["glamorous-woman-replace-roller"].grade is Grade.MKT
    assert kb.sources["fda-mn-devices-page"].grade is Grade.REG


def _citation_lists(node: object, where: str) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Every ``citations`` tuple under ``node`` (dataclasses, tuples, mappings), with where it is."""
    if dataclasses.is_dataclass(node):
        for field in dataclasses.fields(node):
            value = getattr(node, field.name)
            if field.name == "citations":
                yield where, value
            else:
                yield from _citation_lists(value, f"{where}.{field.name}")
    elif isinstance(node, tuple):
        for i, item in enumerate(node):
            yield from _citation_lists(item, f"{where}[{i}]")
    elif isinstance(node, Mapping):
        for key, item in node.items():
            yield from _citation_lists(item, f"{where}[{key!r}]")


def test_marketing_only_documents_claims(kb: KnowledgeBase) -> None:
    marketing = {s.source_id for s in kb.sources.values() if s.grade is Grade.MKT}
    lists = [
        (where, cited)
        for name in ("home_needle", "rules", "sections", "schedules", "gaps", "treatment")
        for where, cited in _citation_lists(getattr(kb, name), name)
    ]
    assert len(lists) > 100
    offenders = [(where, sorted(marketing & set(cited))) for where, cited in lists]
    assert [o for o in offenders if o[1]] == []
    assert any(marketing & set(c.citations) for c in kb.claims)  # claims still document the marketing


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    return copy_of_the_knowledge_base(tmp_path)


@pytest.mark.parametrize(
    ("name", "change", "fragments"),
    [
        (
            "rules/hygiene.yaml",
            lambda d: d["rules"][0]["citations"].append("glamorous-woman-replace-roller"),
            ("rules/hygiene.yaml: rules[0] (id 'shared-device').citations[", "'glamorous-woman-replace-roller'", "MKT"),
        ),
        (
            "protocols.yaml",
            lambda d: d["sections"][0]["citations"].append("lolysenta-clean-roller"),
            ("protocols.yaml: sections[0] (id 'home-preparation').citations[", "'lolysenta-clean-roller'", "MKT"),
        ),
        (
            "protocols.yaml",
            lambda d: d["schedules"][0]["citations"].append("ansvers-roller-frequency"),
            ("protocols.yaml: schedules[0] (goal 'glow', where 'home').citations[", "'ansvers-roller-frequency'"),
        ),
        (
            "gaps.yaml",
            lambda d: d["gaps"][0]["citations"].append("askvity-derma-roller"),
            ("gaps.yaml: gaps[0]", "'askvity-derma-roller'", "marketing source"),
        ),
        (
            "kb.yaml",
            lambda d: d["home_needle"]["citations"].append("truemedispa-2019-mn-basics"),
            ("kb.yaml: home_needle.citations[", "'truemedispa-2019-mn-basics'", "MKT"),
        ),
        (
            "treatment.yaml",
            lambda d: d["ranges"][0]["citations"].append("hair2go-dermaroller-c8"),
            ("treatment.yaml", "'hair2go-dermaroller-c8'", "only document a claim in claims.yaml"),
        ),
    ],
)
def test_marketing_support_is_refused_naming_file_id_and_source(
    kb_dir: Path, name: str, change: Callable[[dict], object], fragments: tuple[str, ...]
) -> None:
    edit_yaml(kb_dir, name, change)
    assert_problem(kb_dir, *fragments)


def test_a_claim_may_cite_marketing(kb_dir: Path) -> None:
    edit_yaml(kb_dir, "claims.yaml", lambda d: d["claims"][0]["citations"].append("askvity-derma-roller"))
    edit_yaml(kb_dir, "kb.yaml", lambda d: d.update(version="x"))  # some other problem, so problems are reported
    assert not any("askvity" in p for p in problems_of(kb_dir))


def test_a_repeated_citation_names_the_source(kb_dir: Path) -> None:
    edit_yaml(kb_dir, "protocols.yaml", lambda d: d["sections"][1]["citations"].append("uiowa-ehs-alcohols"))
    assert_problem(kb_dir, "protocols.yaml: sections[1]", "a source is cited twice", "'uiowa-ehs-alcohols'")


def test_the_same_work_twice_in_the_bibliography_is_refused(kb_dir: Path) -> None:
    def copy_of_the_first(data: dict) -> None:
        first, second = data["sources"][0], data["sources"][1]
        second["url"] = first["url"].replace("https://", "http://") + "/"

    edit_yaml(kb_dir, "sources.yaml", copy_of_the_first)
    assert_problem(kb_dir, "sources.yaml: sources[1]", ".url", "also the address of 'alster-2018-mn-review'")


def test_a_copy_read_for_two_entries_is_refused(kb_dir: Path) -> None:
    def shared_copy(data: dict) -> None:
        data["sources"][2]["read_at"] = list(data["sources"][0]["read_at"])

    edit_yaml(kb_dir, "sources.yaml", shared_copy)
    assert_problem(kb_dir, "sources.yaml: sources[2]", ".read_at", "same work twice")


def test_no_original_and_nowhere_read_is_refused(kb_dir: Path) -> None:
    edit_yaml(kb_dir, "sources.yaml", lambda d: d["sources"][0].update(url=None, read_at=[]))
    assert_problem(kb_dir, "sources.yaml: sources[0] (id 'alster-2018-mn-review').url", "no original and no read_at")


def test_an_entry_may_leave_out_its_url_when_it_names_where_it_was_read(kb_dir: Path) -> None:
    def no_url(data: dict) -> None:
        del data["sources"][0]["url"]
        data["sources"][0]["read_at"] = ["https://example.org/a-copy-read-by-the-compiler"]

    edit_yaml(kb_dir, "sources.yaml", no_url)
    edit_yaml(kb_dir, "kb.yaml", lambda d: d.update(version="x"))  # some other problem, so problems are reported
    assert not any("sources.yaml: sources[0]" in p for p in problems_of(kb_dir))


def test_a_merged_brief_number_is_used_once(kb_dir: Path) -> None:
    edit_yaml(kb_dir, "sources.yaml", lambda d: d["sources"][0].update(also_brief_refs=[22]))
    assert_problem(kb_dir, "brief_ref 22 is used twice (also by 'alster-2018-mn-review')")
