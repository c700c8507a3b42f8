"""Producing one report file for a room: which file, in which language, and off the loop.

The state is copied on the event loop (:func:`server.report.make.snapshot`),
then the report is built, rendered and written in a worker thread; a PDF's
layout, the one long step, runs in a separate process (:func:`lay_out`). At
most two reports are made at a time per worker, so moderators clicking
"PDF" together cannot take every core from the rooms.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import secrets
from functools import partial
from typing import Any

import msgspec

from rooms.privacy.redact import participant_ids, scrub_plain
from rooms.report.model import Report
from rooms.room import RoomState
from server.hub import Hub
from server.i18n import gettext
from server.render import Renderer
from server.report import logo
from server.report.format import Formatter
from server.report.make import Request, now_ms, render_html, render_markdown, report_of, snapshot
from server.report.tables import table, tables
from server.report.writers import csv_bytes, pdf_bytes, xlsx_bytes
from server.services import Services
from server.transfer import FORMAT, VERSION, EventFile

KINDS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "md": "text/markdown",
    "csv": "text/csv",
}

_slots = asyncio.Semaphore(2)
_decode_plain = msgspec.json.Decoder(dict[str, Any]).decode
_encode = msgspec.json.Encoder().encode


class File(msgspec.Struct, frozen=True):
    body: bytes
    media_type: str
    name: str


class NoSuchTable(Exception):
    """The CSV of an activity the event does not have."""


def file_name(lang: str, code: str, kind: str, activity: str | None = None) -> str:
    label = gettext(lang, "report-file-name")  # Dokumentation / report
    if activity is not None:
        return f"{code}-{label}-{activity}.{kind}"
    return f"{code}-{label}.{kind}"


async def produce(
    svc: Services,
    hub: Hub,
    lang: str,
    kind: str,
    asked: Request,
    activity: str | None = None,
) -> File:
    """One file of the room's documentation, made off the event loop."""
    if kind == "json":
        raw = await svc.rooms.store.read(hub.code)
        body = await _in_thread(partial(anonymous_event_file, hub.code, raw))
        return File(body, KINDS[kind], file_name(lang, hub.code, kind))
    state = snapshot(hub.state)
    online = frozenset(hub.online)
    cover = logo.data_uri(svc.settings.data_path, hub.code) if kind == "pdf" else None
    work = partial(
        _make, svc.renderer, svc.settings.timezone, state, online, lang, kind, asked, activity,
        cover,
    )  # fmt: skip
    async with _slots:
        body = await asyncio.to_thread(work)
        if kind == "pdf":  # ``work`` made the HTML; the layout runs in another process
            body = await lay_out(body.decode())
    return File(body, KINDS[kind], file_name(lang, hub.code, kind, activity))


async def _in_thread(work: partial[bytes]) -> bytes:
    async with _slots:
        return await asyncio.to_thread(work)


_pool: concurrent.futures.ProcessPoolExecutor | None = None


def _pdf_pool() -> concurrent.futures.ProcessPoolExecutor:
    """One spawned process for PDF layout, started on the first PDF.

    WeasyPrint holds the GIL for the whole layout (~18 s of CPU for 1,000
    people, see docs/benchmarks.md); in a thread it would take that time
    from the room's event loop. Spawned, not forked: the server has threads.
    """
    global _pool
    if _pool is None:
        context = multiprocessing.get_context("spawn")
        _pool = concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context)
    return _pool


def shutdown_pdf_pool() -> None:
    """Stop the PDF process (the app's shutdown): an orphaned pool complains at exit."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None


async def lay_out(html: str) -> bytes:
    """The PDF of a report's HTML, laid out in the PDF process (a thread if it cannot start)."""
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_pdf_pool(), pdf_bytes, html)
    except (OSError, concurrent.futures.process.BrokenProcessPool):
        global _pool
        _pool = None
        return await asyncio.to_thread(pdf_bytes, html)


def _make(
    renderer: Renderer,
    timezone: str,
    state: RoomState,
    online: frozenset[str],
    lang: str,
    kind: str,
    asked: Request,
    activity: str | None,
    cover_logo: str | None = None,
) -> bytes:
    now = now_ms()
    if kind in ("xlsx", "csv"):
        # Spreadsheets always hold every section and every text answer.
        report = report_of(state, online, lang, Request(None, True), now)
        return spreadsheet(report, lang, timezone, kind, activity)
    report = report_of(state, online, lang, asked, now)
    if kind == "md":
        return render_markdown(renderer, report, lang, timezone).encode()
    html = render_html(renderer, report, lang, timezone, controls=False, logo=cover_logo)
    if kind == "pdf":
        return html.encode()  # laid out by the caller, in the PDF process
    raise ValueError(kind)


def spreadsheet(report: Report, lang: str, timezone: str, kind: str, activity: str | None) -> bytes:
    f = Formatter(lang, timezone)
    if kind == "xlsx":
        return xlsx_bytes(tables(report, lang, f), lang)
    one = table(report, lang, f, activity or "")
    if one is None:
        raise NoSuchTable(activity)
    return csv_bytes(one, lang)


def anonymous_event_file(code: str, raw: list[bytes]) -> bytes:
    """The event in the format of ``dialograum export``, without names, contacts or real ids.

    Every participant id is replaced by a fresh random one (consistently, so
    the file imports and replays to the same results), every name and
    contact removed. The full log with names leaves only through the
    command line, to whoever runs the server.
    """
    entries = [_decode_plain(r) for r in raw]
    pseudonyms = {pid: secrets.token_hex(8) for pid in participant_ids(entries)}
    for entry in entries:
        scrub_plain(entry, None, pseudonyms)
    document = EventFile(FORMAT, VERSION, code, [msgspec.Raw(_encode(e)) for e in entries])
    return _encode(document) + b"\n"
