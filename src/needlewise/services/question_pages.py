"""The questionnaire a page at a time, for staff: every question that can be decided now, on one page.

The public questionnaire asks one question a page. A nurse screening a client in the clinic sees,
instead, every question whose ``ask_if`` can already be decided from the answers given before the
page, in questionnaire order, up to the first question whose condition reads an answer given on the
same page (that one starts the next page). The skip logic is the knowledge base's own, exactly as
:meth:`Interview.next_question` applies it: the questions a page asks are the ones the one-a-page
walk would ask, in the same order. With the knowledge base's questionnaire a clinic screening is two
pages: the client's health, goals and device, then the needle and the skin.
"""

from __future__ import annotations

from needlewise.engine.compiler import interpret
from needlewise.engine.conditions import fields_read
from needlewise.engine.fields import facts_of
from needlewise.engine.knowledge import Question
from needlewise.engine.unsure import PROCEDURES_FIELD
from needlewise.services.questionnaire import Interview


def next_page(interview: Interview) -> list[Question]:
    """The questions of the next page (none when the questionnaire is complete)."""
    facts = facts_of(interview.profile) if interview.ready else None
    page: list[Question] = []
    on_page: set[str] = set()
    for question in interview.kb.questions:
        if question.question_id in interview.answered:
            continue
        if question.ask_if is not None:
            read = {
                PROCEDURES_FIELD if name.startswith("procedures.") else name for name in fields_read(question.ask_if)
            }
            if read & on_page:
                break  # depends on an answer given on this page: the next page asks it, if it applies
            if facts is None or not interpret(question.ask_if, facts):
                continue
        page.append(question)
        on_page.add(question.field)
    return page
