"""The contacts export: the only file that carries the contacts of people who joined actions.

It is separate from every other export and named as personal data, so that
whoever downloads it knows what they hold (GDPR: purpose limitation). Only
a moderator of the event may download it; it is never cached.
"""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.params import FromPath
from litestar.response import Response

from rooms import views
from server.i18n import gettext
from server.pages import AnyRequest, console_denied, is_moderator, page_language, room_of
from server.report.format import Formatter
from server.report.tables import Cell, Table
from server.report.writers import csv_bytes
from server.services import services


def contacts_table(state: Any, lang: str, timezone: str) -> Table:
    """One row per person and action: action, owner, name, contact, when they joined.

    The times are local, with their offset, as in every other export; the file
    is written by the report's CSV writer (a BOM; in German ``;`` between fields).
    """
    fmt = Formatter(lang, timezone)
    rows: list[list[Cell]] = []
    for action in views.moderator_view(state, frozenset()).actions:
        for m in action.members or []:
            rows.append([action.title, action.owner, m.name, m.contact or "", fmt.local(m.at)])
    headers = [
        gettext(lang, "Action"),
        gettext(lang, "Owner"),
        gettext(lang, "Name"),
        gettext(lang, "Contact"),
        gettext(lang, "Joined at"),
    ]
    return Table("contacts", gettext(lang, "Contacts"), headers, rows)


@get("/console/{code:str}/contacts.csv", include_in_schema=False)
async def contacts(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    svc = services(request)
    hub = await room_of(svc, code)
    lang = page_language(request, hub)
    if not is_moderator(request, hub):
        return console_denied(svc, lang)
    label = gettext(lang, "contacts-personal-data")  # says what the file holds
    name = f"{hub.code}-{label}.csv"
    table = contacts_table(hub.state, lang, svc.settings.timezone)
    return Response(
        csv_bytes(table, lang),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
