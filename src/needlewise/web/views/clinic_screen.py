"""Staff page: screening a client, a page of questions at a time (two pages with the knowledge base's questionnaire).

The setting is answered "clinic" and the age comes from the date of birth on file (asked only if it
gives an age the questionnaire does not take). Each page holds every question the knowledge base's
``ask_if`` conditions can already decide (:mod:`needlewise.services.question_pages`), each with its
"Not sure" where it takes one. The answers travel in the form as on the public pages; when the
questionnaire ends (or an answer already means "do not treat") the screening is stored at once.
"""

from __future__ import annotations

import contextlib

import orjson
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from needlewise.clinic.records import screening_start, screenings
from needlewise.engine.knowledge import Question
from needlewise.errors import InvalidInputError, ProfileError
from needlewise.services.question_pages import next_page
from needlewise.services.questionnaire import Interview
from needlewise.services.typed_answers import read_answer
from needlewise.web.views.clinic_common import acting, clinic_page, form_id
from needlewise.web.views.common import knowledge, lang_of, render, say
from needlewise.web.views.questionnaire import answer_text, interview_from


def _clinic_interview(age: int) -> Interview:
    """The questionnaire with the setting answered "clinic" and, if the questionnaire takes it, the age."""
    interview = Interview(knowledge())
    by_field = {q.field: q for q in interview.kb.questions}
    interview.answer(by_field["setting"], "clinic")
    with contextlib.suppress(ProfileError):  # a date of birth giving an age out of range: the page asks for it
        interview.answer(by_field["age"], age)
    return interview


@require_http_methods(["GET", "POST"])
@clinic_page
def screen(request: HttpRequest, client_id: int) -> HttpResponse:
    """A page of questions; at the end the screening is stored and the client page shows it."""
    actor = acting(request)
    screenings.require_screener(actor, client_id)
    client = None
    errors: dict[str, str] = {}
    marks: list[int] = []
    if request.method == "GET":
        started = screening_start.start(actor, client_id)
        client, interview = started.client, _clinic_interview(started.age)
    else:
        try:
            interview = interview_from(request.POST)
        except ProfileError as damaged:
            return render(request, "error.html", {"status": 400, "message": say(damaged.first)}, status=400)
        marks = _marks(request.POST.get("marks", ""), len(interview.answered))
        if request.POST.get("action") == "back":
            _back(interview, marks)
        else:
            before = len(interview.answered)
            errors = _apply(interview, request.POST)
            if not errors:
                marks.append(before)
            if not errors and (interview.next_question() is None or interview.early_stop() is not None):
                profile = orjson.loads(orjson.dumps(interview.document))
                try:
                    screenings.record(
                        actor, client_id=client_id, profile=profile, kb=knowledge(), lang=lang_of(request)
                    )
                except InvalidInputError as forged:  # a state not answered in the clinic setting
                    return render(request, "error.html", {"status": 400, "message": forged.first.message}, status=400)
                return HttpResponseRedirect(reverse("clinic-client", args=[client_id]) + "#current")
    questions = next_page(interview)
    answered, total = interview.progress()
    context = {
        "actor": actor,
        "client": client,
        "client_id": client_id,
        "questions": questions,
        "age": interview.document.get("age"),
        "drafts": {q.question_id: interview.draft(q) for q in questions},
        "state": orjson.dumps(interview.to_state()).decode(),
        "marks": ",".join(str(mark) for mark in marks),
        "page_number": len(marks) + 1,
        "errors": errors,
        "answered": answered,
        "total": total,
    }
    return render(request, "clinic/screen.html", context, status=422 if errors else 200)


def _marks(text: str, answered: int) -> list[int]:
    """Where each earlier page began (answers given before it), from the form; nonsense is no page."""
    marks = [mark for part in text.split(",") if (mark := form_id(part)) is not None]
    return [mark for mark in marks if mark <= answered] if marks == sorted(marks) else []


def _back(interview: Interview, marks: list[int]) -> None:
    """Go back to the start of the previous page, keeping its answers as drafts."""
    if marks:
        start = marks.pop()
        while len(interview.answered) > start:
            interview.back()


def _apply(interview: Interview, post: QueryDict) -> dict[str, str]:
    """Answer every question of the page; if any answer is refused, none counts (they stay as drafts)."""
    errors: dict[str, str] = {}
    applied = 0
    for question in next_page(interview):
        given = _answers_to(question, post)
        text = answer_text(question, given)
        try:
            interview.answer(question, read_answer(question, text))
        except ProfileError as invalid:
            errors[question.question_id] = say(invalid.first)
            interview.drafts[question.field] = given.getlist("answer") if question.kind == "multi" else text
        else:
            applied += 1
    if errors:
        for _ in range(applied):
            interview.back()
    return errors


def _answers_to(question: Question, post: QueryDict) -> QueryDict:
    """The form's fields for ``question`` (named ``<question id>:answer`` ...) without the prefix."""
    prefix = f"{question.question_id}:"
    given = QueryDict(mutable=True)
    for name in post:
        if name.startswith(prefix):
            given.setlist(name.removeprefix(prefix), post.getlist(name))
    return given
