"""API operations: each parses its input, calls one service and writes the result."""

from __future__ import annotations

import json
from typing import Any, Literal

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from needlewise import bootstrap
from needlewise.api.clinic_routes import clinic_error
from needlewise.api.clinic_routes import router as clinic_router
from needlewise.api.contact_routes import router as contact_router
from needlewise.api.error_words import framework_text, in_error_lang, line, said
from needlewise.api.journal_check_routes import router as journal_check_router
from needlewise.api.journal_referral_routes import router as journal_referral_router
from needlewise.api.journal_routes import router as journal_router
from needlewise.api.recall_routes import router as recall_router
from needlewise.api.responses import CONTENT_TYPE, OrjsonRenderer, error_response, json_response
from needlewise.api.schemas import AssessmentOut, ErrorOut, HealthOut, KnowledgeOut, QuestionnaireOut
from needlewise.api.statuses import status_of
from needlewise.domain.vocabulary import Lang
from needlewise.errors import N_, ClinicError, Problem, ProfileError
from needlewise.services.assessments import assess_profile_json
from needlewise.services.catalogue import kb_version_json, knowledge_json, questionnaire_json
from needlewise.services.profiles import MAX_INPUT_BYTES, profile_json_schema

ERRORS = {400: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}
INVALID_PARAMETERS = N_("Some parameters are not valid.")
#: The framework's own refusal texts (:class:`ninja.errors.HttpError`), marked so the catalogue translates them.
FRAMEWORK_REFUSALS = (N_("CSRF check Failed"),)
LangParam = Literal["en", "es"]


class NeedlewiseAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document also describes the profile request body (v2, or the deprecated v1)."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> dict[str, Any]:  # type: ignore[override]  # noqa: ANN401 - a plain dict is all Django's JSON view needs
        """The OpenAPI document, with ``Profile`` (v2 or the deprecated v1) and its definitions among the components."""
        schema: dict[str, Any] = dict(super().get_openapi_schema(*args, **kwargs))
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for version in (2, 1):
            profile = profile_json_schema(version)
            components.update(profile.pop("$defs", {}))
            for key in ("$schema", "$id"):
                profile.pop(key, None)
            components[f"ProfileV{version}"] = profile
        components["Profile"] = {
            "description": 'A person\'s answers: Profile v2 (with "profile_version": 2), or the deprecated v1.',
            "oneOf": [{"$ref": "#/components/schemas/ProfileV2"}, {"$ref": "#/components/schemas/ProfileV1"}],
        }
        text = json.dumps(schema, default=str).replace('"#/$defs/', '"#/components/schemas/')
        return _profile_refs(json.loads(text))  # type: ignore[no-any-return]

    def get_content_type(self) -> str:
        """``application/json``, as every body the API writes itself (JSON is UTF-8 by definition)."""
        return CONTENT_TYPE


def _profile_refs(node: Any) -> Any:  # noqa: ANN401 - any part of a JSON document
    """``node`` with each schema marked ``x-profile`` (a body field that takes a Profile) a reference to it."""
    if isinstance(node, dict):
        if node.get("x-profile") is True:
            return {"$ref": "#/components/schemas/Profile"}
        return {k: _profile_refs(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_profile_refs(v) for v in node]
    return node


api = NeedlewiseAPI(
    title="needlewise API",
    version="1",
    description=(
        "Is microneedling at home safe for me? Decision support, not a diagnosis.\n\n"
        "Times in the clinic API (`/api/v1/clinic/`) are ISO 8601 with the UTC offset of the clinic's time "
        "zone (`2026-12-21T10:00:00+01:00` in Madrid in winter); a time sent without an offset is read on "
        "the clinic's clock, and one the clocks skip that day is refused (422). Dates are the clinic's "
        "calendar days.\n\n"
        "Errors are one object: `error` (a fixed code), `message`, and `problems`, each with its `field` and "
        "`message`. The messages are in the language asked: the operation's `lang` query parameter (`en` or "
        "`es`) where the request gives one, else the request's `Accept-Language` header (in a browser, the "
        "language chosen on the site), else English. The `error` codes and the `field` paths never change "
        'with the language; details the validator writes about a parameter ("Input should be ...") stay in '
        "English."
    ),
    openapi_url="/openapi.json",
    docs_url=None,  # /docs is needlewise's own accessible page (web.views.pages.api_docs)
    urls_namespace="api",
    renderer=OrjsonRenderer(),
)


@api.exception_handler(AuthenticationError)
def not_signed_in(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    """A clinic operation without a verified staff session."""
    del error
    with in_error_lang(request):
        message = _("Sign in at /clinic/sign-in/ first (staff, with two-step sign-in).")
    return error_response(401, "not_signed_in", message)


@api.exception_handler(HttpError)
def refused(request: HttpRequest, error: HttpError) -> HttpResponse:
    """Other refusals raised by the framework (a missing CSRF token: 403), in the language asked where translated."""
    with in_error_lang(request):
        message = framework_text(str(error))
    return error_response(error.status_code, "refused", message)


@api.exception_handler(NinjaValidationError)
def invalid_parameters(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    """Query parameters that do not validate (for example ``lang=fr``); pydantic's details stay as it writes them."""
    problems = tuple(
        Problem(".".join(str(p) for p in detail.get("loc", ())[1:]) or "(query)", str(detail.get("msg", "invalid")))
        for detail in error.errors
    )
    with in_error_lang(request):
        message = _(INVALID_PARAMETERS)
    return error_response(422, "invalid_parameters", message, problems)


@api.post(
    "/api/v1/assessments",
    response={200: AssessmentOut, **ERRORS},
    by_alias=True,
    summary="Assess a profile (v2, or the deprecated v1)",
    openapi_extra={
        "parameters": [
            {
                "name": "lang",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": ["en", "es"], "default": "en", "title": "Lang"},
            }
        ],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Profile"}}},
        },
    },
)
def create_assessment(request: HttpRequest) -> HttpResponse:
    """A profile (v2, or the deprecated v1) in, the assessment out: the same JSON as the command line's json format."""
    # The hot path reads its one query parameter itself rather than through a parameter model.
    lang = request.GET.get("lang", "en")
    if lang not in ("en", "es"):
        problem = Problem("lang", f"Input should be 'en' or 'es' (got {lang!r})")
        with in_error_lang(request):
            message = _(INVALID_PARAMETERS)
        return error_response(422, "invalid_parameters", message, (problem,))
    try:
        body = request.body
    except (RequestDataTooBig, RawPostDataException):
        with in_error_lang(request):
            message = _("The request body is larger than %(bytes)s bytes.") % {"bytes": MAX_INPUT_BYTES}
        return error_response(413, "too_large", message)
    try:
        assessment = assess_profile_json(body, bootstrap.knowledge_base(), Lang(lang))
    except ProfileError as error:
        with in_error_lang(request):
            problems = said(error.problems)
            message = _("The profile is not valid: %(problem)s") % {"problem": line(problems[0])}
        return error_response(status_of(error).status, "invalid_profile", message, problems)
    return json_response(assessment.to_json())


@api.get("/api/v1/questionnaire", response={200: QuestionnaireOut, **ERRORS}, summary="The adaptive questionnaire")
def get_questionnaire(request: HttpRequest, lang: LangParam = "en") -> HttpResponse:
    """Every question with its options and the condition that decides whether it is asked."""
    del request
    return json_response(questionnaire_json(bootstrap.knowledge_base(), Lang(lang)))


@api.get("/api/v1/knowledge", response={200: KnowledgeOut, **ERRORS}, summary="Rules and sources")
def get_knowledge(request: HttpRequest, lang: LangParam = "en") -> HttpResponse:
    """The knowledge base's version, its rules with their conditions, and the bibliography."""
    del request
    return json_response(knowledge_json(bootstrap.knowledge_base(), Lang(lang)))


@api.get("/api/v1/health", response={200: HealthOut, **ERRORS}, summary="Liveness")
def health(request: HttpRequest) -> HttpResponse:
    """Says ok, with the knowledge base in use."""
    del request
    return json_response({"status": "ok", "kb_version": kb_version_json(bootstrap.knowledge_base())})


api.add_router("/api/v1/clinic", clinic_router)
api.add_router("/api/v1/clinic", recall_router)
api.add_router("/api/v1/clinic", contact_router)
api.add_router("/api/v1", journal_router)
api.add_router("/api/v1", journal_check_router)
api.add_router("/api/v1", journal_referral_router)


@api.exception_handler(ClinicError)
def refused_by_clinic_rules(request: HttpRequest, error: ClinicError) -> HttpResponse:
    """A clinic use case refused: 403 role, 404 not in your clinic, 409 state, 422 input."""
    return clinic_error(request, error)


@api.exception_handler(ProfileError)
def invalid_profile(request: HttpRequest, error: ProfileError) -> HttpResponse:
    """A profile body that does not validate (clinic screenings)."""
    return clinic_error(request, error)
