"""The interactive questionnaire in a terminal."""

from __future__ import annotations

import typer
from rich.console import Console

from needlewise.domain.assessment import Assessment
from needlewise.domain.vocabulary import Lang, Setting
from needlewise.engine.knowledge import KnowledgeBase, Question
from needlewise.errors import ProfileError
from needlewise.services.questionnaire import Interview
from needlewise.services.typed_answers import read_answer

_HINTS = {
    "multi": {
        Lang.EN: "numbers or names, separated by commas; none = none of these",
        Lang.ES: "números o nombres separados por comas; ninguno = ninguno de estos",
    },
    "single": {Lang.EN: "one number or name", Lang.ES: "un número o nombre"},
    "boolean": {Lang.EN: "yes / no", Lang.ES: "sí / no"},
    "procedures": {
        Lang.EN: "e.g. filler=6, laser=20 (weeks ago); none = none of these",
        Lang.ES: "p. ej. filler=6, laser=20 (semanas); ninguno = ninguno de estos",
    },
}
_UNSURE_HINT = {Lang.EN: "? = not sure", Lang.ES: "? = no estoy seguro/a"}
_STOPPED = {
    Lang.EN: "Stopping early: one answer already means 'do not microneedle now'.",
    Lang.ES: "Terminamos antes: una respuesta ya significa «no hagas microneedling ahora».",
}


def run_interview(console: Console, kb: KnowledgeBase, lang: Lang, setting: Setting | None) -> Assessment:
    """Ask the adaptive questionnaire, most dangerous first; stop early on a ``stop`` answer."""
    interview = Interview(kb)
    while (question := interview.next_question()) is not None:
        if question.field == "setting" and setting is not None:
            interview.answer(question, setting.value)
            continue
        _ask(console, interview, question, lang)
        stopped = interview.early_stop(lang)
        if stopped is not None:
            console.print(f"\n[bold red]{_STOPPED[lang]}[/]\n")
            return stopped
    return interview.result(lang)


def _ask(console: Console, interview: Interview, question: Question, lang: Lang) -> None:
    console.print(f"\n[bold]{question.text.in_(lang)}[/]", highlight=False)
    if question.help:
        console.print(f"[dim]{question.help.in_(lang)}[/]", highlight=False)
    for number, option in enumerate(question.options, start=1):
        shown = option.value if question.kind == "scale" else f"{number}. {option.value}"
        console.print(f"  {shown} — {option.label.in_(lang)}", highlight=False, markup=False)
    hints = [_HINTS.get(question.kind, {}).get(lang, "")]
    if question.none_label:
        hints.append(f"{'nunca' if lang is Lang.ES else 'never'} = {question.none_label.in_(lang)}")
    if question.takes_unsure:
        hints.append(_UNSURE_HINT[lang])
    hint = "; ".join(h for h in hints if h)
    while True:
        try:
            text = console.input(f"[cyan]> [/][dim]{hint}[/] ")
        except EOFError:
            console.print("\nerror: input ended before the questionnaire was complete", markup=False)
            raise typer.Exit(2) from None
        try:
            interview.answer(question, read_answer(question, text))
        except ProfileError as error:
            console.print(f"[red]{error.first}[/]", highlight=False)
            continue
        return
