"""The report of the golden room, byte for byte as it was recorded.

The report's sections come from the activities (``Activity.report`` in the
registry); moving a section into its activity's package must not change a
byte of any file. The golden log (tests/data/golden, every activity at
once) is replayed, and its report rendered as the page (the PDF's HTML),
the Markdown summary and every table's CSV (the XLSX sheets hold the same
tables), in German and English, at a fixed time; so is a second room for
what the golden log predates (an agenda with carried prompts, the chain
from critique to action, Q&A and the speaker list, built as in
loadtests/agenda_console.py). They are compared with
``every_activity.report.json``, recorded from the code before the move::

    .venv/bin/python -m tests.server.test_report_golden   # records it again
"""

from __future__ import annotations

import json
from pathlib import Path

from loadtests.agenda_console import build
from rooms.actions.domain import CreateAction
from rooms.base import Actor, Role
from rooms.qna.domain import AskQuestion, Upvote
from rooms.room import RoomState, replay
from rooms.speakers.domain import NextSpeaker, RequestToSpeak
from server.render import Renderer
from server.report.files import NoSuchTable, spreadsheet
from server.report.make import Request, render_html, render_markdown, report_of
from server.report.tables import ACTIVITIES
from tests.rooms.golden.record import stored_log

RECORDED = Path(__file__).resolve().parents[1] / "data" / "golden" / "every_activity.report.json"
NOW = 1_764_511_200_000  # 2025-11-30 15:00 in Berlin
TIMEZONE = "Europe/Berlin"


def agenda_room() -> RoomState:
    """An agenda of six phases with carried prompts, an action from a prompt, questions, turns."""
    room, pids, _ = build(phases=6, people=12)
    mod = Actor(Role.MODERATOR)
    asker, voter = (Actor(Role.PARTICIPANT, pid) for pid in pids[:2])
    room.do(asker, AskQuestion(session="s1", text="Wer bezahlt den Umbau?"))
    room.do(voter, Upvote(question="q1"))
    room.do(asker, RequestToSpeak())
    room.do(voter, RequestToSpeak(direct=False))
    room.do(mod, NextSpeaker())
    room.clock += 95_000
    room.do(mod, NextSpeaker())
    room.clock += 30_000
    room.do(mod, NextSpeaker())
    cluster = next(iter(room.state.ideas.by_id["b1"].clusters))  # carried into prompts
    room.do(mod, CreateAction(title="Runder Tisch", what="Einladen", source=cluster))
    return room.state


def files() -> dict[str, str]:
    """Every file of both rooms' reports, by room, language and name."""
    renderer = Renderer()
    out: dict[str, str] = {}
    for name, state in (("golden", replay(stored_log())), ("agenda", agenda_room())):
        for key, text in room_files(renderer, state).items():
            out[f"{name}/{key}"] = text
    return out


def room_files(renderer: Renderer, state: RoomState) -> dict[str, str]:
    online = sorted(state.lobby.participants)[:3]
    out: dict[str, str] = {}
    for lang in ("de", "en"):
        report = report_of(state, online, lang, Request(None, True), NOW)
        out[f"{lang}/page.html"] = render_html(renderer, report, lang, TIMEZONE, controls=False)
        out[f"{lang}/summary.md"] = render_markdown(renderer, report, lang, TIMEZONE)
        for key in ACTIVITIES:
            try:
                body = spreadsheet(report, lang, TIMEZONE, "csv", key)
            except NoSuchTable:  # a table the golden room has nothing for
                continue
            out[f"{lang}/{key}.csv"] = body.decode("utf-8-sig")
    return out


def test_the_golden_reports_files_are_what_was_recorded() -> None:
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    now = files()
    assert sorted(now) == sorted(recorded)
    for name, text in recorded.items():
        assert now[name] == text, name


if __name__ == "__main__":
    RECORDED.write_text(json.dumps(files(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"recorded {RECORDED}")
