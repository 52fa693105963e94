"""The adaptive questionnaire, the result page and its PDF. Nothing here is stored.

The answers travel with the page, in a hidden form field, from step to step; they reach the server
only as the person moves on, and are kept only if the person presses "save".
"""

from __future__ import annotations

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import translation
from django.views.decorators.http import require_http_methods, require_POST

from needlewise.domain.assessment import Assessment
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import Question
from needlewise.errors import ProfileError
from needlewise.reports.pdf import render_pdf
from needlewise.services.questionnaire import Interview, read_answer
from needlewise.web.views.common import knowledge, lang_of, render, say


def switch_language(request: HttpRequest) -> str | None:
    """Activate the language a form asked for (the switcher on POST pages); the code, if any."""
    code = request.POST.get("language")
    if code in dict(settings.LANGUAGES):
        translation.activate(code)
        return code
    return None


def remember_language(response: HttpResponse, code: str | None) -> HttpResponse:
    """Keep the chosen language for the next pages too."""
    if code:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            samesite="Lax",
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            secure=settings.LANGUAGE_COOKIE_SECURE,
        )
    return response


def interview_from(post: QueryDict) -> Interview:
    """The interview carried in the form's hidden ``state`` field; ProfileError if damaged."""
    try:
        state = orjson.loads(post.get("state", "") or "null")
    except orjson.JSONDecodeError:
        state = None
    return Interview.from_state(knowledge(), state)


def answer_text(question: Question, post: QueryDict) -> str:
    """The form's answer to ``question`` as the text :func:`read_answer` reads."""
    if question.kind == "multi":
        return ",".join(post.getlist("answer"))
    if question.kind == "procedures":
        parts = [(o.value, post.get(f"weeks-{o.value}", "").strip()) for o in question.options]
        return ", ".join(f"{kind}={weeks}" for kind, weeks in parts if weeks)
    return post.get("answer", "")


@require_http_methods(["GET", "POST"])
def step(request: HttpRequest) -> HttpResponse:
    """Show the next question; on POST, record the answer (or go back) first."""
    code = switch_language(request) if request.method == "POST" else None
    if request.method == "GET":
        interview = Interview(knowledge())
        error = None
    else:
        try:
            interview = interview_from(request.POST)
        except ProfileError as damaged:
            return render(request, "error.html", {"status": 400, "message": say(damaged.first)}, status=400)
        error = _apply(interview, request.POST)
        stopped = None if error else interview.early_stop(lang_of(request))
        if stopped is not None:
            return remember_language(_result_page(request, interview, stopped, stopped_early=True), code)
    question = interview.next_question()
    if question is None:
        return remember_language(_result_page(request, interview, interview.result(lang_of(request))), code)
    answered, total = interview.progress()
    context = {
        "question": question,
        "state": orjson.dumps(interview.to_state()).decode(),
        "draft": interview.draft(question),
        "error": error,
        "answered": answered,
        "total": total,
        "can_go_back": bool(interview.answered),
    }
    return remember_language(render(request, "step.html", context, status=422 if error else 200), code)


def _apply(interview: Interview, post: QueryDict) -> str | None:
    """Apply the form's action; the message of an invalid answer, else None."""
    action = post.get("action", "next")
    if action == "back":
        interview.back()
        return None
    question = interview.next_question()
    if action != "next" or question is None:
        return None
    try:
        interview.answer(question, read_answer(question, answer_text(question, post)))
    except ProfileError as invalid:
        return say(invalid.first)
    return None


def _result_page(
    request: HttpRequest, interview: Interview, assessment: Assessment, *, stopped_early: bool = False
) -> HttpResponse:
    context = {
        "assessment": assessment,
        "state": orjson.dumps(interview.to_state()).decode(),
        "stopped_early": stopped_early,
        "saved": None,
        "gaps": knowledge().gaps,
    }
    return render(request, "result.html", context)


@require_POST
def result(request: HttpRequest) -> HttpResponse:
    """The result for the answers carried in the form (after a language switch, for example)."""
    code = switch_language(request)
    try:
        interview = interview_from(request.POST)
        assessment = interview.result(lang_of(request))
    except ProfileError as damaged:
        return render(request, "error.html", {"status": 400, "message": say(damaged.first)}, status=400)
    stopped = interview.next_question() is not None
    return remember_language(_result_page(request, interview, assessment, stopped_early=stopped), code)


@require_POST
def result_pdf(request: HttpRequest) -> HttpResponse:
    """The result as a PDF download."""
    try:
        assessment = interview_from(request.POST).result(lang_of(request))
    except ProfileError as damaged:
        return render(request, "error.html", {"status": 400, "message": say(damaged.first)}, status=400)
    return pdf_response(request, assessment)


def pdf_response(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """Render the print template and send it as ``needlewise-result.pdf``."""
    page = render(request, "result_print.html", {"assessment": assessment, "gaps": knowledge().gaps})
    pdf = render_pdf(page.content.decode())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="needlewise-result.pdf"'
    return response


__all__ = ["Lang", "pdf_response", "result", "result_pdf", "step"]
