"""The admin's survey page: every survey with its figures, and a new one from a template.

A survey is made here from one of the built-in templates (with its dates
and title), empty to build in the builder (server/surveys/builder.py), from
an uploaded definition file, or through the API (docs/api.md). The admin may open every survey's
results; an organiser opens them with the survey's own results link.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec
from litestar import get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Response

from rooms.surveys.definition import (
    DefinitionProblem,
    Survey,
    decode_survey,
    definition_problems,
    status,
)
from rooms.surveys.log import SurveyCreated, SurveyState
from rooms.surveys.templates import TEMPLATES, template
from server.auth import key_hash, new_key
from server.csrf import FIELD as CSRF_FIELD
from server.csrf import FormGuard, form_allowed
from server.i18n import gettext
from server.pages import is_admin, page_language
from server.services import services
from server.surveys.api import MAX_BODY
from server.surveys.common import BLANK, AnyRequest, blank_survey, message, survey_store
from server.surveys.pages import render
from server.surveys.store import today_here


class SurveyRow(msgspec.Struct, frozen=True):
    code: str
    title: str
    status: str
    starts: str | None
    ends: str | None
    responses: int
    drafts: int
    template: str | None


def row(state: SurveyState) -> SurveyRow:
    survey = state.definition
    return SurveyRow(
        state.created.code,
        survey.title,
        status(survey, today_here()),
        survey.starts,
        survey.ends,
        len(state.responses),
        len(state.drafts),
        state.created.template,
    )


async def admin_surveys_page(
    request: AnyRequest, status_code: int = 200, error: str | None = None, **form: Any
) -> Response[Any]:
    svc = services(request)
    lang = page_language(request)
    store = survey_store(request)
    rows = []
    for code in reversed(await store.codes()):
        state = await store.get(code)
        if state is not None:
            rows.append(row(state))
    guard = FormGuard(svc.signer, request, svc.base_url.startswith("https://"))
    page = render(
        svc,
        lang,
        "surveys/admin.html",
        status_code,
        rows=rows,
        templates=list(TEMPLATES),
        titles={name: make(lang).title for name, make in TEMPLATES.items()},
        csrf=guard.token,
        csrf_field=CSRF_FIELD,
        error=error,
        form=form,
        base=svc.base_url.rstrip("/"),
    )
    if guard.cookie is not None:
        page.cookies.append(guard.cookie)
    return page


@get("/admin/umfragen", include_in_schema=False)
async def admin_surveys(request: AnyRequest) -> Response[Any]:
    svc = services(request)
    lang = page_language(request)
    if not is_admin(svc, request):
        return render(
            svc, lang, "message.html", 401, title=gettext(lang, "Admin link needed"), text=""
        )
    return await admin_surveys_page(request)


@post("/admin/umfragen", include_in_schema=False, status_code=200)
async def admin_create_survey(request: AnyRequest) -> Response[Any]:
    """A survey from a template; then its results page, with the moderator key in a cookie."""
    svc = services(request)
    lang = page_language(request)
    if not is_admin(svc, request):
        return render(
            svc, lang, "message.html", 401, title=gettext(lang, "Admin link needed"), text=""
        )
    raw_form = await request.form()
    upload = raw_form.get("file")
    form = {k: v for k, v in raw_form.items() if isinstance(v, str)}
    if not form_allowed(request, svc.signer, svc.base_url, form.pop(CSRF_FIELD, None)):
        return render(svc, lang, "message.html", 403, title=message(lang, "not_allowed"), text="")
    if isinstance(upload, UploadFile) and upload.filename:
        # an own definition (a template adapted, or another survey's definition.json)
        imported = decode_survey((await upload.read())[:MAX_BODY])
        if isinstance(imported, DefinitionProblem):
            text = message(lang, imported.reason, field=imported.field)
            return await admin_surveys_page(request, 422, f"{text} ({imported.field})", **form)
        survey: Survey | None = imported
        name = None
    elif form.get("template") == BLANK:
        survey = blank_survey(form.get("language", "de"))
        name = None
    else:
        survey = template(form.get("template", ""), form.get("language", "de"))
        name = form.get("template")
    if survey is None:
        return await admin_surveys_page(request, 422, message(lang, "unknown_template"), **form)
    survey = msgspec.structs.replace(
        survey,
        title=form.get("title", "").strip() or survey.title,
        starts=form.get("starts") or survey.starts,
        ends=form.get("ends") or survey.ends,
    )
    problems = definition_problems(survey)
    if problems:
        return await admin_surveys_page(request, 422, message(lang, problems[0].reason), **form)
    key = new_key()
    now = time.time_ns() // 1_000_000
    created = await survey_store(request).create(
        lambda code: SurveyCreated(code, survey, key_hash(key), now, name)
    )
    page = "bearbeiten" if form.get("template") == BLANK else "ergebnisse"
    return Redirect(f"/u/{created.code}/{page}?key={key}", status_code=303)


@get("/api/surveys/templates/{name:str}", tags=["surveys"])
async def template_definition(request: AnyRequest, name: FromPath[str]) -> Response[Any]:
    """A built-in template as a definition (``?language=en``): adapt it and post it back."""
    survey = template(name, request.query_params.get("language") or "de")
    if survey is None:
        lang = page_language(request)
        return Response(
            {
                "status_code": 404,
                "detail": message(lang, "unknown_template"),
                "reason": "unknown_template",
            },
            status_code=404,
        )
    return Response(survey)


ROUTES = [admin_surveys, admin_create_survey, template_definition]
