"""The HTML pages: start, join, phone, console, poster, screen, admin.

Handlers decode the request, ask the hub, and render. Live updates then
arrive over each page's WebSocket (see :mod:`server.live`).
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any, Literal

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.enums import MediaType
from litestar.params import FromPath
from litestar.response import Redirect

from rooms import views
from rooms.base import Actor, Role
from rooms.codes import normalise_code
from rooms.lobby.domain import (
    ChangeModeratorKey,
    EventDetails,
    Format,
    Join,
    Language,
    Leave,
    OrganisationType,
)
from server.auth import (
    ADMIN_COOKIE,
    LANG_COOKIE,
    key_hash,
    key_matches,
    moderator_cookie,
    new_key,
    new_participant_id,
    participant_cookie,
)
from server.csrf import FIELD as CSRF_FIELD
from server.csrf import FormGuard, client_id, form_allowed, join_actor
from server.headers import content_security_policy
from server.hub import Hub
from server.i18n import LANGUAGES, from_accept_language, gettext, pick_language, reason_text
from server.present import PAGE_FRAGMENTS, PANEL_ACTIVITY, panels_for
from server.qr import qr_svg
from server.report.logo import path_of as logo_path
from server.retention import privacy_info
from server.services import Services, client_ip, services
from server.stores.base import StoreError
from server.toolbox import Library, build_from_template
from server.wire import ErrorResponse

log = logging.getLogger("dialograum")

AnyRequest = Request[Any, Any, Any]
YEAR = 365 * 24 * 3600


def page_language(request: AnyRequest, hub: Hub | None = None) -> str:
    event_lang = hub.state.lobby.language.value if hub is not None else None
    return pick_language(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        event_lang,
        from_accept_language(request.headers.get("accept-language")),
    )


def html(svc: Services, lang: str, template: str, status: int = 200, **ctx: Any) -> Response[str]:
    body = svc.renderer.render(lang, template, **ctx)
    return Response(
        body,
        status_code=status,
        media_type=MediaType.HTML,
        headers={
            "Cache-Control": "no-store",
            # Secret links must not leak to other sites via Referer. Not "no-referrer":
            # with it, browsers send "Origin: null" on our own form posts (server/csrf.py).
            "Referrer-Policy": "same-origin",
            "X-Content-Type-Options": "nosniff",
        },
    )


def cookie(
    svc: Services,
    key: str,
    value: str,
    max_age: int | None = YEAR,
    samesite: Literal["lax", "strict"] = "strict",
) -> Cookie:
    return Cookie(
        key=key,
        value=value,
        path="/",
        max_age=max_age,
        httponly=True,
        samesite=samesite,
        secure=svc.settings.cookie_secure,
    )


def participant_cookie_for(svc: Services, code: str, token: str, max_age: int = YEAR) -> Cookie:
    """Lax, so a phone that follows a link from another site (mail, chat) keeps its
    identity. What Strict protected against is covered otherwise: every form
    checks its origin and token (server/csrf.py), every socket its Origin.
    """
    return cookie(svc, participant_cookie(code), token, max_age, samesite="lax")


def form_guard(svc: Services, request: AnyRequest) -> FormGuard:
    """The form token for this request's page; one client id per request."""
    guard = request.scope.get("dg_form_guard")
    if not isinstance(guard, FormGuard):
        guard = FormGuard(svc.signer, request, svc.settings.cookie_secure)
        request.scope["dg_form_guard"] = guard  # type: ignore[typeddict-unknown-key]
    return guard


def with_form_guard(request: AnyRequest, response: Response[Any]) -> None:
    """Hand this browser a client id, if it had none, for the form tokens of a page."""
    guard = request.scope.get("dg_form_guard")
    if isinstance(guard, FormGuard) and guard.cookie is not None:
        response.cookies.append(guard.cookie)


def form_ok(svc: Services, request: AnyRequest, sent: object) -> bool:
    return form_allowed(request, svc.signer, svc.base_url, sent)


def form_refused(svc: Services, request: AnyRequest, lang: str, back: str) -> Response[str]:
    """A form from another site, or with a stale token: nothing was done; try again here."""
    form_guard(svc, request)
    response = message_page(
        svc,
        lang,
        403,
        gettext(lang, "Nothing was changed"),
        gettext(
            lang,
            "This form did not come from this page, or it is too old. For your safety "
            "nothing was changed. Please open the page again and try once more.",
        ),
        back=back,
    )
    with_form_guard(request, response)
    return response


def message_page(
    svc: Services, lang: str, status: int, title: str, text: str, **ctx: Any
) -> Response[str]:
    return html(svc, lang, "message.html", status, title=title, text=text, **ctx)


def follow(svc: Services, lang: str, target: str, cookies: list[Cookie]) -> Response[str]:
    """Set cookies, then move on by a same-site navigation.

    A plain redirect would arrive without the new SameSite=Strict cookie
    when the link was opened from another site (mail, chat): browsers treat
    that redirect chain as cross-site. A page that refreshes itself is not.
    """
    response = html(svc, lang, "follow.html", target=target)
    response.cookies.extend(cookies)
    return response


async def find_event(svc: Services, raw_code: str) -> tuple[str | None, Hub | None]:
    code = normalise_code(raw_code)
    if code is None:
        return None, None
    return code, await svc.rooms.get(code)


class NoSuchEvent(Exception):
    """A page was asked for an event code that names no event."""


async def room_of(svc: Services, code: str) -> Hub:
    """The room behind a page's code; pages for unknown codes end in the start page."""
    hub = await svc.rooms.get(code)
    if hub is None:
        raise NoSuchEvent(code)
    return hub


def no_such_event_page(request: AnyRequest, exc: NoSuchEvent) -> Response[str]:
    return unknown_event(services(request), page_language(request))


def store_unavailable_page(request: AnyRequest, exc: StoreError) -> Response[Any]:
    """The store (Redis) cannot be reached: say so plainly, in the log and on the page.

    503, so a load balancer may try another worker; the page reloads itself,
    so a console left open comes back by itself when Redis does.
    """
    svc = services(request)
    log.warning("%s: answered 503, the event store is unavailable: %s", request.url.path, exc)
    lang = page_language(request)
    if request.url.path.startswith("/api/"):
        text = reason_text(lang, "store_unavailable") or "store_unavailable"
        return Response(
            ErrorResponse(503, text, "store_unavailable"),
            status_code=503,
            headers={"Retry-After": "5"},
        )
    response = message_page(
        svc,
        lang,
        503,
        gettext(lang, "Dialograum is not ready"),
        gettext(
            lang,
            "The server cannot reach its database (Redis). It keeps trying and this page "
            "reloads by itself. If this lasts, please tell the technical team.",
        ),
        refresh=10,
    )
    response.headers["Retry-After"] = "5"
    return response


def unknown_event(svc: Services, lang: str, typed: str = "") -> Response[str]:
    """The start page again, with what was typed, so a typo can be seen and fixed."""
    error = gettext(lang, "We do not know this code. Please check it against the screen.")
    return html(svc, lang, "start.html", 404, error=error, code=typed[:20])


def participant_of(svc: Services, request: AnyRequest, hub: Hub) -> str | None:
    """The participant this browser is, if it joined this event and has not left."""
    token = request.cookies.get(participant_cookie(hub.code))
    pid = svc.signer.participant_from(hub.code, token)
    if pid is None:
        return None
    return pid if hub.state.lobby.is_present(pid) else None


def is_moderator(request: AnyRequest, hub: Hub) -> bool:
    key = request.cookies.get(moderator_cookie(hub.code))
    return key_matches(key, hub.state.lobby.moderator_key_hash)


# --- start and join -------------------------------------------------------


@get("/", include_in_schema=False)
async def start(request: AnyRequest) -> Response[Any]:
    svc = services(request)
    lang = page_language(request)
    raw = request.query_params.get("code")
    if raw is None:
        return html(svc, lang, "start.html", code="", error=None)
    code, hub = await find_event(svc, raw)
    if code is None:
        error = gettext(lang, "A code has six letters and digits, for example KXR-7PM.")
        return html(svc, lang, "start.html", 422, code=raw[:20], error=error)
    if hub is None:
        return unknown_event(svc, lang, raw)
    return Redirect(f"/j/{code}", status_code=303)


@get("/j/{raw_code:str}", include_in_schema=False)
async def join_form(request: AnyRequest, raw_code: FromPath[str]) -> Response[Any]:
    svc = services(request)
    code, hub = await find_event(svc, raw_code)
    if code is not None and code != raw_code:
        return Redirect(f"/j/{code}", status_code=303)
    if hub is None:
        return unknown_event(svc, page_language(request))
    lang = page_language(request, hub)
    table = table_hint(request.query_params.get("table"))
    if participant_of(svc, request, hub) is not None:
        return Redirect(after_join(hub.code, table), status_code=303)
    if hub.state.lobby.closed:
        return closed_page(svc, lang, hub)
    return join_page(svc, request, lang, hub, table=table)


_TABLE_ID = re.compile(r"^t\d{1,4}$")


def table_hint(raw: object) -> str | None:
    """A café table id carried from a scanned table card through the join form."""
    return raw if isinstance(raw, str) and _TABLE_ID.match(raw) else None


def after_join(code: str, table: str | None) -> str:
    """Where a new participant goes: their phone, or first the table card they scanned."""
    return f"/t/{code}/{table}" if table else f"/p/{code}"


def closed_page(svc: Services, lang: str, hub: Hub) -> Response[str]:
    return message_page(
        svc,
        lang,
        410,
        hub.state.lobby.title,
        gettext(lang, "This event has ended. Thank you for taking part!"),
    )


def join_page(
    svc: Services,
    request: AnyRequest,
    lang: str,
    hub: Hub,
    status: int = 200,
    error: str | None = None,
    name: str = "",
    organisation_type: str = "",
    cid: str | None = None,
    table: str | None = None,
) -> Response[str]:
    response = html(
        svc,
        lang,
        "phone/join.html",
        status,
        ev=views.public_view(hub.state, len(hub.online)),
        error=error,
        name=name,
        organisation_type=organisation_type,
        organisation_types=[t.value for t in OrganisationType],
        cid=cid if isinstance(cid, str) and _CID.match(cid) else secrets.token_hex(12),
        csrf=form_guard(svc, request).token,
        name_limit=40,
        table=table,
    )
    with_form_guard(request, response)
    return response


_CID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class JoinForm(msgspec.Struct):
    cid: str | None = None
    csrf: str | None = None
    table: str | None = None  # a scanned café table card, to check in after joining
    name: str | None = None
    organisation_type: OrganisationType | None = None


@post("/j/{code:str}", include_in_schema=False, status_code=303)
async def join_submit(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    svc = services(request)
    hub = await room_of(svc, code)
    lang = page_language(request, hub)
    raw = {k: v for k, v in (await request.form()).items() if v != ""}
    name = str(raw.get("name") or "")
    org = str(raw.get("organisation_type") or "")
    table = table_hint(raw.get("table"))
    client = client_id(request)
    if client is None or not form_ok(svc, request, raw.get(CSRF_FIELD)):
        # Another site's form, or a browser without our cookie: join nobody, and
        # give this browser a fresh form of its own (what was typed stays).
        error: str | None = gettext(
            lang, "For your safety, please press the button again on this page."
        )
        return join_page(svc, request, lang, hub, 403, error, name, org, None, table)
    try:
        form = msgspec.convert(raw, JoinForm, strict=False)
    except msgspec.ValidationError:
        error = gettext(lang, "Please choose one of the listed organisation types.")
        return join_page(svc, request, lang, hub, 422, error, name, "", raw.get("cid"), table)
    if form.cid is not None and not _CID.match(form.cid):
        error = reason_text(lang, "cid_invalid")
        return join_page(svc, request, lang, hub, 422, error, name, org, None, table)
    if (busy := svc.join_refusal(client_ip(request), hub.code)) is not None:
        error = reason_text(lang, busy)
        return join_page(svc, request, lang, hub, 429, error, name, org, form.cid, table)
    command = Join(new_participant_id(), form.name, form.organisation_type)
    result = await hub.submit(join_actor(svc.signer, hub.code, client), command, form.cid)
    if not result.ok or result.id is None:
        if result.reason == "event_closed":
            return closed_page(svc, lang, hub)
        error = reason_text(lang, result.reason)
        return join_page(svc, request, lang, hub, 422, error, name, org, form.cid, table)
    token = svc.signer.participant_token(hub.code, result.id)
    response: Response[Any] = Redirect(after_join(hub.code, table), status_code=303)
    response.cookies.append(participant_cookie_for(svc, hub.code, token))
    return response


@get("/p/{code:str}", include_in_schema=False)
async def phone(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    svc = services(request)
    hub = await room_of(svc, code)
    pid = participant_of(svc, request, hub)
    if pid is None:
        return Redirect(f"/j/{hub.code}", status_code=303)
    lang = page_language(request, hub)
    from server.surveys.console import open_surveys  # the surveys import the pages

    response = html(
        svc,
        lang,
        "phone/page.html",
        surveys=await open_surveys(request, svc, hub.code),
        ev=views.public_view(hub.state, len(hub.online), "participant"),
        me=views.me_view(hub.state, pid, hub.pseudonyms(pid)),
        seq=hub.state.seq,
        organisation_types=[t.value for t in OrganisationType],
        csrf=form_guard(svc, request).token,
        fragments=PAGE_FRAGMENTS["phone"],
        oob=False,
    )
    with_form_guard(request, response)
    return response


@post("/p/{code:str}/leave", include_in_schema=False, status_code=303)
async def leave(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    svc = services(request)
    hub = await room_of(svc, code)
    lang = page_language(request, hub)
    form = await request.form()
    if not form_ok(svc, request, form.get(CSRF_FIELD)):
        return form_refused(svc, request, lang, f"/p/{hub.code}")
    pid = participant_of(svc, request, hub)
    if pid is not None:
        cid = form.get("cid")
        cid = cid if isinstance(cid, str) and _CID.match(cid) else None
        await hub.submit(Actor(Role.PARTICIPANT, pid), Leave(), cid)
    response = message_page(
        svc,
        lang,
        200,
        hub.state.lobby.title,
        gettext(lang, "You have left the event. Your name is no longer shown."),
        rejoin=f"/j/{hub.code}",
    )
    response.cookies.append(participant_cookie_for(svc, hub.code, "", max_age=0))
    return response


@get("/lang/{lang:str}", include_in_schema=False)
async def switch_language(request: AnyRequest, lang: FromPath[str]) -> Response[Any]:
    svc = services(request)
    target = request.query_params.get("next", "/")
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    response: Response[Any] = Redirect(target, status_code=303)
    if lang in LANGUAGES:
        response.cookies.append(cookie(svc, LANG_COOKIE, lang))
    return response


# --- screen and QR --------------------------------------------------------


@get("/s/{code:str}", include_in_schema=False)
async def screen(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    svc = services(request)
    hub = await room_of(svc, code)
    lang = page_language(request, hub)
    page = html(
        svc,
        lang,
        "screen/page.html",
        ev=views.public_view(hub.state, len(hub.online)),
        seq=hub.state.seq,
        join_url=svc.join_url(hub.code),
        qr=qr_svg(svc.join_url(hub.code)),
        oob=False,
    )
    # The console shows the screen as a live preview in a frame of its own origin.
    page.headers["Content-Security-Policy"] = content_security_policy(
        request.headers.get("host", ""), framed_by_self=True
    )
    page.headers["X-Frame-Options"] = "SAMEORIGIN"
    return page


@get("/qr/{code:str}", include_in_schema=False)
async def qr_image(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    svc = services(request)
    hub = await svc.rooms.get(code)
    if hub is None:
        return Response("", status_code=404)
    return Response(qr_svg(svc.join_url(hub.code)), media_type="image/svg+xml")


# --- moderator ------------------------------------------------------------


@get("/m/{code:str}", include_in_schema=False)
async def moderator_link(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    svc = services(request)
    hub = await svc.rooms.get(code)
    lang = page_language(request, hub)
    key = request.query_params.get("key")
    if hub is None or not key_matches(key, hub.state.lobby.moderator_key_hash):
        return message_page(
            svc,
            lang,
            403,
            gettext(lang, "Link not valid"),
            gettext(lang, "This moderator link is not (or no longer) valid."),
        )
    assert key is not None
    return follow(svc, lang, f"/console/{hub.code}", [cookie(svc, moderator_cookie(hub.code), key)])


def console_denied(svc: Services, lang: str) -> Response[str]:
    return message_page(
        svc,
        lang,
        403,
        gettext(lang, "Moderator link needed"),
        gettext(lang, "Please open the console with the moderator link of this event."),
    )


@get("/console/{code:str}", include_in_schema=False)
async def console(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    svc = services(request)
    hub = await room_of(svc, code)
    lang = page_language(request, hub)
    if not is_moderator(request, hub):
        return console_denied(svc, lang)
    key = request.cookies.get(moderator_cookie(hub.code))
    ctx = svc.presenter.console_context(hub.state, hub.online)
    settings = svc.settings
    from server.surveys.console import event_surveys  # the surveys import the pages

    response = html(
        svc,
        lang,
        "console/page.html",
        privacy=privacy_info(hub.state.lobby, settings.retention_days, settings.timezone, lang),
        csrf=form_guard(svc, request).token,  # the deletion forms (server/privacy_pages.py)
        links=svc.links(hub.code, key),
        qr=qr_svg(svc.join_url(hub.code)),
        panels=panels_for(hub.state),
        panel_activity=PANEL_ACTIVITY,
        surveys=await event_surveys(request, svc, hub.code),
        has_logo=logo_path(settings.data_path, hub.code).exists(),
        oob=False,
        **ctx,
    )
    with_form_guard(request, response)
    return response


@get("/console/{code:str}/poster", include_in_schema=False)
async def poster(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    svc = services(request)
    hub = await room_of(svc, code)
    lang = page_language(request, hub)
    if not is_moderator(request, hub):
        return console_denied(svc, lang)
    return html(
        svc,
        lang,
        "console/poster.html",
        ev=views.public_view(hub.state, 0),
        join_url=svc.join_url(hub.code),
        qr=qr_svg(svc.join_url(hub.code)),
    )


# --- admin ----------------------------------------------------------------


def is_admin(svc: Services, request: AnyRequest) -> bool:
    token = request.cookies.get(ADMIN_COOKIE) or ""
    return secrets.compare_digest(token.encode(), svc.admin_token.encode())


@get("/admin/login", include_in_schema=False)
async def admin_login(request: AnyRequest) -> Response[Any]:
    svc = services(request)
    lang = page_language(request)
    token = request.query_params.get("token") or ""
    if not secrets.compare_digest(token.encode(), svc.admin_token.encode()):
        return message_page(
            svc,
            lang,
            403,
            gettext(lang, "Link not valid"),
            gettext(lang, "This admin link is not valid. Use the link the server printed."),
        )
    return follow(svc, lang, "/admin", [cookie(svc, ADMIN_COOKIE, token, max_age=None)])


async def admin_page(
    svc: Services,
    request: AnyRequest,
    lang: str,
    status: int = 200,
    error: str | None = None,
    **form: Any,
) -> Response[str]:
    from server import overview

    rows = await overview.overview(svc)
    filters = overview.filters_of(request)
    response = html(
        svc,
        lang,
        "admin/page.html",
        status,
        events=overview.matching(rows, filters),
        regions=overview.regions_of(rows),
        years=overview.years_of(rows),
        filters=filters,
        error=error,
        formats=[f.value for f in Format],
        templates=Library(svc.settings.data_path).all(),  # the Werkzeugkiste (server/toolbox.py)
        form={
            "template": "",
            "title": "",
            "format": "world_cafe",
            "language": lang,
            "date": "",
            "place": "",
            "organisers": "",
            "region": "",
            "retention_days": svc.settings.retention_days,
            **form,
        },
        csrf=form_guard(svc, request).token,
        new_link=None,
    )
    with_form_guard(request, response)
    return response


@get("/admin", include_in_schema=False)
async def admin(request: AnyRequest) -> Response[Any]:
    svc = services(request)
    lang = page_language(request)
    if not is_admin(svc, request):
        return message_page(
            svc,
            lang,
            401,
            gettext(lang, "Admin link needed"),
            gettext(lang, "Please open the admin link that the server printed at start."),
        )
    chosen = request.query_params.get("template") or ""  # "create an event from it" (library)
    return await admin_page(svc, request, lang, template=chosen)


class EventForm(msgspec.Struct):
    title: str = ""
    format: Format = Format.CUSTOM
    language: Language = Language.DE
    date: str | None = None
    place: str | None = None
    organisers: str | None = None
    region: str | None = None
    retention_days: int | None = None
    template: str | None = None  # a template's id: the event gets its agenda and drafts


@post("/admin/events", include_in_schema=False, status_code=303)
async def admin_create(request: AnyRequest) -> Response[Any]:
    svc = services(request)
    lang = page_language(request)
    if not is_admin(svc, request):
        return message_page(svc, lang, 401, gettext(lang, "Admin link needed"), "")
    raw = {k: v for k, v in (await request.form()).items() if v != ""}
    if not form_ok(svc, request, raw.pop(CSRF_FIELD, None)):
        return form_refused(svc, request, lang, "/admin")
    try:
        form = msgspec.convert(raw, EventForm, strict=False)
    except msgspec.ValidationError:
        error = gettext(lang, "Please check the format and the language.")
        return await admin_page(svc, request, lang, 422, error, **raw)
    template = None
    if form.template is not None:
        template = Library(svc.settings.data_path).get(form.template)
        if template is None:
            unknown = reason_text(lang, "template_not_found")
            return await admin_page(svc, request, lang, 422, unknown, **raw)
    key = new_key()
    details = EventDetails(
        place=form.place,
        organisers=form.organisers,
        region=form.region,
        retention_days=(
            svc.settings.retention_days if form.retention_days is None else form.retention_days
        ),
    )
    created = await svc.rooms.create_event(
        form.title or (template.name if template else ""),
        template.format if template else form.format,  # a template brings its own
        template.language if template else form.language,
        form.date,
        key_hash(key),
        details,
    )
    if not isinstance(created, str):
        return await admin_page(svc, request, lang, 422, reason_text(lang, created.reason), **raw)
    if template is not None:
        await build_from_template(await room_of(svc, created), template)
    return follow(svc, lang, f"/console/{created}", [cookie(svc, moderator_cookie(created), key)])


@post("/admin/events/{code:str}/rekey", include_in_schema=False, status_code=200)
async def admin_rekey(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    """A lost moderator link is replaced, never recovered: only its hash is stored."""
    svc = services(request)
    lang = page_language(request)
    if not is_admin(svc, request):
        return message_page(svc, lang, 401, gettext(lang, "Admin link needed"), "")
    form = await request.form()
    if not form_ok(svc, request, form.get(CSRF_FIELD)):
        return form_refused(svc, request, lang, "/admin")
    hub = await room_of(svc, code)
    key = new_key()
    result = await hub.submit(Actor(Role.ADMIN), ChangeModeratorKey(key_hash(key)), None)
    if not result.ok:
        return message_page(
            svc, lang, 503, gettext(lang, "Link not valid"), reason_text(lang, result.reason) or ""
        )
    response = html(
        svc,
        lang,
        "admin/new_link.html",
        ev=views.public_view(hub.state, len(hub.online)),
        links=svc.links(hub.code, key),
    )
    response.cookies.append(cookie(svc, moderator_cookie(hub.code), key))
    return response
