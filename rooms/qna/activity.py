"""Q&A as an activity: registration with the room, the wire and the pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from rooms.activity import REQUIRED, Context, Followup, Fragment, ScreenGuard
from rooms.base import Rejected
from rooms.lobby.domain import ScreenMode, ScreenShown
from rooms.qna import domain
from rooms.qna.views import MyQna, SessionView, my_qna, qna_views

if TYPE_CHECKING:
    from rooms.activities import RoomState


def _has_session(room: RoomState, command: Any) -> Rejected | None:
    return None if room.qna.order else Rejected("qna_not_found")


def _live_takes_the_screen(room: RoomState, command: Any) -> list[Any]:
    """A question set "jetzt dran" goes on the projector, whatever it showed."""
    return [] if room.lobby.screen is ScreenMode.QNA else [ScreenShown(ScreenMode.QNA, None)]


class QnaActivity:
    name = "qna"
    commands: tuple[type[msgspec.Struct], ...] = domain.QNA_COMMAND_TYPES
    client_commands = commands
    events: tuple[type[msgspec.Struct], ...] = domain.QNA_EVENT_TYPES
    followups: Mapping[type[msgspec.Struct], Followup] = {
        domain.LiveQuestion: _live_takes_the_screen
    }
    screens: Mapping[str, ScreenGuard] = {ScreenMode.QNA: _has_session}
    fragments: Mapping[str, tuple[Fragment, ...]] = {
        "phone": (
            Fragment("phone-qna", "qna/phone-qna.html", 61),
            Fragment("phone-qna-me", "qna/phone-qna-me.html", 62, personal=True),
            Fragment("phone-qna-list", "qna/phone-qna-list.html", 63),
        ),
        "console": (Fragment("console-qna", "qna/console-qna.html", 40),),
    }
    view_fields: tuple[tuple[str, Any, Any], ...] = (("qna", list[SessionView], REQUIRED),)
    personal_fields: tuple[tuple[str, Any, Any], ...] = (("qna", MyQna, REQUIRED),)

    def decide(self, room: RoomState, command: Any, ctx: Context) -> list[Any] | Rejected:
        return domain.decide(room.qna, room.lobby, command, ctx.actor, ctx.now, ctx.limits)

    def apply(self, room: RoomState, event: Any, ctx: Context) -> set[str]:
        return domain.apply(room.qna, room.lobby, event)

    def created_id(self, event: Any) -> str | None:
        if isinstance(event, domain.QnaCreated):
            return event.session
        if isinstance(event, domain.QuestionAsked):
            return event.question
        return None

    def view(self, room: RoomState, audience: str) -> dict[str, Any]:
        return {"qna": qna_views(room.qna, audience)}

    def personal(self, room: RoomState, participant: str) -> dict[str, Any]:
        return {"qna": my_qna(room.qna, participant)}


QNA = QnaActivity()
