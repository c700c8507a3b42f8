"""Polls as an activity: registration with the room, the wire and the pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from rooms.activity import REQUIRED, Context, Followup, Fragment, Panel, ScreenGuard
from rooms.base import N_, Rejected
from rooms.lobby.domain import ScreenMode
from rooms.polls import domain
from rooms.polls.domain import Ballot
from rooms.polls.views import PollView, my_ballots, poll_views

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
    commands: tuple[type[msgspec.Struct], ...] = domain.POLL_COMMAND_TYPES
    client_commands = commands
    events: tuple[type[msgspec.Struct], ...] = domain.POLL_EVENT_TYPES
    followups: Mapping[type[msgspec.Struct], Followup] = {}
    screens: Mapping[str, ScreenGuard] = {ScreenMode.POLL: _may_show}
    stages: Mapping[str, str] = {}  # laid out by templates/lobby/stage.html
    panels: tuple[Panel, ...] = (
        Panel("polls-panel", N_("Polls"), "polls/console-panel.html", 10, css="col-main"),
    )
    fragments: Mapping[str, tuple[Fragment, ...]] = {
        "phone": (
            Fragment("phone-polls", "polls/phone-polls.html", 30),
            Fragment("phone-results", "polls/phone-results.html", 40),
        ),
        "console": (Fragment("console-polls", "polls/console-polls.html", 30),),
    }
    reasons: Mapping[str, str] = {}  # its refusals' texts are still in server/i18n.py
    view_fields: tuple[tuple[str, Any, Any], ...] = (("polls", list[PollView], REQUIRED),)
    personal_fields: tuple[tuple[str, Any, Any], ...] = (
        ("ballots", dict[str, Ballot], REQUIRED),  # poll id -> my current ballot
    )

    def decide(self, room: RoomState, command: Any, ctx: Context) -> list[Any] | Rejected:
        return domain.decide(room.polls, room.lobby, command, ctx.actor, ctx.limits)

    def apply(self, room: RoomState, event: Any, ctx: Context) -> set[str]:
        return domain.apply(room.polls, room.lobby, event)

    def created_id(self, event: Any) -> str | None:
        return event.poll if isinstance(event, domain.PollCreated) else None

    def view(self, room: RoomState, audience: str) -> dict[str, Any]:
        return {"polls": poll_views(room.polls, room.lobby, audience)}

    def personal(self, room: RoomState, participant: str) -> dict[str, Any]:
        return {"ballots": my_ballots(room.polls, participant)}


POLLS = PollsActivity()
