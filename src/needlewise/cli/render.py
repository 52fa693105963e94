"""Rich rendering of an assessment for a terminal."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from needlewise.domain.assessment import Assessment, Citation
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang
from needlewise.reports.citations import citation_parts
from needlewise.reports.labels import label

TIER_STYLES = {
    Tier.HOME_OK: "bold green",
    Tier.HOME_CAUTION: "bold yellow",
    Tier.CLINIC: "bold blue",
    Tier.MEDICAL_REVIEW: "bold magenta",
    Tier.STOP: "bold red",
}


def print_assessment(console: Console, assessment: Assessment) -> None:
    """Verdict, reasons with sources, plan and disclaimer."""
    lang = Lang(assessment.lang)
    style = TIER_STYLES[assessment.tier]
    heading = Text.assemble((f"{assessment.tier_title}  [{assessment.tier.value}]", style))
    console.print(
        Panel(Group(heading, Text(assessment.tier_summary)), title=label("verdict", lang), border_style=style)
    )
    console.print(Text(label("why", lang), style="bold underline"))
    if not assessment.findings:
        console.print(label("no_findings", lang))
    for finding in assessment.findings:
        console.print(Text.assemble("\n• ", (finding.title, TIER_STYLES[finding.tier]), f"  [{finding.tier.value}]"))
        console.print(Text(finding.advice), soft_wrap=False)
        if finding.seek_care_if:
            console.print(Text.assemble((label("seek_care", lang) + ": ", "bold"), finding.seek_care_if))
        evidence = f"{label('evidence', lang)} ({label('confidence', lang)}: {label(finding.confidence.value, lang)})"
        console.print(Text(f"{evidence}: {finding.evidence_note}", style="italic"))
        for citation in finding.citations:
            console.print(Text("  " + _citation(citation), style="dim"))
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
    for section in plan.sections:
        console.print(Text("\n" + section.title, style="bold"))
        for step in section.steps:
            console.print(f"  - {step}")
        console.print(
            Text("  " + ", ".join(f"{c.source_id} ({c.grade.value})" for c in section.citations), style="dim")
        )


def _citation(citation: Citation) -> str:
    grade, byline, title, url = citation_parts(citation)
    return f"[{grade}] {byline}{title}. {url}"
