"""The speaker list as an activity: registration with the room, the wire and the pages."""

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
from rooms.lobby.domain import ScreenShown
from rooms.speakers import domain
from rooms.speakers.report import build_speakers
from rooms.speakers.views import MySpeakers, SpeakersView, my_speakers, speakers_view

if TYPE_CHECKING:
    from rooms.activities import RoomState

SCREEN = "speakers"
"""The projector mode: the current speaker, the countdown, the next three names."""


def _turn_takes_the_screen(room: RoomState, command: Any) -> list[Any]:
    """Calling a speaker puts the speaker list (name, countdown) on the projector."""
    if room.lobby.screen == SCREEN or not domain.speaking_order(room.speakers):
        return []
    return [ScreenShown(SCREEN, None)]


class SpeakersActivity:
    name = "speakers"
    writes: tuple[str, ...] = ("speakers",)
    reads: tuple[str, ...] = ()
    commands: tuple[type[msgspec.Struct], ...] = domain.SPEAKER_COMMAND_TYPES
    client_commands = commands
    events: tuple[type[msgspec.Struct], ...] = domain.SPEAKER_EVENT_TYPES
    followups: Mapping[type[msgspec.Struct], Followup] = {
        domain.NextSpeaker: _turn_takes_the_screen
    }
    screens: Mapping[str, ScreenGuard] = {SCREEN: always}
    stages: Mapping[str, str] = {SCREEN: "speakers/screen.html"}
    assets: tuple[str, ...] = ("werkstatt.css", "cafe.js", "werkstatt.js")
    report: tuple[ReportSection, ...] = (
        ReportSection(
            "speakers",
            N_("Speaker list"),
            70,
            build_speakers,
            (("speakers", N_("Speaker list")), ("speaking_time", N_("Speaking time by type"))),
        ),
    )
    panels: tuple[Panel, ...] = (
        Panel(
            "speakers-panel", N_("Speaker list"), "speakers/console-panel.html", 41,
            css="col-pair-narrow speakers-panel", lead_format="werkstatt",
        ),
    )  # fmt: skip
    fragments: Mapping[str, tuple[Fragment, ...]] = {
        "phone": (
            Fragment("phone-speakers", "speakers/phone-speakers.html", 66),
            Fragment("phone-speakers-me", "speakers/phone-speakers-me.html", 65, personal=True),
        ),
        "console": (
            Fragment("console-speakers", "speakers/console-speakers.html", 45, reads=("lobby",)),
        ),
    }
    reasons: Mapping[str, str] = {
        "speaker_name_missing": N_("Please give a name, so that the moderator can call you."),
        "speakers_closed": N_("The speaker list is closed."),
        "subject_too_long": N_("Please keep the subject to 80 characters."),
        "already_on_list": N_("You are already on the speaker list. Your place is shown above."),
        "no_current_speaker": N_("Nobody is speaking right now."),
        "already_speaking": N_("You have the floor right now."),
        "speakers_full": N_("The speaker list is full."),
        "entry_not_found": N_("This entry is no longer on the list."),
        "speaking_time_invalid": N_("Speaking time: between 0 (no limit) and 3,600 seconds."),
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

    def personal(
        self, room: RoomState, participant: str, pseudonyms: Mapping[str, str]
    ) -> dict[str, Any]:
        return {"speakers": my_speakers(room.speakers, participant)}


SPEAKERS = SpeakersActivity()
