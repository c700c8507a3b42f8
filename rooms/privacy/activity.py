"""Deleting personal data (GDPR) as an activity: it has no state of its own.

It registers its commands and its event like any activity; its ``apply``
removes names and contacts from the lobby, the idea boards, the actions, the
questions and the speaker list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from rooms.activity import Context, Followup, Fragment, Panel, ReportSection, ScreenGuard
from rooms.base import Rejected
from rooms.privacy import domain

if TYPE_CHECKING:
    from rooms.activities import RoomState


class PrivacyActivity:
    name = "privacy"
    # It has no state of its own: it removes names from these.
    writes: tuple[str, ...] = ("lobby", "ideas", "actions", "qna", "speakers")
    reads: tuple[str, ...] = ()
    commands: tuple[type[msgspec.Struct], ...] = domain.PRIVACY_COMMAND_TYPES
    # Not over the socket: only the HTTP routes (server/privacy_pages.py) erase, because
    # they also rewrite the stored log. An erasure sent as a socket command would hide
    # the data from the views but leave it in the log.
    client_commands: tuple[type[msgspec.Struct], ...] = ()
    events: tuple[type[msgspec.Struct], ...] = domain.PRIVACY_EVENT_TYPES
    followups: Mapping[type[msgspec.Struct], Followup] = {}
    screens: Mapping[str, ScreenGuard] = {}
    stages: Mapping[str, str] = {}  # laid out by templates/lobby/stage.html
    assets: tuple[str, ...] = ()
    report: tuple[ReportSection, ...] = ()
    panels: tuple[Panel, ...] = ()
    fragments: Mapping[str, tuple[Fragment, ...]] = {}
    reasons: Mapping[str, str] = {}  # its refusals' texts are still in server/i18n.py
    view_fields: tuple[tuple[str, Any, Any], ...] = ()
    personal_fields: tuple[tuple[str, Any, Any], ...] = ()

    def decide(self, room: RoomState, command: Any, ctx: Context) -> list[Any] | Rejected:
        return domain.decide(room.lobby, command, ctx.actor)

    def apply(self, room: RoomState, event: Any, ctx: Context) -> set[str]:
        return domain.apply(room.lobby, room.ideas, room.actions, room.qna, room.speakers, event)

    def created_id(self, event: Any) -> str | None:
        return None

    def view(self, room: RoomState, audience: str) -> dict[str, Any]:
        return {}

    def personal(
        self, room: RoomState, participant: str, pseudonyms: Mapping[str, str]
    ) -> dict[str, Any]:
        return {}


PRIVACY = PrivacyActivity()
