"""Q&A as an activity: registration with the room, the wire and the pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from rooms.activity import REQUIRED, Context, Followup, Fragment, Panel, ReportSection, ScreenGuard
from rooms.base import N_, Rejected
from rooms.lobby.domain import ScreenShown
from rooms.qna import domain
from rooms.qna.report import build_qna
from rooms.qna.views import MyQna, SessionView, my_qna, qna_views

if TYPE_CHECKING:
    from rooms.activities import RoomState

SCREEN = "qna"
"""The projector mode: the question "jetzt dran" in large type, else the top 5."""


def _has_session(room: RoomState, command: Any) -> Rejected | None:
    return None if room.qna.order else Rejected("qna_not_found")


def _live_takes_the_screen(room: RoomState, command: Any) -> list[Any]:
    """A question set "jetzt dran" goes on the projector, whatever it showed."""
    return [] if room.lobby.screen == SCREEN else [ScreenShown(SCREEN, None)]


class QnaActivity:
    name = "qna"
    writes: tuple[str, ...] = ("qna",)
    reads: tuple[str, ...] = ()
    commands: tuple[type[msgspec.Struct], ...] = domain.QNA_COMMAND_TYPES
    client_commands = commands
    events: tuple[type[msgspec.Struct], ...] = domain.QNA_EVENT_TYPES
    followups: Mapping[type[msgspec.Struct], Followup] = {
        domain.LiveQuestion: _live_takes_the_screen
    }
    screens: Mapping[str, ScreenGuard] = {SCREEN: _has_session}
    stages: Mapping[str, str] = {SCREEN: "qna/screen.html"}
    assets: tuple[str, ...] = ("werkstatt.css", "cafe.js", "werkstatt.js")
    report: tuple[ReportSection, ...] = (
        ReportSection(
            "qna",
            N_("Questions from the audience (Q&A)"),
            60,
            build_qna,
            (("questions", N_("Questions (Q&A)")),),
        ),
    )
    panels: tuple[Panel, ...] = (
        Panel(
            "qna-panel", N_("Questions"), "qna/console-panel.html", 40,
            css="col-pair-wide qna-panel", lead_format="werkstatt",
        ),
    )  # fmt: skip
    fragments: Mapping[str, tuple[Fragment, ...]] = {
        "phone": (
            Fragment("phone-qna", "qna/phone-qna.html", 61),
            Fragment("phone-qna-me", "qna/phone-qna-me.html", 62, personal=True),
            Fragment("phone-qna-list", "qna/phone-qna-list.html", 63),
            Fragment("phone-qna-counts", "qna/phone-qna-counts.html", 64),
        ),
        "console": (Fragment("console-qna", "qna/console-qna.html", 40, reads=("lobby",)),),
    }
    reasons: Mapping[str, str] = {
        "qna_not_found": N_("This Q&A session is not available."),
        "qna_closed": N_("This Q&A session takes no more questions."),
        "qna_title_missing": N_("Please give the Q&A session a title."),
        "qna_title_too_long": N_("Please use a shorter title (120 characters) and speaker (80)."),
        "too_many_sessions": N_("This event has as many Q&A sessions as it can hold."),
        "qna_full": N_("This Q&A session is full."),
        "too_many_questions": N_("You have asked as many questions as one person may."),
        "question_not_found": N_("This question is not available."),
        "question_merged": N_(
            "This question was merged with a similar one. Please upvote that one instead."
        ),
        "question_hidden": N_("This question was hidden by the moderators and cannot be upvoted."),
        "question_done": N_("This question has been answered."),
        "question_text_missing": N_("Please write your question first."),
        "question_text_too_long": N_("Please keep your question to 280 characters."),
        "question_merge_invalid": N_(
            "Only two different questions of the same session can be merged."
        ),
        "question_not_visible": N_("Only an approved question can go on screen."),
        "question_status_invalid": N_("That does not fit this question's current state."),
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

    def personal(
        self, room: RoomState, participant: str, pseudonyms: Mapping[str, str]
    ) -> dict[str, Any]:
        return {"qna": my_qna(room.qna, participant)}


QNA = QnaActivity()
