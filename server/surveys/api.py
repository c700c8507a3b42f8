"""The survey API (issue 17): create, read, answer, results, exports.

Documented in docs/api.md ("Surveys"). The creation body is the same JSON as
a template file, or ``{"template": id}``; answers are checked by the same
rules as the form (:mod:`rooms.surveys.answers`), so a 422 names the question.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec
from litestar import delete, get, patch, post
from litestar.params import FromPath
from litestar.response import Response

from rooms.codes import normalise_code
from rooms.surveys.aggregate import Results, aggregate
from rooms.surveys.answers import Answers
from rooms.surveys.definition import (
    DefinitionProblem,
    Survey,
    decode_survey,
    definition_problems,
    status,
)
from rooms.surveys.log import (
    Refusal,
    ResponseSubmitted,
    SurveyCreated,
    SurveyState,
    change_dates,
    submit,
)
from rooms.surveys.templates import template
from server.api import api_language, bearer
from server.auth import key_hash, key_matches, new_key
from server.services import Services, services
from server.surveys.common import (
    AnyRequest,
    closed_message,
    find,
    is_moderator,
    message,
    new_resume_token,
    respondent_key,
    resume_cookie_for,
    resume_token,
    survey_store,
    write_allowed,
)
from server.surveys.export import export_csv, export_xlsx
from server.surveys.live import survey_changed
from server.surveys.store import today_here

MAX_BODY = 512 * 1024


class TemplateRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    template: str
    language: str = "de"
    title: str | None = None
    starts: str | None = None
    ends: str | None = None


class SurveyLinks(msgspec.Struct, frozen=True):
    respond: str
    results: str
    qr: str


class CreateSurveyResponse(msgspec.Struct, frozen=True):
    code: str
    moderator_token: str
    links: SurveyLinks


class PublicSurvey(msgspec.Struct, frozen=True):
    code: str
    status: str  # not_yet, open, closed
    definition: Survey


class ResponseRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    answers: Answers
    # An integration's own id for a respondent; without it, a cookie identifies the client.
    respondent: str | None = None


class ResponseAccepted(msgspec.Struct, frozen=True):
    code: str
    status: str = "submitted"


class ProblemOut(msgspec.Struct, frozen=True):
    question: str
    reason: str
    detail: str


class SurveyError(msgspec.Struct, frozen=True, omit_defaults=True):
    status_code: int
    detail: str
    reason: str
    field: str | None = None
    problems: list[ProblemOut] = []
    starts: str | None = None
    ends: str | None = None


def error(
    lang: str,
    status: int,
    reason: str,
    field: str | None = None,
    problems: list[tuple[str, str]] | None = None,
    detail: str | None = None,
    survey: Survey | None = None,
) -> Response[SurveyError]:
    text = detail or message(lang, reason, field=field or "body")
    return Response(
        SurveyError(
            status,
            text,
            reason,
            field,
            [ProblemOut(q, r, message(lang, r)) for q, r in problems or []],
            survey.starts if survey else None,
            survey.ends if survey else None,
        ),
        status_code=status,
    )


def links(svc: Services, code: str, key: str | None) -> SurveyLinks:
    base = svc.base_url.rstrip("/")
    results = f"{base}/u/{code}/ergebnisse" + (f"?key={key}" if key else "")
    return SurveyLinks(respond=f"{base}/u/{code}", results=results, qr=f"{base}/u/{code}/qr.svg")


async def may_create(request: AnyRequest, svc: Services) -> tuple[bool, str | None]:
    """The admin token, or the moderator token of the event named by ``?event=``.

    Returns whether the caller may, and the event the survey then belongs to.
    """
    token = bearer(request)
    if token is None:
        return False, None
    event = normalise_code(request.query_params.get("event") or "")
    hub = await svc.rooms.get(event) if event else None
    if key_matches(token, key_hash(svc.admin_token)):
        return True, hub.code if hub else None
    if hub is not None and key_matches(token, hub.state.lobby.moderator_key_hash):
        return True, hub.code
    return False, None


def definition_from(raw: bytes) -> tuple[Survey | DefinitionProblem, str | None]:
    """A definition from the body: a whole survey, or a template with dates."""
    try:
        peek = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return DefinitionProblem("body", "survey_invalid"), None
    if not (isinstance(peek, dict) and "template" in peek):
        return decode_survey(raw), None
    try:
        asked = msgspec.json.decode(raw, type=TemplateRequest)
    except msgspec.ValidationError as exc:
        return DefinitionProblem(str(exc).rpartition("`$.")[2].rstrip("`"), "survey_invalid"), None
    survey = template(asked.template, asked.language)
    if survey is None:
        return DefinitionProblem("template", "unknown_template"), None
    survey = msgspec.structs.replace(
        survey,
        title=asked.title or survey.title,
        starts=asked.starts,
        ends=asked.ends,
    )
    problems = definition_problems(survey)
    return (problems[0] if problems else survey), asked.template


async def create_survey(
    request: AnyRequest, survey: Survey, from_template: str | None, event: str | None
) -> tuple[SurveyCreated, str]:
    key = new_key()
    now = time.time_ns() // 1_000_000
    created = await survey_store(request).create(
        lambda code: SurveyCreated(code, survey, key_hash(key), now, from_template, event)
    )
    await survey_changed(request, event)
    return created, key


@post("/api/surveys", status_code=201, tags=["surveys"])
async def create(request: AnyRequest) -> Response[Any]:
    """Create a survey (admin token, or an event's moderator token with ``?event=CODE``).

    The body is a survey definition (the template file format) or
    ``{"template": "bestandsaufnahme" | "erwartungen" | "feedback", "language": "de" | "en",
    "starts": "YYYY-MM-DD", "ends": "YYYY-MM-DD"}``.
    """
    svc = services(request)
    lang = api_language(request)
    allowed, event = await may_create(request, svc)
    if not allowed:
        return error(lang, 401, "not_allowed")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return error(lang, 413, "survey_invalid", "body")
    survey, from_template = definition_from(raw)
    if isinstance(survey, DefinitionProblem):
        return error(lang, 422, survey.reason, survey.field)
    created, key = await create_survey(request, survey, from_template, event)
    body = CreateSurveyResponse(created.code, key, links(svc, created.code, key))
    return Response(body, status_code=201)


@get("/api/surveys/{code:str}", tags=["surveys"])
async def public_definition(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """The public definition of a survey, and whether it is open today."""
    lang = api_language(request)
    state = await find(request, code)
    if state is None:
        return error(lang, 404, "unknown_survey")
    body = PublicSurvey(
        state.created.code, status(state.definition, today_here()), state.definition
    )
    return Response(body)


@get("/api/surveys/{code:str}/definition.json", tags=["surveys"])
async def definition_file(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """The bare definition as a file: import it again (admin page or API) to duplicate it."""
    lang = api_language(request)
    state = await find(request, code)
    if state is None:
        return error(lang, 404, "unknown_survey")
    return Response(
        msgspec.json.format(msgspec.json.encode(state.definition), indent=2),
        media_type="application/json",
        headers={
            "content-disposition": f'attachment; filename="umfrage-{state.created.code}.json"'
        },
    )


def refusal_response(
    lang: str, state: SurveyState, reason: str, question: str | None, found: list[tuple[str, str]]
) -> Response[SurveyError]:
    if reason in ("survey_closed", "survey_not_yet"):
        text = closed_message(lang, state.definition, reason)
        return error(lang, 403, reason, detail=text, survey=state.definition)
    if reason == "already_submitted":
        return error(lang, 409, reason)
    if reason in ("unknown_survey",):
        return error(lang, 404, reason)
    if reason == "store_unavailable":
        return error(lang, 503, reason)
    return error(lang, 422, reason, question, found)


@post("/api/surveys/{code:str}/responses", status_code=201, tags=["surveys"])
async def respond(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """Submit one whole response: ``{"answers": {question id: value}}``.

    201 when it is written; 422 naming the question (``field``, and every
    problem in ``problems``); 409 for a second submission from the same
    respondent; 403 with the survey's dates when it is not open.
    """
    svc = services(request)
    lang = api_language(request)
    state = await find(request, code)
    if state is None:
        return error(lang, 404, "unknown_survey")
    if not write_allowed(request):
        return error(lang, 429, "rate_limited")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return error(lang, 413, "answer_too_long", "answers")
    try:
        data = msgspec.json.decode(raw, type=ResponseRequest)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        where = str(exc).rpartition("`$.")[2].rstrip("`") if "`$." in str(exc) else "answers"
        return error(lang, 422, "answer_invalid", where)
    survey_code = state.created.code
    cookie = None
    if data.respondent:
        who = svc.signer.derive("survey-api", survey_code, data.respondent[:200])
    else:
        token = resume_token(request, survey_code)
        if token is None:
            token = new_resume_token()
            cookie = resume_cookie_for(svc, survey_code, token)
        who = respondent_key(svc, survey_code, token)
    now = time.time_ns() // 1_000_000
    today = today_here()
    outcome = await survey_store(request).write(
        survey_code, lambda s: submit(s, who, data.answers, today, now, lenient=False)
    )
    if not isinstance(outcome, ResponseSubmitted):
        assert hasattr(outcome, "reason")
        found = list(getattr(outcome, "problems", []))
        response = refusal_response(
            lang, state, outcome.reason, getattr(outcome, "question", None), found
        )
    else:
        response = Response(ResponseAccepted(survey_code), status_code=201)  # type: ignore[arg-type]
    if cookie is not None:
        response.cookies.append(cookie)
    return response


async def moderated(request: AnyRequest, code: str) -> SurveyState | Response[SurveyError]:
    lang = api_language(request)
    state = await find(request, code)
    if state is None:
        return error(lang, 404, "unknown_survey")
    if not await is_moderator(request, state):
        return error(lang, 403, "bad_token")
    return state


class DatesRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    starts: str | None = None
    ends: str | None = None


@patch("/api/surveys/{code:str}", tags=["surveys"])
async def change_period(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """Move the survey's period (moderator): ``{"starts": …, "ends": …}``; null means open."""
    state = await moderated(request, code)
    if isinstance(state, Response):
        return state
    lang = api_language(request)
    try:
        data = msgspec.json.decode(await request.body(), type=DatesRequest)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return error(lang, 422, "dates_invalid", "ends")
    now = time.time_ns() // 1_000_000
    outcome = await survey_store(request).write(
        state.created.code, lambda s: change_dates(data.starts, data.ends, now)
    )
    if isinstance(outcome, Refusal):
        return error(lang, 422, outcome.reason, outcome.question)
    await survey_changed(request, state.created.event)
    return Response(
        PublicSurvey(state.created.code, status(state.definition, today_here()), state.definition)
    )


@delete("/api/surveys/{code:str}", tags=["surveys"], status_code=200)
async def delete_survey(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """Delete the survey with every response and draft (moderator). 204; then 404."""
    state = await moderated(request, code)
    if isinstance(state, Response):
        return state
    await survey_store(request).delete(state.created.code, time.time_ns() // 1_000_000)
    await survey_changed(request, state.created.event)
    return Response(b"", status_code=204)


@get("/api/surveys/{code:str}/results", tags=["surveys"])
async def results(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """Results per question; ``?by=<question id>`` adds one group per answer to that question."""
    state = await moderated(request, code)
    if isinstance(state, Response):
        return state
    by = request.query_params.get("by") or None
    body: Results = aggregate(state.definition, state.answers(), by)
    return Response(body)


@get("/api/surveys/{code:str}/responses.csv", tags=["surveys"])
async def responses_csv(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """Every response, one row each, option keys as codes (the codebook is in the XLSX)."""
    state = await moderated(request, code)
    if isinstance(state, Response):
        return state
    lang = api_language(request)
    return Response(
        export_csv(state, lang),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="umfrage-{state.created.code}.csv"'},
    )


@get("/api/surveys/{code:str}/responses.xlsx", tags=["surveys"])
async def responses_xlsx(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """Every response (one row each), a codebook sheet, and the contacts given with consent."""
    state = await moderated(request, code)
    if isinstance(state, Response):
        return state
    lang = api_language(request)
    return Response(
        export_xlsx(state, lang),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "content-disposition": f'attachment; filename="umfrage-{state.created.code}.xlsx"'
        },
    )


ROUTES = [
    create,
    public_definition,
    definition_file,
    change_period,
    delete_survey,
    respond,
    results,
    responses_csv,
    responses_xlsx,
]
