"""Making a report for a room: build it (core), render it (Jinja), off the event loop.

``snapshot`` copies the room's state on the loop (msgpack round trip,
~1 ms per 1,000 people), so the worker thread reads a state that no vote
changes under it; everything after that runs in a thread.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection
from typing import Any

import msgspec

from rooms.report.build import build_report
from rooms.report.model import Report
from rooms.room import RoomState
from server.render import Renderer
from server.report.format import Formatter
from server.report.labels import (
    alternate_label,
    format_label,
    kind_label,
    org_labels,
    phase_status,
    question_status,
    section_title,
    shown_label,
)

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(RoomState).decode


class Request(msgspec.Struct, frozen=True):
    """What the moderator asked for: sections ticked (None: all), text answers listed."""

    sections: frozenset[str] | None = None
    answers: bool = False


def snapshot(state: RoomState) -> RoomState:
    """A private copy of the state, without the cid outcomes (not needed for a report)."""
    outcomes = state.outcomes
    state.outcomes = {}
    try:
        return _decode(_encode(state))
    finally:
        state.outcomes = outcomes


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def report_of(
    state: RoomState, online: Collection[str], lang: str, asked: Request, now: int
) -> Report:
    return build_report(state, online, now, org_labels(lang), asked.sections, asked.answers)


def render_context(report: Report, lang: str, timezone: str) -> dict[str, Any]:
    """Everything the report templates read besides the report."""
    return {
        "report": report,
        "f": Formatter(lang, timezone),
        "kind_label": lambda kind: kind_label(lang, kind),
        "format_label": lambda value: format_label(lang, value),
        "section_title": lambda key: section_title(lang, key),
        "status_label": lambda status: question_status(lang, status),
        "alternate_label": lambda value: alternate_label(lang, value),
        "phase_status": lambda status: phase_status(lang, status),
        "shown_label": lambda a: shown_label(lang, a.kind, a.name),
    }


_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|<>])")


def md(text: str) -> str:
    """Participants' text in Markdown: one line, its markup characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def render_markdown(renderer: Renderer, report: Report, lang: str, timezone: str) -> str:
    text = renderer.render(
        lang, "report/summary.md", md=md, **render_context(report, lang, timezone)
    )
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_html(renderer: Renderer, report: Report, lang: str, timezone: str, **extra: Any) -> str:
    return renderer.render(
        lang, "report/page.html", **render_context(report, lang, timezone), **extra
    )
