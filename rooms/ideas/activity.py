"""Idea boards (cards, clusters, dots) as an activity: registration with the room, wire, pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from rooms.activity import (
    REQUIRED,
    Context,
    Followup,
    Fragment,
    Panel,
    ReportSection,
    ScreenGuard,
    always,
)
from rooms.base import N_, Rejected
from rooms.ideas import domain, undo
from rooms.ideas.report import build_boards
from rooms.ideas.views import BoardView, MyIdeas, board_views, my_ideas
from rooms.lobby.domain import ScreenMode, ScreenShown
from rooms.undo import UndoView

if TYPE_CHECKING:
    from rooms.activities import RoomState


def _board_takes_the_screen(room: RoomState, command: Any) -> list[Any]:
    """Showing a board means the projector shows boards."""
    return [] if room.lobby.screen == ScreenMode.IDEAS else [ScreenShown(ScreenMode.IDEAS, None)]


class IdeasActivity:
    name = "ideas"
    writes: tuple[str, ...] = ("ideas",)
    reads: tuple[str, ...] = ("lobby",)  # authors' names
    commands: tuple[type[msgspec.Struct], ...] = (*domain.IDEAS_COMMAND_TYPES, undo.UndoBoard)
    client_commands = commands
    events: tuple[type[msgspec.Struct], ...] = (*domain.IDEAS_EVENT_TYPES, undo.BoardRestored)
    followups: Mapping[type[msgspec.Struct], Followup] = {domain.ShowBoard: _board_takes_the_screen}
    screens: Mapping[str, ScreenGuard] = {ScreenMode.IDEAS: always}
    stages: Mapping[str, str] = {}  # laid out by templates/lobby/stage.html
    assets: tuple[str, ...] = ("ideas.css", "ideas.js")
    report: tuple[ReportSection, ...] = (
        ReportSection(
            "boards",
            N_("Idea boards"),
            40,
            build_boards,
            (("ideas", N_("Idea cards")), ("dots", N_("Dot ranking"))),
        ),
    )
    panels: tuple[Panel, ...] = (
        Panel(
            "ideas-panel",
            N_("Idea boards"),
            "ideas/console-panel.html",
            30,
            css="col-wide ideas-panel",
        ),
    )
    fragments: Mapping[str, tuple[Fragment, ...]] = {
        "phone": (
            Fragment("phone-ideas", "ideas/phone-ideas.html", 50),
            Fragment("phone-ideas-me", "ideas/phone-ideas-me.html", 55, personal=True),
            Fragment("phone-wall", "ideas/phone-wall.html", 60),
        ),
        # Reads the lobby for authors' names, which a join leaves alone: cached.
        "console": (
            Fragment(
                "console-ideas", "ideas/console-ideas.html", 50, reads=("lobby",), cached=True
            ),
        ),
    }
    reasons: Mapping[str, str] = {}  # its refusals' texts are still in server/i18n.py
    view_fields: tuple[tuple[str, Any, Any], ...] = (
        ("boards", list[BoardView], REQUIRED),
        ("ideas_undo", list[UndoView], REQUIRED),  # moderator only; empty for the others
    )
    # My cards, dots and action sign-ups.
    personal_fields: tuple[tuple[str, Any, Any], ...] = (("ideas", MyIdeas, REQUIRED),)

    def decide(self, room: RoomState, command: Any, ctx: Context) -> list[Any] | Rejected:
        if isinstance(command, undo.UndoBoard):
            return undo.decide(room.ideas, command, ctx.actor)
        return domain.decide(room.ideas, room.lobby, command, ctx.actor, ctx.now, ctx.limits)

    def apply(self, room: RoomState, event: Any, ctx: Context) -> set[str]:
        if isinstance(event, undo.BoardRestored):
            return undo.restore(room.ideas, event)
        board = undo.moved_board(room.ideas, event)
        if board is None:
            return domain.apply(room.ideas, room.lobby, event, ctx.limits)
        kept = undo.before_move(board, event)
        touched = domain.apply(room.ideas, room.lobby, event, ctx.limits)
        undo.record(room.ideas, board, event, kept, room.seq, ctx.now)
        return touched

    def created_id(self, event: Any) -> str | None:
        if isinstance(event, domain.BoardCreated):
            return event.board
        if isinstance(event, domain.IdeaPosted):
            return event.idea
        if isinstance(event, domain.ClusterCreated):
            return event.cluster
        return None

    def view(self, room: RoomState, audience: str) -> dict[str, Any]:
        return {
            "boards": board_views(room.ideas, audience, room.lobby),
            "ideas_undo": undo.undo_views(room.ideas, audience),
        }

    def personal(
        self, room: RoomState, participant: str, pseudonyms: Mapping[str, str]
    ) -> dict[str, Any]:
        return {"ideas": my_ideas(room.ideas, room.actions, participant)}


IDEAS = IdeasActivity()
