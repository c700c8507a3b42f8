"""The café on paper, and the table cards' QR codes.

Table cards carry a QR code to ``/t/CODE/<table>``: scanning it joins the
event (if need be) and checks the person in at that table. Assignment lists
are for people without a smartphone: printed, by surname, one page a round
and one a table (``server/cafe_print.py``).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath
from litestar.response import Redirect

from rooms import views
from rooms.base import Actor, Role
from rooms.cafe.domain import CheckIn, check_in_cid
from rooms.cafe.views import plan_people
from server.cafe_print import printed_lists
from server.i18n import gettext, reason_text
from server.pages import (
    console_denied,
    html,
    is_moderator,
    message_page,
    page_language,
    participant_of,
    room_of,
    table_hint,
)
from server.qr import qr_svg
from server.services import services

AnyRequest = Request[Any, Any, Any]


def table_url(base_join_url: str, code: str, table: str) -> str:
    return f"{base_join_url.rsplit('/j/', 1)[0]}/t/{code}/{table}"


@get("/console/{code:str}/cafe/cards", include_in_schema=False)
async def table_cards(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    svc = services(request)
    hub = await room_of(svc, code)
    lang = page_language(request, hub)
    if not is_moderator(request, hub):
        return console_denied(svc, lang)
    ev = views.public_view(hub.state, 0)
    base = svc.join_url(hub.code)
    cards = [
        (t, qr_svg(table_url(base, hub.code, t.id)), table_url(base, hub.code, t.id))
        for t in (ev.cafe.tables if ev.cafe else [])
    ]
    # People who cannot scan type the address and the code: both are printed.
    address = base.rsplit("/j/", 1)[0].split("://", 1)[-1]
    return html(svc, lang, "cafe/print-cards.html", ev=ev, cards=cards, address=address)


@get("/console/{code:str}/cafe/lists", include_in_schema=False)
async def assignment_lists(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    svc = services(request)
    hub = await room_of(svc, code)
    lang = page_language(request, hub)
    if not is_moderator(request, hub):
        return console_denied(svc, lang)
    ev = views.public_view(hub.state, 0)
    people = plan_people(hub.state.cafe, hub.state.lobby)
    tables = [(t.number, t.host_name) for t in (ev.cafe.tables if ev.cafe else [])]
    lists = printed_lists(people, tables, len(ev.cafe.rounds) if ev.cafe else 0)
    return html(svc, lang, "cafe/print-lists.html", ev=ev, lists=lists)


@get("/t/{code:str}/{table:str}", include_in_schema=False)
async def check_in(request: AnyRequest, code: FromPath[str], table: FromPath[str]) -> Response[Any]:
    """A scanned table card: join first if need be, then sit down at this table."""
    svc = services(request)
    hub = await room_of(svc, code)
    lang = page_language(request, hub)
    pid = participant_of(svc, request, hub)
    if pid is None:
        hint = table_hint(table)  # joins first, then comes back here to sit down
        return Redirect(f"/j/{hub.code}" + (f"?table={hint}" if hint else ""), status_code=303)
    cid = check_in_cid(hub.state.cafe, table)
    result = await hub.submit(Actor(Role.PARTICIPANT, pid), CheckIn(table[:8]), cid)
    if not result.ok:
        return message_page(
            svc,
            lang,
            409,
            gettext(lang, "World Café"),
            reason_text(lang, result.reason) or "",
            rejoin=f"/p/{hub.code}",
        )
    return Redirect(f"/p/{hub.code}", status_code=303)
