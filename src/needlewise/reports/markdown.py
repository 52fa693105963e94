"""An assessment as Markdown: verdict and next step, reasons with their sources, the plan, the disclaimer.

Written for people: tiers in words, numbers as the reader's language writes them (0,25 mm in
Spanish), sources by title and year. The JSON output keeps the codes.
"""

from __future__ import annotations

from needlewise.domain.assessment import Assessment
from needlewise.domain.citation import Citation
from needlewise.domain.vocabulary import Lang
from needlewise.reports.citations import address_or_note, citation_parts, short_reference
from needlewise.reports.labels import label
from needlewise.reports.levels import card_level
from needlewise.reports.numbers import for_readers


def render_markdown(assessment: Assessment) -> str:
    """The whole assessment as a Markdown document."""
    assessment = for_readers(assessment)
    lang = Lang(assessment.lang)
    tier = assessment.tier.value
    out: list[str] = [
        f"# {label('verdict', lang)}: {assessment.tier_title}",
        "",
        f"**{label('tier', lang)}: {label('tier.' + tier, lang)}** — {assessment.tier_summary}",
        "",
        f"**{label('next', lang)}:** {label('next.' + tier, lang)}",
        "",
        f"## {label('why', lang)}",
        "",
    ]
    if not assessment.findings:
        out += [label("no_findings", lang), ""]
    for finding in assessment.findings:
        level = label("level." + card_level(finding.tier, finding.severity).value, lang)
        out += [f"### {finding.title} ({level})", "", finding.advice, ""]
        if finding.seek_care_if:
            out += [f"**{label('seek_care', lang)}** {finding.seek_care_if}", ""]
        confidence = label(finding.confidence.value, lang)
        out += [f"*{label('evidence', lang)} ({label('confidence', lang)}: {confidence}).* {finding.evidence_note}", ""]
        out += [f"{label('sources', lang)}:", "", *(_citation(c, lang) for c in finding.citations), ""]
    plan = assessment.plan
    out += [f"## {label('plan', lang)}", "", f"### {label('needle', lang)}", "", plan.needle_summary, ""]
    if plan.schedules:
        out += [f"### {label('schedule', lang)}", ""]
        for s in plan.schedules:
            where = label("at_home" if s.where == "home" else "in_clinic", lang)
            out.append(f"- **{s.goal_label}** ({where}): {s.interval} {s.sessions} {_refs(s.citations)}")
        out.append("")
    for section in plan.sections:
        out += [f"### {section.title}", "", *(f"- {step}" for step in section.steps), ""]
        out += [f"{label('sources', lang)}:", "", *(_citation(c, lang) for c in section.citations), ""]
    out += ["---", "", f"*{assessment.disclaimer}*", ""]
    version = assessment.kb_version
    out += [f"{label('kb', lang)}: {version.version} ({version.content_hash[:19]})", ""]
    return "\n".join(out)


def _citation(citation: Citation, lang: Lang) -> str:
    grade, byline, title, url = citation_parts(citation)
    return f"- [{grade}] {byline}*{title}*. {f'<{url}>' if url else address_or_note(url, lang)}"


def _refs(citations: tuple[Citation, ...]) -> str:
    return "(" + "; ".join(short_reference(c) for c in citations) + ")"
