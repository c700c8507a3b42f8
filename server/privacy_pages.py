"""The deletion routes: a participant's own data, everyone's personal data, the whole event.

- phone: ``POST /p/{code}/erase`` ("Meine Daten löschen");
- console: ``POST /console/{code}/erase`` (personal data now) and
  ``POST /console/{code}/delete`` (the whole event, after typing its code);
- API: ``POST /api/events/{code}/redact`` and ``DELETE /api/events/{code}``
  with the moderator token as Bearer.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import delete, post
from litestar.params import FromPath
from litestar.response import Redirect, Response

from rooms.base import Actor, Role
from rooms.codes import normalise_code
from server.api import ApiError
from server.auth import participant_cookie
from server.csrf import FIELD as CSRF_FIELD
from server.i18n import gettext, reason_text
from server.pages import (
    AnyRequest,
    console_form,
    cookie,
    form_ok,
    form_refused,
    message_page,
    page_language,
    participant_of,
    room_of,
)
from server.privacy import delete_event, erase_everyone, erase_participant
from server.report.routes import moderated_event
from server.services import services
from server.wire import CID_LENGTH


class Redacted(msgspec.Struct):
    ok: bool
    code: str


def _form_cid(value: object) -> str | None:
    """The erase form's cid if it is one the socket would take (``wire.CID_LENGTH``).

    Else none: the erasure goes ahead without resend protection (erasing
    twice changes nothing), rather than refusing someone who asked to be
    forgotten, or handing the room a key longer than any command carries.
    """
    if isinstance(value, str) and 0 < len(value) <= CID_LENGTH:
        return value
    return None


@post("/p/{code:str}/erase", include_in_schema=False, status_code=200)
async def erase_mine(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    svc = services(request)
    hub = await room_of(svc, code)
    lang = page_language(request, hub)
    form = await request.form()
    if not form_ok(svc, request, form.get(CSRF_FIELD)):
        return form_refused(svc, request, lang, f"/p/{hub.code}")
    pid = participant_of(svc, request, hub)
    if pid is not None:
        result = await erase_participant(svc, hub, pid, _form_cid(form.get("cid")))
        if not result.ok:
            return message_page(
                svc, lang, 503, hub.state.lobby.title, reason_text(lang, result.reason) or ""
            )
    response = message_page(
        svc,
        lang,
        200,
        hub.state.lobby.title,
        gettext(
            lang,
            "Your data has been deleted: your name, your signatures on cards and your "
            "names and contacts on actions. Your anonymous votes and cards still count.",
        ),
    )
    response.cookies.append(cookie(svc, participant_cookie(hub.code), "", max_age=0))
    return response


@post("/console/{code:str}/erase", include_in_schema=False, status_code=303)
async def erase_all_page(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    checked = await console_form(request, code)
    if isinstance(checked, Response):
        return checked
    svc, hub, lang = checked.svc, checked.hub, checked.lang
    result = await erase_everyone(svc, hub, Actor(Role.MODERATOR))
    if not result.ok:
        return message_page(
            svc, lang, 503, hub.state.lobby.title, reason_text(lang, result.reason) or ""
        )
    return Redirect(f"/console/{hub.code}", status_code=303)


@post("/console/{code:str}/delete", include_in_schema=False, status_code=200)
async def delete_page(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    checked = await console_form(request, code)
    if isinstance(checked, Response):
        return checked
    svc, hub, lang, form = checked
    typed = normalise_code(str(form.get("confirm") or ""))
    title = hub.state.lobby.title
    if typed != hub.code:
        return message_page(
            svc,
            lang,
            422,
            gettext(lang, "Not deleted"),
            gettext(lang, "The code you typed does not match. The event was not deleted."),
        )
    await delete_event(svc, hub.code)
    return message_page(
        svc, lang, 200, title, gettext(lang, "The event and all its data have been deleted.")
    )


@post("/api/events/{code:str}/redact", tags=["events"], status_code=200)
async def redact_api(request: AnyRequest, code: FromPath[str]) -> Redacted:
    """Delete every participant's personal data now (moderator token as Bearer).

    Names, contacts and participant ids leave the state and the stored log;
    the anonymous results stay, and the event is closed.
    """
    hub = await moderated_event(request, code)
    result = await erase_everyone(services(request), hub, Actor(Role.MODERATOR))
    if not result.ok:
        raise ApiError(503, result.reason or "store_unavailable")
    return Redacted(True, hub.code)


@delete("/api/events/{code:str}", tags=["events"], status_code=204)
async def delete_api(request: AnyRequest, code: FromPath[str]) -> None:
    """Delete the whole event and its log (moderator token as Bearer)."""
    hub = await moderated_event(request, code)
    await delete_event(services(request), hub.code)


ROUTES = [erase_mine, erase_all_page, delete_page, redact_api, delete_api]
