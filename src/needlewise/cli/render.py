"""Rich rendering of an assessment for a terminal.

Written for people, as the Markdown report: tiers in words, numbers as the reader's language writes
them, sources by title and year (the JSON output keeps the codes).
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from needlewise.domain.assessment import Assessment
from needlewise.domain.citation import Citation
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang
from needlewise.reports.citations import address_or_note, citation_parts, short_reference
from needlewise.reports.labels import label
from needlewise.reports.levels import Level, card_level
from needlewise.reports.numbers import for_readers

TIER_STYLES = {
    Tier.HOME_OK: "bold green",
    Tier.HOME_CAUTION: "bold yellow",
    Tier.CLINIC: "bold blue",
    Tier.MEDICAL_REVIEW: "bold magenta",
    Tier.STOP: "bold red",
}
LEVEL_STYLES = {
    Level.NOTE: "bold",
    Level.CAUTION: "bold yellow",
    Level.CLINIC: "bold blue",
    Level.MEDICAL_REVIEW: "bold magenta",
    Level.STOP: "bold red",
}


def print_assessment(console: Console, assessment: Assessment) -> None:
    """Verdict, reasons with sources, plan and disclaimer."""
    assessment = for_readers(assessment)
    lang = Lang(assessment.lang)
    tier = assessment.tier.value
    style = TIER_STYLES[assessment.tier]
    heading = Text.assemble((f"{assessment.tier_title}  [{label('tier.' + tier, lang)}]", style))
    next_step = Text.assemble((label("next", lang) + ": ", "bold"), label("next." + tier, lang))
    console.print(
        Panel(
            Group(heading, Text(assessment.tier_summary), Text(""), next_step),
            title=label("verdict", lang),
            border_style=style,
        )
    )
    console.print(Text(label("why", lang), style="bold underline"))
    if not assessment.findings:
        console.print(label("no_findings", lang))
    for finding in assessment.findings:
        level = card_level(finding.tier, finding.severity)
        words = label("level." + level.value, lang)
        console.print(Text.assemble("\n• ", (finding.title, LEVEL_STYLES[level]), f"  [{words}]"))
        console.print(Text(finding.advice), soft_wrap=False)
        if finding.seek_care_if:
            console.print(Text.assemble((label("seek_care", lang), "bold"), " ", finding.seek_care_if))
        evidence = f"{label('evidence', lang)} ({label('confidence', lang)}: {label(finding.confidence.value, lang)})"
        console.print(Text(f"{evidence}: {finding.evidence_note}", style="italic"))
        for citation in finding.citations:
            console.print(Text("  " + _citation(citation, lang), style="dim"))
    _print_plan(console, assessment, lang)
    console.print(Text("\n" + assessment.disclaimer, style="italic"))
    version = assessment.kb_version
    console.print(Text(f"{label('kb', lang)}: {version.version} ({version.content_hash[:19]})", style="dim"))


def _print_plan(console: Console, assessment: Assessment, lang: Lang) -> None:
    plan = assessment.plan
    console.print(Text("\n" + label("plan", lang), style="bold underline"))
    console.print(Text.assemble((label("needle", lang) + ": ", "bold"), plan.needle_summary))
    if plan.schedules:
        console.print(Text(label("schedule", lang), style="bold"))
        for s in plan.schedules:
            where = label("at_home" if s.where == "home" else "in_clinic", lang)
            console.print(f"  - {s.goal_label} ({where}): {s.interval} {s.sessions}")
            console.print(Text("    " + "; ".join(short_reference(c) for c in s.citations), style="dim"))
    for section in plan.sections:
        console.print(Text("\n" + section.title, style="bold"))
        for step in section.steps:
            console.print(f"  - {step}")
        for citation in section.citations:
            console.print(Text("  " + _citation(citation, lang), style="dim"))


def _citation(citation: Citation, lang: Lang) -> str:
    grade, byline, title, url = citation_parts(citation)
    return f"[{grade}] {byline}{title}. {address_or_note(url, lang)}"
