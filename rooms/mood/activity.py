"""The mood meter as an activity: everything the room, the wire and the pages need.

This file is the whole registration: the room dispatches ``mood.set`` here,
the wire decodes it, the phone, console and projector include the fragments
and the panel named below, and the refusal text joins the catalog. Outside
``rooms/mood/`` and ``templates/mood/`` only the registry
(``rooms/activities.py``: ``ACTIVITIES`` and the ``RoomState`` field) and the
catalog (``locale/``) change.
"""

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
from rooms.mood import domain
from rooms.mood.views import MoodView, mood_view, my_mood

if TYPE_CHECKING:
    from rooms.activities import RoomState

SCREEN = "mood"
"""The projector mode: the distribution as one big row of five bars."""


class MoodActivity:
    name = "mood"
    writes: tuple[str, ...] = ("mood",)
    reads: tuple[str, ...] = ("lobby",)  # only the present count
    commands: tuple[type[msgspec.Struct], ...] = domain.MOOD_COMMAND_TYPES
    client_commands = commands
    events: tuple[type[msgspec.Struct], ...] = domain.MOOD_EVENT_TYPES
    followups: Mapping[type[msgspec.Struct], Followup] = {}
    screens: Mapping[str, ScreenGuard] = {SCREEN: always}
    stages: Mapping[str, str] = {SCREEN: "mood/screen.html"}
    assets: tuple[str, ...] = ()
    report: tuple[ReportSection, ...] = ()
    panels: tuple[Panel, ...] = (
        Panel("mood-panel", N_("Mood meter"), "mood/console-panel.html", 70, css="col-main"),
    )
    fragments: Mapping[str, tuple[Fragment, ...]] = {
        "phone": (Fragment("phone-mood-me", "mood/phone-mood-me.html", 80, personal=True),),
        "console": (Fragment("console-mood", "mood/console-mood.html", 70, reads=("lobby",)),),
    }
    reasons: Mapping[str, str] = {
        "mood_invalid": N_("Please choose a mood from 1 to 5."),
    }
    view_fields: tuple[tuple[str, Any, Any], ...] = (("mood", MoodView, REQUIRED),)
    personal_fields: tuple[tuple[str, Any, Any], ...] = (("mood", int | None, None),)

    def decide(self, room: RoomState, command: Any, ctx: Context) -> list[Any] | Rejected:
        return domain.decide(room.mood, room.lobby, command, ctx.actor)

    def apply(self, room: RoomState, event: Any, ctx: Context) -> set[str]:
        return domain.apply(room.mood, event)

    def created_id(self, event: Any) -> str | None:
        return None

    def view(self, room: RoomState, audience: str) -> dict[str, Any]:
        return {"mood": mood_view(room.mood, room.lobby)}

    def personal(
        self, room: RoomState, participant: str, pseudonyms: Mapping[str, str]
    ) -> dict[str, Any]:
        return {"mood": my_mood(room.mood, participant)}


MOOD = MoodActivity()
