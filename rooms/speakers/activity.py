"""The speaker list as an activity: registration with the room, the wire and the pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from rooms.activity import REQUIRED, Context, Followup, Fragment, ScreenGuard
from rooms.base import Rejected
from rooms.lobby.domain import ScreenMode, ScreenShown
from rooms.speakers import domain
from rooms.speakers.views import MySpeakers, SpeakersView, my_speakers, speakers_view

if TYPE_CHECKING:
    from rooms.activities import RoomState


def _always(room: RoomState, command: Any) -> Rejected | None:
    return None


def _turn_takes_the_screen(room: RoomState, command: Any) -> list[Any]:
    """Calling a speaker puts the speaker list (name, countdown) on the projector."""
    if room.lobby.screen is ScreenMode.SPEAKERS or not domain.speaking_order(room.speakers):
        return []
    return [ScreenShown(ScreenMode.SPEAKERS, None)]


class SpeakersActivity:
    name = "speakers"
    commands: tuple[type[msgspec.Struct], ...] = domain.SPEAKER_COMMAND_TYPES
    client_commands = commands
    events: tuple[type[msgspec.Struct], ...] = domain.SPEAKER_EVENT_TYPES
    followups: Mapping[type[msgspec.Struct], Followup] = {
        domain.NextSpeaker: _turn_takes_the_screen
    }
    screens: Mapping[str, ScreenGuard] = {ScreenMode.SPEAKERS: _always}
    fragments: Mapping[str, tuple[Fragment, ...]] = {
        "phone": (
            Fragment("phone-speakers", "speakers/phone-speakers.html", 66),
            Fragment("phone-speakers-me", "speakers/phone-speakers-me.html", 65, personal=True),
        ),
        "console": (Fragment("console-speakers", "speakers/console-speakers.html", 45),),
    }
    view_fields: tuple[tuple[str, Any, Any], ...] = (("speakers", SpeakersView, REQUIRED),)
    personal_fields: tuple[tuple[str, Any, Any], ...] = (("speakers", MySpeakers, REQUIRED),)

    def decide(self, room: RoomState, command: Any, ctx: Context) -> list[Any] | Rejected:
        return domain.decide(room.speakers, room.lobby, command, ctx.actor, ctx.now, ctx.limits)

    def apply(self, room: RoomState, event: Any, ctx: Context) -> set[str]:
        return domain.apply(room.speakers, room.lobby, event)

    def created_id(self, event: Any) -> str | None:
        return event.entry if isinstance(event, domain.SpeakerRequested) else None

    def view(self, room: RoomState, audience: str) -> dict[str, Any]:
        return {"speakers": speakers_view(room.speakers, audience)}

    def personal(self, room: RoomState, participant: str) -> dict[str, Any]:
        return {"speakers": my_speakers(room.speakers, participant)}


SPEAKERS = SpeakersActivity()
