"""The adaptive questionnaire, the result page and its PDF. Nothing here is stored.

The answers travel in the address of each page (``?s=``: the questionnaire's state, compressed), so
the browser's Back button steps back through the questions and a reload keeps the answers, with or
without JavaScript. Each answer is posted with the state in a hidden field; the server answers with
a redirect to the next page's address (post/redirect/get). Nothing reaches the database unless the
person presses "save"; the answers stay in this browser's history, as any address does.
"""

from __future__ import annotations

import base64
import datetime as dt
import zlib
from collections.abc import Mapping

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_http_methods, require_safe

from needlewise.domain.assessment import Assessment
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import Question
from needlewise.errors import ProfileError
from needlewise.reports.answers import answer_lines
from needlewise.reports.numbers import for_readers
from needlewise.reports.pdf import render_pdf
from needlewise.services.assessments import gaps_for
from needlewise.services.questionnaire import Interview
from needlewise.services.typed_answers import read_answer
from needlewise.web.views.common import knowledge, lang_of, render, say

STATE_PARAMETER = "s"
MAX_STATE_BYTES = 32 * 1024  # a whole questionnaire's state is about 1 kB
PRIVATE = "noindex, nofollow"


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


def state_token(interview: Interview) -> str:
    """The interview's state for an address: JSON, compressed, in URL-safe base64 without padding."""
    packed = zlib.compress(orjson.dumps(interview.to_state()), 9)
    return base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def interview_from_token(token: str) -> Interview:
    """The interview of :func:`state_token`'s ``token``; ProfileError if it is damaged or too large."""
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)), MAX_STATE_BYTES)
        state = None if inflater.unconsumed_tail or not inflater.eof else orjson.loads(raw)
    except (ValueError, zlib.error):  # bad base64 or JSON (both ValueErrors), or not zlib data
        state = None
    return Interview.from_state(knowledge(), state)


def step_url(interview: Interview) -> str:
    """The address of the interview's current question."""
    return f"{reverse('assess')}?{STATE_PARAMETER}={state_token(interview)}"


def result_url(interview: Interview) -> str:
    """The address of the interview's result."""
    return f"{reverse('result')}?{STATE_PARAMETER}={state_token(interview)}"


def answer_text(question: Question, post: QueryDict) -> str:
    """The form's answer to ``question`` as the text :func:`read_answer` reads."""
    if question.kind == "multi":
        return ",".join(post.getlist("answer"))
    if question.kind == "procedures":
        parts = [(o.value, post.get(f"weeks-{o.value}", "").strip()) for o in question.options]
        given = [f"{kind}={weeks}" for kind, weeks in parts if weeks]
        return ", ".join(given + post.getlist("answer"))  # "none" or "unsure" alone, or refused beside weeks
    return post.get("answer", "").strip() or post.get("choice", "")


@require_http_methods(["GET", "HEAD", "POST"])
def step(request: HttpRequest) -> HttpResponse:
    """Show the question of the state in the address; on POST, record the answer (or go back), then redirect.

    A refused answer is shown at once (422) with its question; every other POST ends in a redirect
    to the address of the next question or of the result.
    """
    if request.method != "POST":
        return _show_step(request)
    code = switch_language(request)
    try:
        interview = interview_from(request.POST)
    except ProfileError as damaged:
        return _damaged(request, damaged)
    error = _apply(interview, request.POST)
    question = interview.next_question()
    if error is not None and question is not None:
        return remember_language(_step_page(request, interview, question, error), code)
    return remember_language(_next_page(request, interview), code)


def _show_step(request: HttpRequest) -> HttpResponse:
    token = request.GET.get(STATE_PARAMETER)
    try:
        interview = Interview(knowledge()) if token is None else interview_from_token(token)
    except ProfileError as damaged:
        return _damaged(request, damaged)
    question = interview.next_question()
    if question is None or _stopped(request, interview):
        return HttpResponseRedirect(result_url(interview), status=303)
    return _step_page(request, interview, question, None)


def _next_page(request: HttpRequest, interview: Interview) -> HttpResponse:
    """A redirect to the next question, or to the result once complete or stopped early."""
    done = interview.next_question() is None or _stopped(request, interview)
    return HttpResponseRedirect(result_url(interview) if done else step_url(interview), status=303)


def _stopped(request: HttpRequest, interview: Interview) -> bool:
    """Whether the answers so far already end the questionnaire (a stop answer)."""
    return interview.early_stop(lang_of(request)) is not None


def _step_page(request: HttpRequest, interview: Interview, question: Question, error: str | None) -> HttpResponse:
    answered, total = interview.progress()
    context = {
        "question": question,
        "state": orjson.dumps(interview.to_state()).decode(),
        "page_url": step_url(interview),
        "draft": interview.draft(question),
        "error": error,
        "answered": answered,
        "total": total,
        "can_go_back": bool(interview.answered),
    }
    response = render(request, "step.html", context, status=422 if error else 200)
    if interview.answered:
        response["X-Robots-Tag"] = PRIVATE
    return response


def _damaged(request: HttpRequest, damaged: ProfileError) -> HttpResponse:
    return render(request, "error.html", {"status": 400, "message": say(damaged.first)}, status=400)


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


@require_http_methods(["GET", "HEAD", "POST"])
def result(request: HttpRequest) -> HttpResponse:
    """The result of the answers in the address; a POST (the language switcher) redirects to it."""
    if request.method == "POST":
        code = switch_language(request)
        try:
            interview = interview_from(request.POST)
        except ProfileError as damaged:
            return _damaged(request, damaged)
        return remember_language(HttpResponseRedirect(result_url(interview), status=303), code)
    token = request.GET.get(STATE_PARAMETER)
    if token is None:  # an address without answers: the questions start again
        return HttpResponseRedirect(reverse("assess"), status=303)
    try:
        interview = interview_from_token(token)
        stopped = interview.next_question() is not None
        if stopped and not _stopped(request, interview):  # not finished: back to the next question
            return HttpResponseRedirect(step_url(interview), status=303)
        assessment = interview.result(lang_of(request))
    except ProfileError as damaged:
        return _damaged(request, damaged)
    context = {
        "assessment": for_readers(assessment),
        "answers": answer_lines(interview.document, knowledge(), lang_of(request)),
        "state": orjson.dumps(interview.to_state()).decode(),
        "token": state_token(interview),
        "stopped_early": stopped,
        "saved": None,
        "made_on": today(),
        "gaps": gaps_for(interview.document, knowledge()),
    }
    response = render(request, "result.html", context)
    response["X-Robots-Tag"] = PRIVATE
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def result_pdf(request: HttpRequest) -> HttpResponse:
    """The result as a PDF download: of the answers in the address, or posted in the form."""
    try:
        if request.method == "POST":
            interview = interview_from(request.POST)
        else:
            interview = interview_from_token(request.GET.get(STATE_PARAMETER, ""))
        assessment = interview.result(lang_of(request))
    except ProfileError as damaged:
        return _damaged(request, damaged)
    return pdf_response(request, assessment, interview.document)


@require_safe
def start_again(request: HttpRequest) -> HttpResponse:
    """Ask before clearing the answers: "Start again" on the result page leads here, not to question 1."""
    back = None
    token = request.GET.get(STATE_PARAMETER)
    if token:
        try:
            back = result_url(interview_from_token(token))
        except ProfileError:
            back = None
    response = render(request, "start_again.html", {"back": back})
    response["X-Robots-Tag"] = PRIVATE
    return response


def today() -> dt.date:
    """Today's date where the server is (the date printed on a result)."""
    return timezone.localdate()


def pdf_response(
    request: HttpRequest, assessment: Assessment, document: Mapping[str, object], saved_on: dt.date | None = None
) -> HttpResponse:
    """Render the print template and send it as ``needlewise-result.pdf``.

    The PDF says when it was made, with which knowledge base, and the answers it rests on, so that
    a doctor can see what the verdict was based on.
    """
    context = {
        "assessment": for_readers(assessment),
        "answers": answer_lines(document, knowledge(), lang_of(request)),
        "made_on": today(),
        "saved_on": saved_on,
        "gaps": gaps_for(document, knowledge()),
    }
    page = render(request, "result_print.html", context)
    pdf = render_pdf(page.content.decode())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="needlewise-result.pdf"'
    return response


__all__ = ["Lang", "pdf_response", "result", "result_pdf", "start_again", "step"]
