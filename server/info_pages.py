"""The accessibility statement, barrier reports, and taking part explained in Leichte Sprache.

BITV 2.0 asks public bodies (and organisations funded mostly with public
money, as many regional dialogues are) for an "Erklärung zur Barrierefreiheit"
reachable from every page, with a way to report a barrier, and for the key
content in Leichte Sprache. A barrier report is appended to
``<data_dir>/barrier_reports.jsonl`` for the operator (and logged), and the
statement names the contact from ``DIALOGRAUM_ACCESSIBILITY_CONTACT`` if set.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import msgspec
from litestar import Request, Response, get, post

from server.pages import html, page_language
from server.services import services

AnyRequest = Request[Any, Any, Any]
log = logging.getLogger("dialograum.barriers")

REPORT_LENGTH = 2000
PAGE_LENGTH = 300
CONTACT_LENGTH = 120


class BarrierReport(msgspec.Struct):
    text: str = ""
    page: str = ""
    contact: str = ""


def store_report(data_dir: Path, report: BarrierReport, now_s: float) -> None:
    """Append one report as a JSON line: the operator reads them, nothing else does."""
    data_dir.mkdir(parents=True, exist_ok=True)
    line = json.dumps(
        {"at": round(now_s), "page": report.page, "text": report.text, "contact": report.contact},
        ensure_ascii=False,
    )
    with (data_dir / "barrier_reports.jsonl").open("a", encoding="utf-8") as out:
        out.write(line + "\n")


@get("/barrierefreiheit", include_in_schema=False)
async def accessibility(request: AnyRequest) -> Response[str]:
    svc = services(request)
    lang = page_language(request)
    page = request.query_params.get("page", "")[:PAGE_LENGTH]
    contact = svc.settings.accessibility_contact
    return html(svc, lang, "accessibility.html", contact=contact, page=page, sent=False)


@post("/barrierefreiheit", include_in_schema=False, status_code=200)
async def report_barrier(request: AnyRequest) -> Response[str]:
    svc = services(request)
    lang = page_language(request)
    raw = {k: str(v) for k, v in (await request.form()).items()}
    report = BarrierReport(
        text=raw.get("text", "").strip()[:REPORT_LENGTH],
        page=raw.get("page", "").strip()[:PAGE_LENGTH],
        contact=raw.get("contact", "").strip()[:CONTACT_LENGTH],
    )
    ok = bool(report.text)
    if ok:
        store_report(svc.settings.data_path, report, time.time())
        log.warning("barrier reported on %s", report.page or "(no page)")
    return html(
        svc,
        lang,
        "accessibility.html",
        status=200 if ok else 422,
        contact=svc.settings.accessibility_contact,
        page=report.page,
        sent=ok,
        empty=not ok,
    )


@get("/leichte-sprache", include_in_schema=False)
async def easy_language(request: AnyRequest) -> Response[str]:
    svc = services(request)
    return html(svc, page_language(request), "easy_language.html")
