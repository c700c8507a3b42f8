"""The admin's overview of every event: date, region, format, participants, report link.

Filtered by region and year (``/admin?region=…&year=…``) and downloadable as
one XLSX (``/admin/events.xlsx``), the inventory of events across the model
regions. Counts come from each room's state; the admin sees no names.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import get
from litestar.response import Response

from rooms import views
from server.i18n import gettext
from server.pages import AnyRequest, is_admin, message_page, page_language
from server.report.labels import format_label
from server.report.tables import Cell, Table
from server.report.writers import xlsx_bytes
from server.services import Services, services


class OverviewRow(msgspec.Struct, frozen=True):
    view: views.View  # the public view (rooms/views.py builds its Struct from the registry)
    links: Any  # server.links.Links
    region: str | None
    year: int | None
    joined_ever: int
    peak: int
    created_at: int


class Filters(msgspec.Struct, frozen=True):
    region: str | None = None
    year: int | None = None


def filters_of(request: AnyRequest) -> Filters:
    region = (request.query_params.get("region") or "").strip() or None
    raw_year = request.query_params.get("year") or ""
    year = int(raw_year) if raw_year.isdigit() else None
    return Filters(region, year)


def _year(date: str | None, created_at: int) -> int | None:
    if date:
        try:
            return dt.date.fromisoformat(date).year
        except ValueError:
            pass
    return dt.datetime.fromtimestamp(created_at / 1000, dt.UTC).year if created_at else None


async def overview(svc: Services) -> list[OverviewRow]:
    """Every event, newest first."""
    rows = []
    for code in await svc.rooms.store.rooms():
        hub = await svc.rooms.get(code)
        if hub is None:
            continue
        lobby = hub.state.lobby
        rows.append(
            OverviewRow(
                view=views.public_view(hub.state, len(hub.online)),
                links=svc.links(code),
                region=lobby.details.region,
                year=_year(lobby.date, lobby.created_at),
                joined_ever=len(lobby.participants),
                peak=lobby.peak,
                created_at=lobby.created_at,
            )
        )
    rows.reverse()
    return rows


def matching(rows: list[OverviewRow], filters: Filters) -> list[OverviewRow]:
    return [
        r
        for r in rows
        if (filters.region is None or (r.region or "").casefold() == filters.region.casefold())
        and (filters.year is None or r.year == filters.year)
    ]


def overview_table(rows: list[OverviewRow], lang: str) -> Table:
    _ = lambda s: gettext(lang, s)  # noqa: E731
    body: list[list[Cell]] = []
    for r in rows:
        day: Cell = None
        if r.view.date:
            try:
                day = dt.date.fromisoformat(r.view.date)
            except ValueError:
                day = r.view.date
        body.append(
            [r.view.code, r.view.title, day, r.region, format_label(lang, r.view.format),
             r.joined_ever, r.view.participants.joined, r.peak,
             _("Closed") if r.view.status == "closed" else _("Open")]
        )  # fmt: skip
    headers = [_("Code"), _("Title"), _("Date"), _("Region"), _("Format"), _("Joined in all"),
               _("Taking part"), _("Most at once"), _("Status")]  # fmt: skip
    return Table("events", _("Events"), headers, body)


@get("/admin/events.xlsx", include_in_schema=False)
async def overview_xlsx(request: AnyRequest) -> Response[Any]:
    svc = services(request)
    lang = page_language(request)
    if not is_admin(svc, request):
        return message_page(svc, lang, 401, gettext(lang, "Admin link needed"), "")
    rows = matching(await overview(svc), filters_of(request))
    body = xlsx_bytes([overview_table(rows, lang)], lang)
    label = gettext(lang, "events-file-name")
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="dialograum-{label}.xlsx"',
            "Cache-Control": "no-store",
        },
    )


def regions_of(rows: list[OverviewRow]) -> list[str]:
    return sorted({r.region for r in rows if r.region}, key=str.casefold)


def years_of(rows: list[OverviewRow]) -> list[int]:
    return sorted({r.year for r in rows if r.year}, reverse=True)
