"""The respondent's pages: one form per section, plain HTML forms that work without JS.

- ``/u/CODE``: the survey's intro (dates, "Starten" or "Fortsetzen"); with
  ``?weiter=TOKEN`` (the resume link) it adopts that respondent and goes on
  where they stopped.
- ``/u/CODE/N``: section N of the form. Posting it saves the answers so far
  as a draft in the survey's log and moves on; "Zurück" saves without checks;
  the last section submits the whole response.

Questions hidden by an earlier section's answers are not shown. A question
that depends on an answer in the same section is shown with a hint saying
when it applies (``survey.js`` hides it while it does not); its answer is
dropped on the server if it does not apply.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from litestar import get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath
from litestar.response import Redirect, Response

from rooms.report.charts import bar_chart
from rooms.surveys.aggregate import Count, QuestionResult, aggregate, question_result
from rooms.surveys.answers import Answer, Answers, Problem, other_key, problems, prune, visible
from rooms.surveys.definition import BREAKDOWN, OTHER, Kind, Question, Section, Survey, status
from rooms.surveys.directory import has_directory
from rooms.surveys.log import (
    DraftSaved,
    Refusal,
    ResponseSubmitted,
    SurveyState,
    change_dates,
    submit,
)
from server.auth import LANG_COOKIE, key_matches
from server.csrf import FIELD as CSRF_FIELD
from server.csrf import FormGuard, form_allowed
from server.i18n import gettext, pick_language
from server.qr import qr_svg
from server.services import Services, services
from server.surveys.common import (
    AnyRequest,
    closed_message,
    find,
    is_moderator,
    message,
    new_resume_token,
    option_labels,
    respondent_key,
    resume_cookie_for,
    resume_token,
    survey_store,
    valid_resume,
    write_allowed,
)
from server.surveys.live import survey_changed
from server.surveys.store import today_here

FORM_FIELDS_MAX = 2000


def page_lang(request: AnyRequest, survey: Survey) -> str:
    """The survey's own language first: its questions are written in it."""
    return pick_language(request.query_params.get("lang"), survey.language)


def render(
    svc: Services, lang: str, template: str, status_code: int = 200, **ctx: Any
) -> Response[str]:
    body = svc.renderer.render(lang, template, **ctx)
    return Response(
        body,
        status_code=status_code,
        media_type="text/html; charset=utf-8",
        headers={"cache-control": "no-store"},
    )


def not_found(svc: Services, request: AnyRequest) -> Response[str]:
    lang = pick_language(request.query_params.get("lang"))
    return render(
        svc,
        lang,
        "message.html",
        404,
        title=message(lang, "unknown_survey"),
        text="",
    )


def resume_url(svc: Services, code: str, token: str) -> str:
    return f"{svc.base_url.rstrip('/')}/u/{code}?weiter={token}"


def condition_text(survey: Survey, q: Question, lang: str) -> str | None:
    """The labels a condition names, for the hint beside a question in the same section."""
    if q.show_if is None:
        return None
    target = survey.question(q.show_if.question)
    if target is None:
        return None
    labels = option_labels(lang, target)
    return ", ".join(f"„{labels.get(k, k)}“" for k in q.show_if.one_of)


def section_of(survey: Survey, qid: str) -> int:
    for i, section in enumerate(survey.sections):
        if any(q.id == qid for q in section.questions):
            return i
    return 0


def shown_in(survey: Survey, index: int, answers: Answers) -> list[Question]:
    """The questions section ``index`` shows: visible now, or depending on this section."""
    section = survey.sections[index]
    ids = {q.id for q in section.questions}
    seen = visible(survey, answers)
    return [
        q
        for q in section.questions
        if q.id in seen or (q.show_if is not None and q.show_if.question in ids)
    ]


def next_section(survey: Survey, index: int, answers: Answers, step: int) -> int | None:
    """The next (or previous) section that asks anything, or None past either end."""
    n = index + step
    while 0 <= n < len(survey.sections):
        if shown_in(survey, n, answers):
            return n
        n += step
    return None


def parse_section(section: Section, form: Any, answers: Answers) -> tuple[Answers, list[Problem]]:
    """The answers typed into one section's form, merged over the draft's answers."""
    merged = dict(answers)
    extra: list[Problem] = []
    for q in section.questions:
        for key in [k for k in merged if k == q.id or k.startswith(q.id + ".")]:
            del merged[key]
        value: Answer | None = None
        raw = form.get(q.id)
        if q.kind == Kind.MULTIPLE:
            picks = [v for v in form.getall(q.id, []) if isinstance(v, str)]
            value = picks or None
        elif q.kind == Kind.MATRIX:
            row_values = {r.id: form.get(f"{q.id}.{r.id}") for r in q.rows}
            value = {k: v for k, v in row_values.items() if isinstance(v, str) and v} or None
        elif q.kind == Kind.RANKING:
            places = {o.id: form.get(f"{q.id}.{o.id}") for o in q.options}
            given = {k: int(v) for k, v in places.items() if isinstance(v, str) and v.isdigit()}
            if given:
                if len(set(given.values())) != len(given):
                    extra.append(Problem(q.id, "ranking_incomplete"))
                value = sorted(given, key=lambda k: given[k])
        elif q.kind in (Kind.SCALE, Kind.NUMBER):
            text = raw.strip().replace(",", ".") if isinstance(raw, str) else ""
            if text:
                try:
                    number = float(text)
                    value = int(number) if number.is_integer() else number
                except ValueError:
                    value = text  # refused as "does not fit", and shown again as typed
        elif isinstance(raw, str) and raw.strip():
            value = raw.strip() if q.kind not in (Kind.LONG_TEXT,) else raw.strip("\n ")
        if value is not None:
            merged[q.id] = value
        other = form.get(other_key(q.id))
        if q.other and isinstance(other, str) and other.strip():
            merged[other_key(q.id)] = other.strip()
    return merged, extra


class Respondent:
    """Who fills in the form: the resume token (cookie), its log key, and their draft."""

    def __init__(self, svc: Services, request: AnyRequest, state: SurveyState) -> None:
        code = state.created.code
        token = resume_token(request, code)
        self.cookie: Cookie | None = None
        if token is None:
            token = new_resume_token()
            self.cookie = resume_cookie_for(svc, code, token)
        self.token = token
        self.key = respondent_key(svc, code, token)
        self.done = self.key in state.respondents
        draft = state.drafts.get(self.key)
        self.answers: Answers = dict(draft.answers) if draft else {}
        self.section = draft.section if draft else 0
        self.started = draft is not None


def with_cookies(response: Response[Any], *cookies: Cookie | None) -> Response[Any]:
    for cookie in cookies:
        if cookie is not None:
            response.cookies.append(cookie)
    return response


def closed_page(svc: Services, lang: str, state: SurveyState, reason: str) -> Response[str]:
    return render(
        svc,
        lang,
        "surveys/closed.html",
        403,
        survey=state.definition,
        text=closed_message(lang, state.definition, reason),
    )


@get("/u/{code:str}", include_in_schema=False)
async def intro(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """The survey's first page; the resume link (``?weiter=``) adopts a respondent."""
    svc = services(request)
    state = await find(request, code)
    if state is None:
        return not_found(svc, request)
    survey = state.definition
    lang = page_lang(request, survey)
    survey_code = state.created.code
    adopt = request.query_params.get("weiter")
    if adopt is not None and valid_resume(adopt):
        target = f"/u/{survey_code}"
        response: Response[Any] = Redirect(target, status_code=303)
        return with_cookies(response, resume_cookie_for(svc, survey_code, adopt))
    now = status(survey, today_here())
    if now != "open":
        return closed_page(svc, lang, state, "survey_" + now)
    who = Respondent(svc, request, state)
    page = render(
        svc,
        lang,
        "surveys/intro.html",
        survey=survey,
        code=survey_code,
        who=who,
        sections=len(survey.sections),
        questions=len(survey.questions()),
        resume=resume_url(svc, survey_code, who.token),
        done_text=message(lang, "already_submitted"),
    )
    return with_cookies(page, who.cookie)


def section_page(
    svc: Services,
    request: AnyRequest,
    state: SurveyState,
    who: Respondent,
    index: int,
    answers: Answers,
    found: list[Problem],
    status_code: int = 200,
) -> Response[str]:
    survey = state.definition
    lang = page_lang(request, survey)
    guard = FormGuard(svc.signer, request, svc.base_url.startswith("https://"))
    section = survey.sections[index]
    errors = {p.question: message(lang, p.reason) for p in found}
    page = render(
        svc,
        lang,
        "surveys/section.html",
        status_code,
        survey=survey,
        code=state.created.code,
        section=section,
        index=index,
        total=len(survey.sections),
        questions=shown_in(survey, index, answers),
        answers=answers,
        errors=errors,
        labels={q.id: option_labels(lang, q) for q in section.questions},
        conditions={q.id: condition_text(survey, q, lang) for q in section.questions},
        same_section={
            q.id
            for q in section.questions
            if q.show_if is not None and section_of(survey, q.show_if.question) == index
        },
        first=next_section(survey, index, answers, -1) is None,
        last=next_section(survey, index, answers, 1) is None,
        csrf=guard.token,
        csrf_field=CSRF_FIELD,
        resume=resume_url(svc, state.created.code, who.token),
        OTHER=OTHER,
        other_key=other_key,
    )
    with_cookies(page, guard.cookie, who.cookie)
    return page


async def open_state(
    request: AnyRequest, code: str
) -> tuple[Services, SurveyState, str] | Response[Any]:
    svc = services(request)
    state = await find(request, code)
    if state is None:
        return not_found(svc, request)
    lang = page_lang(request, state.definition)
    now = status(state.definition, today_here())
    if now != "open":
        return closed_page(svc, lang, state, "survey_" + now)
    return svc, state, lang


def thanks_page(svc: Services, lang: str, state: SurveyState, who: Respondent) -> Response[str]:
    return with_cookies(
        render(
            svc,
            lang,
            "surveys/thanks.html",
            survey=state.definition,
            text=state.definition.thanks or message(lang, "already_submitted"),
        ),
        who.cookie,
    )


@get("/u/{code:str}/{number:int}", include_in_schema=False)
async def section_form(
    request: AnyRequest, code: FromPath[str], number: FromPath[int]
) -> Response[Any]:
    opened = await open_state(request, code)
    if isinstance(opened, Response):
        return opened
    svc, state, lang = opened
    who = Respondent(svc, request, state)
    if who.done:
        return thanks_page(svc, lang, state, who)
    if not 1 <= number <= len(state.definition.sections):
        return Redirect(f"/u/{state.created.code}/1", status_code=303)
    return section_page(svc, request, state, who, number - 1, who.answers, [])


@post("/u/{code:str}/{number:int}", include_in_schema=False)
async def section_submit(
    request: AnyRequest, code: FromPath[str], number: FromPath[int]
) -> Response[Any]:
    """Save one section; move on, go back, or submit the whole response on the last."""
    opened = await open_state(request, code)
    if isinstance(opened, Response):
        return opened
    svc, state, lang = opened
    survey = state.definition
    survey_code = state.created.code
    who = Respondent(svc, request, state)
    if who.done:
        return thanks_page(svc, lang, state, who)
    if not 1 <= number <= len(survey.sections):
        return Redirect(f"/u/{survey_code}/1", status_code=303)
    if not write_allowed(request):
        return render(svc, lang, "message.html", 429, title=message(lang, "rate_limited"), text="")
    form = await request.form()
    if len(form) > FORM_FIELDS_MAX or not form_allowed(
        request, svc.signer, svc.base_url, form.get(CSRF_FIELD)
    ):
        return render(svc, lang, "message.html", 403, title=message(lang, "not_allowed"), text="")
    index = number - 1
    answers, extra = parse_section(survey.sections[index], form, who.answers)
    now = time.time_ns() // 1_000_000
    store = survey_store(request)
    section_ids = [q.id for q in survey.sections[index].questions]
    found = extra + problems(survey, prune(survey, answers), only=section_ids)
    if form.get("go") == "back":
        # kept as typed, except what could never be stored (too long, not an option)
        for problem in found:
            if problem.reason != "answer_missing":
                answers.pop(problem.question, None)
                answers.pop(other_key(problem.question), None)
        target = next_section(survey, index, answers, -1)
        back = index if target is None else target
        await store.write(survey_code, lambda s: DraftSaved(who.key, answers, back, now))
        return with_cookies(Redirect(f"/u/{survey_code}/{back + 1}", status_code=303), who.cookie)
    if found:
        return section_page(svc, request, state, who, index, answers, found, 422)
    following = next_section(survey, index, answers, 1)
    if following is not None:
        await store.write(survey_code, lambda s: DraftSaved(who.key, answers, following, now))
        return with_cookies(
            Redirect(f"/u/{survey_code}/{following + 1}", status_code=303), who.cookie
        )
    today = today_here()
    outcome = await store.write(
        survey_code, lambda s: submit(s, who.key, answers, today, now, lenient=True)
    )
    if isinstance(outcome, ResponseSubmitted):
        return with_cookies(Redirect(f"/u/{survey_code}/danke", status_code=303), who.cookie)
    assert isinstance(outcome, Refusal)
    if outcome.reason == "already_submitted":
        return thanks_page(svc, lang, state, who)
    if outcome.question is not None:
        at = section_of(survey, outcome.question)
        at_fault = [Problem(q, r) for q, r in outcome.problems if section_of(survey, q) == at]
        await store.write(survey_code, lambda s: DraftSaved(who.key, answers, at, now))
        return section_page(svc, request, state, who, at, answers, at_fault, 422)
    return closed_page(svc, lang, state, outcome.reason)


@get("/u/{code:str}/danke", include_in_schema=False)
async def thanks(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    svc = services(request)
    state = await find(request, code)
    if state is None:
        return not_found(svc, request)
    lang = page_lang(request, state.definition)
    return thanks_page(svc, lang, state, Respondent(svc, request, state))


@get("/u/{code:str}/qr.svg", include_in_schema=False)
async def qr(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """The survey link as a QR code, for a poster or a slide."""
    svc = services(request)
    state = await find(request, code)
    if state is None:
        return not_found(svc, request)
    url = f"{svc.base_url.rstrip('/')}/u/{state.created.code}"
    return Response(qr_svg(url), media_type="image/svg+xml")


ROUTES = [intro, section_form, section_submit, thanks, qr]


def results_cookie(svc: Services, code: str, key: str) -> Cookie:
    return Cookie(
        key=f"dg_sm_{code}",
        value=key,
        path="/",
        max_age=30 * 24 * 3600,
        httponly=True,
        samesite="strict",
        secure=svc.base_url.startswith("https://"),
    )


def count_of(result: QuestionResult, key: str) -> int:
    """A group's count for one option (a group may lack a postcode or month the total has)."""
    return next((c.count for c in result.counts if c.key == key), 0)


SHOWN_BUCKETS = 12


def shown_counts(q: Question, result: QuestionResult) -> list[Count]:
    """The counts a chart shows: the most frequent postcode areas, the latest months."""
    if q.kind == Kind.POSTCODE:
        return sorted(result.counts, key=lambda c: -c.count)[:SHOWN_BUCKETS]
    if q.kind == Kind.DATE:
        months = sorted(result.counts, key=lambda c: c.key)[-SHOWN_BUCKETS:]
        return [Count(c.key, f"{c.key[5:]}/{c.key[:4]}", c.count) for c in months]
    return result.counts


def mean_of(result: QuestionResult, key: str) -> float | None:
    """A group's mean for one matrix row or ranked option."""
    return next((r.mean for r in result.rows if r.key == key), None)


async def organiser(
    request: AnyRequest, code: str, page: str | None = None
) -> tuple[Services, SurveyState, str] | Response[Any]:
    """The survey and the organiser's language, or the page that refuses.

    With ``page`` (``ergebnisse``, ``bearbeiten``) a moderator key in the link
    (``?key=``) moves into a cookie and the page reloads without it, so the key
    does not stay in the address bar or a screenshot.
    """
    svc = services(request)
    state = await find(request, code)
    if state is None:
        return not_found(svc, request)
    key = request.query_params.get("key")
    if page is not None and key is not None and key_matches(key, state.created.moderator_hash):
        return with_cookies(
            Redirect(f"/u/{state.created.code}/{page}", status_code=303),
            results_cookie(svc, state.created.code, key),
        )
    lang = pick_language(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        state.definition.language,
    )
    if not await is_moderator(request, state):
        return render(svc, lang, "message.html", 403, title=message(lang, "bad_token"), text="")
    return svc, state, lang


@get("/u/{code:str}/ergebnisse", include_in_schema=False)
async def results_page(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """The organiser's results: per question, with bars, and broken down by another question.

    The moderator key arrives once in the link (``?key=``), moves into a
    cookie, and the page reloads without it, so it does not stay in the
    address bar or a screenshot.
    """
    opened = await organiser(request, code, "ergebnisse")
    if isinstance(opened, Response):
        return opened
    svc, state, lang = opened
    survey = state.definition
    survey_code = state.created.code
    by = request.query_params.get("by") or None
    results = aggregate(survey, state.answers(), by)
    guard = FormGuard(svc.signer, request, svc.base_url.startswith("https://"))
    questions = survey.questions()
    base = svc.base_url.rstrip("/")
    page = render(
        svc,
        lang,
        "surveys/results.html",
        survey=survey,
        code=survey_code,
        results=results,
        status=status(survey, today_here()),
        by=results.by,
        by_question=survey.question(results.by) if results.by else None,
        choices=[q for q in questions if q.kind in BREAKDOWN and not q.personal],
        questions={q.id: q for q in questions},
        labels={q.id: option_labels(lang, q) for q in questions},
        drafts=len(state.drafts),
        count_of=count_of,
        shown_counts=shown_counts,
        mean_of=mean_of,
        respond=f"{base}/u/{survey_code}",
        qr=qr_svg(f"{base}/u/{survey_code}"),
        csrf=guard.token,
        csrf_field=CSRF_FIELD,
        directory=has_directory(survey, state.created.template),
        charted=CHARTED,
    )
    return with_cookies(page, guard.cookie)


ROUTES.append(results_page)


@post("/u/{code:str}/zeitraum", include_in_schema=False, status_code=200)
async def change_period_form(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """The results page's period form: new dates, or "end now" (the end becomes yesterday)."""
    svc = services(request)
    state = await find(request, code)
    if state is None:
        return not_found(svc, request)
    lang = pick_language(request.cookies.get(LANG_COOKIE), state.definition.language)
    form = await request.form()
    if not await is_moderator(request, state) or not form_allowed(
        request, svc.signer, svc.base_url, form.get(CSRF_FIELD)
    ):
        return render(svc, lang, "message.html", 403, title=message(lang, "not_allowed"), text="")
    starts = str(form.get("starts") or "") or None
    ends = str(form.get("ends") or "") or None
    if form.get("go") == "end_now":
        ends = (today_here() - timedelta(days=1)).isoformat()
        starts = min(starts, ends) if starts else None
    now = time.time_ns() // 1_000_000
    outcome = await survey_store(request).write(
        state.created.code, lambda s: change_dates(starts, ends, now)
    )
    if isinstance(outcome, Refusal):
        return render(svc, lang, "message.html", 422, title=message(lang, outcome.reason), text="")
    await survey_changed(request, state.created.event)
    return Redirect(f"/u/{state.created.code}/ergebnisse", status_code=303)


@post("/u/{code:str}/loeschen", include_in_schema=False, status_code=200)
async def delete_form(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """Delete the survey from its results page; the box must be ticked."""
    svc = services(request)
    state = await find(request, code)
    if state is None:
        return not_found(svc, request)
    lang = pick_language(request.cookies.get(LANG_COOKIE), state.definition.language)
    form = await request.form()
    if not await is_moderator(request, state) or not form_allowed(
        request, svc.signer, svc.base_url, form.get(CSRF_FIELD)
    ):
        return render(svc, lang, "message.html", 403, title=message(lang, "not_allowed"), text="")
    if form.get("confirm") != "yes":
        return Redirect(f"/u/{state.created.code}/ergebnisse", status_code=303)
    await survey_store(request).delete(state.created.code, time.time_ns() // 1_000_000)
    await survey_changed(request, state.created.event)
    return render(
        svc, lang, "message.html", 200, title=gettext(lang, "The survey has been deleted."), text=""
    )


CHARTED = frozenset(
    {
        Kind.SINGLE,
        Kind.MULTIPLE,
        Kind.SCALE,
        Kind.REGION,
        Kind.ORGANISATION,
        Kind.POSTCODE,
        Kind.DATE,
    }
)


@get("/u/{code:str}/ergebnisse/{question:str}", include_in_schema=False)
async def chart_file(
    request: AnyRequest, code: FromPath[str], question: FromPath[str]
) -> Response[Any]:
    """One question's bars as an SVG file (``…/ergebnisse/topics.svg``), for the report."""
    svc = services(request)
    state = await find(request, code)
    qid = question.removesuffix(".svg")
    q = state.definition.question(qid) if state is not None else None
    if state is None or q is None or q.kind not in CHARTED or q.personal:
        return not_found(svc, request)
    if not await is_moderator(request, state):
        lang = page_lang(request, state.definition)
        return render(svc, lang, "message.html", 403, title=message(lang, "bad_token"), text="")
    lang = pick_language(request.cookies.get(LANG_COOKIE), state.definition.language)
    result = question_result(q, state.answers())
    labels = option_labels(lang, q)
    counts = shown_counts(q, result)
    chart = bar_chart(
        [(labels.get(c.key, c.label), float(c.count)) for c in counts], of=result.answered
    )
    body = svc.renderer.render(
        lang, "surveys/chart.svg", chart=chart, title=q.text, answered=result.answered
    )
    return Response(
        body,
        media_type="image/svg+xml",
        headers={"content-disposition": f'inline; filename="{state.created.code}-{qid}.svg"'},
    )


ROUTES.append(change_period_form)
ROUTES.append(chart_file)
ROUTES.append(delete_form)
