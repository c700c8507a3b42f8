"""The contacts export: the only file that carries the contacts of people who joined actions.

It is separate from every other export and named as personal data, so that
whoever downloads it knows what they hold (GDPR: purpose limitation). Only
a moderator of the event may download it; it is never cached.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from litestar import get
from litestar.params import FromPath
from litestar.response import Response

from rooms import views
from server.i18n import gettext
from server.pages import AnyRequest, console_denied, is_moderator, page_language, room_of
from server.services import services


def cell(text: str) -> str:
    """Participants typed these: a leading = + - @ would run as a spreadsheet formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def contacts_csv(state: Any, lang: str) -> str:
    """One row per person and action: action, name, contact, when they joined (UTC)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            gettext(lang, "Action"),
            gettext(lang, "Owner"),
            gettext(lang, "Name"),
            gettext(lang, "Contact"),
            gettext(lang, "Joined at (UTC)"),
        ]
    )
    for action in views.moderator_view(state, frozenset()).actions:
        for m in action.members or []:
            when = dt.datetime.fromtimestamp(m.at / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M")
            row = [action.title, action.owner, m.name, m.contact or ""]
            writer.writerow([cell(text) for text in row] + [when])
    return out.getvalue()


@get("/console/{code:str}/contacts.csv", include_in_schema=False)
async def contacts(request: AnyRequest, code: FromPath[str]) -> Response[Any]:
    svc = services(request)
    hub = await room_of(svc, code)
    lang = page_language(request, hub)
    if not is_moderator(request, hub):
        return console_denied(svc, lang)
    label = gettext(lang, "contacts-personal-data")  # says what the file holds
    name = f"{hub.code}-{label}.csv"
    return Response(
        "\ufeff" + contacts_csv(hub.state, lang),  # BOM: spreadsheet apps read it as UTF-8
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
