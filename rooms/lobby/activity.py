"""The lobby as an activity: the event itself, its participants, the projector's mode.

Every other activity builds on the lobby (its participants, whether the
event exists), so the room asks it first; its own view fields are the
header of every view and are built in ``rooms/views.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, get_args

import msgspec

from rooms.activity import (
    ONLINE,
    Context,
    Followup,
    Fragment,
    Panel,
    ReportSection,
    ScreenGuard,
    always,
)
from rooms.base import N_, Rejected
from rooms.lobby import domain
from rooms.lobby.report import build_participation

if TYPE_CHECKING:
    from rooms.activities import RoomState


class LobbyActivity:
    name = "lobby"
    writes: tuple[str, ...] = ("lobby",)
    reads: tuple[str, ...] = ()
    commands: tuple[type[msgspec.Struct], ...] = get_args(domain.LobbyCommand)
    # Creating an event, re-keying and joining go through their own HTTP routes.
    client_commands: tuple[type[msgspec.Struct], ...] = (
        domain.Rename,
        domain.Leave,
        domain.ShowOnScreen,
        domain.CloseEvent,
        domain.ReopenEvent,
        domain.LockJoining,
    )
    events: tuple[type[msgspec.Struct], ...] = get_args(domain.LobbyEvent)
    followups: Mapping[type[msgspec.Struct], Followup] = {}
    screens: Mapping[str, ScreenGuard] = {
        domain.ScreenMode.WELCOME: always,
        domain.ScreenMode.BLANK: always,
    }
    stages: Mapping[str, str] = {}  # laid out by templates/lobby/stage.html
    assets: tuple[str, ...] = ()
    report: tuple[ReportSection, ...] = (
        ReportSection(
            "participation",
            N_("Participation"),
            10,
            build_participation,
            (("participation", N_("Participation")),),
        ),
    )
    panels: tuple[Panel, ...] = (
        Panel("people-panel", N_("Participants"), "lobby/console-panel.html", 20, css="col-people"),
    )
    fragments: Mapping[str, tuple[Fragment, ...]] = {
        "phone": (
            Fragment("phone-status", "lobby/phone-status.html", 20, reads=("polls",)),
            Fragment("me", "lobby/me.html", 90, personal=True),
        ),
        "console": (
            Fragment("console-status", "lobby/console-status.html", 10),
            Fragment("people", "lobby/people.html", 20, reads=(ONLINE,)),
        ),
        "screen": (Fragment("stage", "lobby/stage.html", 10, follows_screen=True),),
    }
    reasons: Mapping[str, str] = {}  # its refusals' texts are still in server/i18n.py
    view_fields: tuple[tuple[str, Any, Any], ...] = ()
    personal_fields: tuple[tuple[str, Any, Any], ...] = ()

    def decide(self, room: RoomState, command: Any, ctx: Context) -> list[Any] | Rejected:
        if isinstance(command, domain.ShowOnScreen):
            from rooms.activities import SCREEN_GUARDS  # the registry imports this module

            guard = SCREEN_GUARDS.get(command.what)
            if guard is None:  # no activity shows this on the projector
                return Rejected("bad_message")
            refused = guard(room, command)
            if refused is not None:
                return refused
        return domain.decide(room.lobby, command, ctx.actor, ctx.limits)

    def apply(self, room: RoomState, event: Any, ctx: Context) -> set[str]:
        return domain.apply(room.lobby, event, ctx.now, ctx.limits)

    def created_id(self, event: Any) -> str | None:
        return event.participant if isinstance(event, domain.ParticipantJoined) else None

    def view(self, room: RoomState, audience: str) -> dict[str, Any]:
        return {}

    def personal(
        self, room: RoomState, participant: str, pseudonyms: Mapping[str, str]
    ) -> dict[str, Any]:
        return {}


LOBBY = LobbyActivity()
