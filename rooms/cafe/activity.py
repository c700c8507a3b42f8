"""The World Café as an activity: registration with the room, the wire and the pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from rooms.activity import Context, Followup, Fragment, Panel, ReportSection, ScreenGuard
from rooms.base import N_, Rejected
from rooms.cafe import domain
from rooms.cafe.report import build_cafe
from rooms.cafe.views import CafeView, MyCafe, cafe_view, my_cafe
from rooms.lobby.domain import ScreenMode, ScreenShown

if TYPE_CHECKING:
    from rooms.activities import RoomState


def _may_show(room: RoomState, command: Any) -> Rejected | None:
    return None if room.cafe.created else Rejected("cafe_missing")


def _round_takes_the_screen(room: RoomState, command: Any) -> list[Any]:
    """A round that starts is what the room looks at: the projector shows the tables."""
    return [] if room.lobby.screen == ScreenMode.CAFE else [ScreenShown(ScreenMode.CAFE)]


class CafeActivity:
    name = "cafe"
    writes: tuple[str, ...] = ("cafe",)
    reads: tuple[str, ...] = ("lobby",)  # who sits where, by name and organisation
    commands: tuple[type[msgspec.Struct], ...] = domain.CAFE_COMMAND_TYPES
    client_commands = commands
    events: tuple[type[msgspec.Struct], ...] = domain.CAFE_EVENT_TYPES
    followups: Mapping[type[msgspec.Struct], Followup] = {
        domain.StartRound: _round_takes_the_screen
    }
    screens: Mapping[str, ScreenGuard] = {ScreenMode.CAFE: _may_show}
    stages: Mapping[str, str] = {}  # laid out by templates/lobby/stage.html
    assets: tuple[str, ...] = ("cafe.css", "cafe.js")
    report: tuple[ReportSection, ...] = (
        ReportSection("cafe", N_("World Café"), 50, build_cafe, (("cafe", N_("World Café")),)),
    )
    panels: tuple[Panel, ...] = (
        Panel(
            "cafe-panel", N_("World Café"), "cafe/console-panel.html", 60,
            css="col-main cafe-panel", lead_format="world_cafe",
        ),
    )  # fmt: skip
    fragments: Mapping[str, tuple[Fragment, ...]] = {
        "phone": (Fragment("cafe-me", "cafe/cafe-me.html", 10, personal=True),),
        "console": (Fragment("console-cafe", "cafe/console-cafe.html", 40, reads=("lobby",)),),
    }
    reasons: Mapping[str, str] = {}  # its refusals' texts are still in server/i18n.py
    view_fields: tuple[tuple[str, Any, Any], ...] = (("cafe", CafeView | None, None),)
    personal_fields: tuple[tuple[str, Any, Any], ...] = (("cafe", MyCafe | None, None),)

    def decide(self, room: RoomState, command: Any, ctx: Context) -> list[Any] | Rejected:
        return domain.decide(room.cafe, room.lobby, command, ctx.actor, ctx.now, ctx.limits)

    def apply(self, room: RoomState, event: Any, ctx: Context) -> set[str]:
        return domain.apply(room.cafe, room.lobby, event)

    def created_id(self, event: Any) -> str | None:
        return None

    def view(self, room: RoomState, audience: str) -> dict[str, Any]:
        return {"cafe": cafe_view(room.cafe, room.lobby, moderator=audience == "moderator")}

    def personal(
        self, room: RoomState, participant: str, pseudonyms: Mapping[str, str]
    ) -> dict[str, Any]:
        return {"cafe": my_cafe(room.cafe, participant)}


CAFE = CafeActivity()
