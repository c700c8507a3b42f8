"""Polls as an activity: registration with the room, the wire and the pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from rooms.activity import (
    ONLINE,
    REQUIRED,
    Context,
    Followup,
    Fragment,
    Panel,
    ReportSection,
    ScreenGuard,
)
from rooms.base import N_, Rejected
from rooms.lobby.domain import ScreenMode
from rooms.polls import domain
from rooms.polls.domain import Ballot
from rooms.polls.limits import PollLimits
from rooms.polls.report import build_polls
from rooms.polls.views import PollView, my_ballots, poll_undo_views, poll_views
from rooms.undo import REASONS as UNDO_REASONS
from rooms.undo import UndoView

if TYPE_CHECKING:
    from rooms.activities import RoomState


def _may_show(room: RoomState, command: Any) -> Rejected | None:
    """Only a poll past its draft goes on the projector."""
    shown = room.polls.by_id.get(command.poll or "")
    if shown is None or shown.status is domain.PollStatus.DRAFT:
        return Rejected("poll_not_open")
    return None


class PollsActivity:
    name = "polls"
    writes: tuple[str, ...] = ("polls",)
    reads: tuple[str, ...] = ("lobby",)  # voters' names in a named poll's results
    commands: tuple[type[msgspec.Struct], ...] = domain.POLL_COMMAND_TYPES
    client_commands = commands
    events: tuple[type[msgspec.Struct], ...] = domain.POLL_EVENT_TYPES
    followups: Mapping[type[msgspec.Struct], Followup] = {}
    screens: Mapping[str, ScreenGuard] = {ScreenMode.POLL: _may_show}
    stages: Mapping[str, str] = {}  # laid out by templates/lobby/stage.html
    assets: tuple[str, ...] = ()
    report: tuple[ReportSection, ...] = (
        ReportSection(
            "polls",
            N_("Polls"),
            30,
            build_polls,
            (("polls", N_("Polls")), ("answers", N_("Text answers"))),
        ),
    )
    panels: tuple[Panel, ...] = (
        Panel("polls-panel", N_("Polls"), "polls/console-panel.html", 10, css="col-main"),
    )
    fragments: Mapping[str, tuple[Fragment, ...]] = {
        "phone": (
            Fragment("phone-polls", "polls/phone-polls.html", 30),
            Fragment("phone-results", "polls/phone-results.html", 40),
        ),
        "console": (
            Fragment("console-polls", "polls/console-polls.html", 30, reads=("lobby", ONLINE)),
            # The undo history of polls, boards and actions (rooms/undo.py), in the side column.
            Fragment("console-undo", "polls/console-undo.html", 5, reads=("ideas", "actions")),
        ),
    }
    # Its older refusals' texts are still in server/i18n.py; the undo texts of
    # all three undoing activities are given once, here, with its newer ones.
    reasons: Mapping[str, str] = {
        **UNDO_REASONS,
        "poll_sealed": N_("This poll is closed for good."),
        "pseudonym_missing": N_("Your vote could not be recorded. Please try again."),
    }
    view_fields: tuple[tuple[str, Any, Any], ...] = (
        ("polls", list[PollView], REQUIRED),
        ("poll_undo", list[UndoView], REQUIRED),  # moderator only; empty for the others
    )
    personal_fields: tuple[tuple[str, Any, Any], ...] = (
        ("ballots", dict[str, Ballot], REQUIRED),  # poll id -> my current ballot
    )

    def decide(self, room: RoomState, command: Any, ctx: Context) -> list[Any] | Rejected:
        return domain.decide(room.polls, room.lobby, command, ctx.actor, ctx.limits)

    def apply(self, room: RoomState, event: Any, ctx: Context) -> set[str]:
        return domain.apply(
            room.polls,
            room.lobby,
            event,
            seq=room.seq,
            at=ctx.now,
            max_polls=ctx.limits.polls.max_polls,
            author=ctx.actor.alias,
        )

    def created_id(self, event: Any) -> str | None:
        return event.poll if isinstance(event, domain.PollCreated) else None

    def view(self, room: RoomState, audience: str) -> dict[str, Any]:
        return {
            "polls": poll_views(room.polls, room.lobby, audience),
            "poll_undo": poll_undo_views(room.polls, audience, PollLimits().max_polls),
        }

    def personal(
        self, room: RoomState, participant: str, pseudonyms: Mapping[str, str]
    ) -> dict[str, Any]:
        return {"ballots": my_ballots(room.polls, participant, pseudonyms)}


POLLS = PollsActivity()
