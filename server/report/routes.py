"""The report's HTTP routes: the page in the console, and the same files for the API.

- ``GET /console/{code}/report``: the report as a page (moderator cookie),
  with the section ticks, the downloads and print CSS.
- ``GET /console/{code}/report.{pdf,xlsx,json,md}``, ``…/csv/{activity}.csv``:
  the console's buttons (moderator cookie).
- ``GET /api/events/{code}/report.{pdf,xlsx,json,md}``, ``…/csv/{activity}.csv``:
  the same files with ``Authorization: Bearer <moderator token>``.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

from litestar import get, post
from litestar.datastructures import UploadFile
from litestar.enums import MediaType
from litestar.params import FromPath
from litestar.response import Redirect, Response

from rooms.report.build import SECTIONS
from server.api import ApiError, bearer, require_event
from server.auth import key_matches
from server.headers import content_security_policy
from server.hub import Hub
from server.i18n import gettext, reason_text
from server.pages import (
    AnyRequest,
    console_denied,
    console_form,
    html,
    is_admin,
    is_moderator,
    message_page,
    page_language,
    room_of,
)
from server.report import logo
from server.report.files import KINDS, File, NoSuchTable, produce
from server.report.format import Formatter
from server.report.make import Request, now_ms, render_context, report_of, snapshot
from server.report.tables import ACTIVITIES, tables
from server.report.writers import pdf_problem
from server.services import Services, services

FILES = ("pdf", "xlsx", "json", "md")


def may_read(svc: Services, request: AnyRequest, hub: Hub) -> bool:
    """The event's moderators, and the admin (the overview links every event's report)."""
    return is_moderator(request, hub) or is_admin(svc, request)


def asked_for(request: AnyRequest) -> Request:
    """The sections ticked (``?section=polls&section=cafe``; none given: all) and ``answers=1``."""
    ticked = request.query_params.getall("section", [])
    return Request(
        frozenset(ticked) if ticked else None, request.query_params.get("answers") == "1"
    )


def query_of(asked: Request) -> str:
    pairs = [("section", s) for s in SECTIONS if asked.sections is None or s in asked.sections]
    if asked.answers:
        pairs.append(("answers", "1"))
    return urlencode(pairs)


def pdf_help(lang: str) -> str:
    return gettext(
        lang,
        "PDF files need WeasyPrint's system libraries (Pango), which this server lacks. "
        "On Debian or Ubuntu, run “sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0” "
        "(or “make setup” as root) and restart. Until then, print this page to PDF in the browser.",
    )


def download(file: File) -> Response[bytes]:
    return Response(
        file.body,
        media_type=file.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file.name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def make_file(
    svc: Services, hub: Hub, lang: str, kind: str, asked: Request, activity: str | None = None
) -> Response[Any]:
    if kind == "pdf" and pdf_problem() is not None:
        return Response(
            pdf_help(lang),
            status_code=503,
            media_type=MediaType.TEXT,
            headers={"Retry-After": "3600"},
        )
    try:
        return download(await produce(svc, hub, lang, kind, asked, activity))
    except NoSuchTable:
        return Response(
            gettext(lang, "This event has no such activity."),
            status_code=404,
            media_type=MediaType.TEXT,
        )


def _kind_of(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def _activity_of(name: str) -> str | None:
    stem, dot, ext = name.rpartition(".")
    return stem if dot and ext == "csv" and stem in ACTIVITIES else None


# --- the console: moderator cookie ----------------------------------------


@get("/console/{code:str}/report", include_in_schema=False)
async def report_page(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    svc = services(request)
    hub = await room_of(svc, code)
    lang = page_language(request, hub)
    if not may_read(svc, request, hub):
        return console_denied(svc, lang)
    asked = asked_for(request)
    state = snapshot(hub.state)
    report = report_of(state, hub.online, lang, asked, now_ms())
    whole = report_of(state, hub.online, lang, Request(None, True), now_ms())
    f = Formatter(lang, svc.settings.timezone)
    csv_links = [(t.key, t.title) for t in tables(whole, lang, f)]
    page = html(
        svc,
        lang,
        "report/page.html",
        controls=True,
        all_sections=SECTIONS,
        ticked=asked.sections if asked.sections is not None else frozenset(SECTIONS),
        answers=asked.answers,
        query=query_of(asked),
        csv_links=csv_links,
        pdf_ready=pdf_problem() is None,
        pdf_help=pdf_help(lang),
        logo=logo.data_uri(svc.settings.data_path, hub.code),
        **render_context(report, lang, svc.settings.timezone),
    )
    # The report's CSS is inline (the same HTML is a download and the PDF's source).
    csp = content_security_policy(request.headers.get("host", ""), inline_styles=True)
    page.headers["Content-Security-Policy"] = csp
    return page


@get(
    [f"/console/{{code:str}}/report.{kind}" for kind in FILES],
    include_in_schema=False,
)
async def console_file(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    svc = services(request)
    hub = await room_of(svc, code)
    lang = page_language(request, hub)
    if not may_read(svc, request, hub):
        return console_denied(svc, lang)
    return await make_file(svc, hub, lang, _kind_of(request.url.path), asked_for(request))


@get("/console/{code:str}/csv/{name:str}", include_in_schema=False)
async def console_csv(
    request: AnyRequest, code: FromPath[str], name: FromPath[str]
) -> Response[Any]:
    svc = services(request)
    hub = await room_of(svc, code)
    lang = page_language(request, hub)
    if not may_read(svc, request, hub):
        return console_denied(svc, lang)
    activity = _activity_of(name)
    if activity is None:
        return Response("", status_code=404)
    return await make_file(svc, hub, lang, "csv", Request(), activity)


# --- the API: moderator token as Bearer -------------------------------------


async def moderated_event(request: AnyRequest, code: str) -> Hub:
    svc = services(request)
    hub = await require_event(svc, code)
    token = bearer(request)
    if token is None:
        raise ApiError(401, "not_allowed")
    if not key_matches(token, hub.state.lobby.moderator_key_hash):
        raise ApiError(403, "bad_token")
    return hub


def event_language(request: AnyRequest, hub: Hub) -> str:
    """Files are in the event's language unless ``?lang=`` asks otherwise."""
    return (
        page_language(request, hub)
        if request.query_params.get("lang")
        else (hub.state.lobby.language.value)
    )


@get([f"/api/events/{{code:str}}/report.{kind}" for kind in FILES], tags=["reports"])
async def api_file(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """The event's documentation: PDF, XLSX workbook, anonymised JSON event file, Markdown.

    Moderator token as Bearer. ``?section=…`` (repeatable) limits the PDF and
    Markdown to the ticked sections; ``?answers=1`` lists every text answer.
    """
    hub = await moderated_event(request, code)
    svc = services(request)
    kind = _kind_of(request.url.path)
    assert kind in KINDS
    return await make_file(svc, hub, event_language(request, hub), kind, asked_for(request))


@get("/api/events/{code:str}/csv/{name:str}", tags=["reports"])
async def api_csv(request: AnyRequest, code: FromPath[str], name: FromPath[str]) -> Response[Any]:
    """One activity as CSV (``participation``, ``polls``, ``answers``, ``ideas``, ``dots``,
    ``cafe``, ``questions``, ``speakers``, ``speaking_time``, ``actions``, ``agenda``,
    ``chain``): UTF-8 with BOM; in
    German ``;``-separated with decimal commas."""
    hub = await moderated_event(request, code)
    activity = _activity_of(name)
    if activity is None:
        raise ApiError(404, "unknown_activity")
    svc = services(request)
    return await make_file(svc, hub, event_language(request, hub), "csv", Request(), activity)


@post("/console/{code:str}/logo", include_in_schema=False, status_code=303)
async def upload_logo(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """The moderator's logo for the report's cover (PNG or JPEG, at most 1 MB; see
    :mod:`server.report.logo`); ``remove=1`` takes it off again."""
    checked = await console_form(request, code)
    if isinstance(checked, Response):
        return checked
    svc, hub, lang, form = checked
    if form.get("remove"):
        logo.remove(svc.settings.data_path, hub.code)
        return Redirect(f"/console/{hub.code}#report-panel", status_code=303)
    upload = form.get("logo")
    try:
        if not isinstance(upload, UploadFile):
            raise logo.LogoRefused("logo_missing")
        data = await upload.read(logo.MAX_BYTES + 1)
        png = await asyncio.to_thread(logo.clean, data)  # decoding is CPU: off the loop
    except logo.LogoRefused as refused:
        return message_page(
            svc,
            lang,
            422,
            gettext(lang, "Logo not saved"),
            reason_text(lang, refused.reason) or "",
            back=f"/console/{hub.code}#report-panel",
        )
    await asyncio.to_thread(logo.store, svc.settings.data_path, hub.code, png)
    return Redirect(f"/console/{hub.code}#report-panel", status_code=303)


ROUTES = [report_page, console_file, console_csv, api_file, api_csv, upload_logo]
