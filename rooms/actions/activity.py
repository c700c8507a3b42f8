"""Actions (what people commit to after an event) as an activity: room, wire and pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from rooms.actions import domain
from rooms.actions.limits import ActionLimits
from rooms.actions.report import build_actions
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
from rooms.ideas.views import ActionView, action_views
from rooms.lobby.domain import ScreenMode
from rooms.undo import UndoView

if TYPE_CHECKING:
    from rooms.activities import RoomState


class ActionsActivity:
    name = "actions"
    writes: tuple[str, ...] = ("actions",)
    reads: tuple[str, ...] = ("lobby",)  # authors' and owners' names
    commands: tuple[type[msgspec.Struct], ...] = domain.ACTION_COMMAND_TYPES
    client_commands = commands
    events: tuple[type[msgspec.Struct], ...] = domain.ACTION_EVENT_TYPES
    followups: Mapping[type[msgspec.Struct], Followup] = {}
    screens: Mapping[str, ScreenGuard] = {ScreenMode.ACTIONS: always}
    stages: Mapping[str, str] = {}  # laid out by templates/lobby/stage.html
    assets: tuple[str, ...] = ()
    report: tuple[ReportSection, ...] = (
        ReportSection("actions", N_("Actions"), 80, build_actions, (("actions", N_("Actions")),)),
    )
    panels: tuple[Panel, ...] = (
        Panel(
            "actions-panel",
            N_("Actions"),
            "actions/console-panel.html",
            50,
            css="col-wide actions-panel",
        ),
    )
    fragments: Mapping[str, tuple[Fragment, ...]] = {
        "phone": (Fragment("phone-actions", "actions/phone-actions.html", 70),),
        "console": (
            Fragment("console-actions", "actions/console-actions.html", 60, reads=("lobby",)),
        ),
    }
    reasons: Mapping[str, str] = {}  # its refusals' texts are still in server/i18n.py
    view_fields: tuple[tuple[str, Any, Any], ...] = (
        ("actions", list[ActionView], REQUIRED),
        ("action_undo", list[UndoView], REQUIRED),  # moderator only; empty for the others
    )
    personal_fields: tuple[tuple[str, Any, Any], ...] = ()  # sign-ups are in the ideas' MyIdeas

    def decide(self, room: RoomState, command: Any, ctx: Context) -> list[Any] | Rejected:
        return domain.decide(room.actions, room.lobby, command, ctx.actor, ctx.now, ctx.limits)

    def apply(self, room: RoomState, event: Any, ctx: Context) -> set[str]:
        return domain.apply(
            room.actions,
            room.lobby,
            event,
            seq=room.seq,
            at=ctx.now,
            max_actions=ctx.limits.actions.max_actions,
        )

    def created_id(self, event: Any) -> str | None:
        return event.action if isinstance(event, domain.ActionCreated) else None

    def view(self, room: RoomState, audience: str) -> dict[str, Any]:
        return {
            "actions": action_views(room.actions, audience, room.lobby),
            "action_undo": action_undo_views(room.actions, audience),
        }

    def personal(
        self, room: RoomState, participant: str, pseudonyms: Mapping[str, str]
    ) -> dict[str, Any]:
        return {}


def action_undo_views(actions: domain.Actions, audience: str) -> list[UndoView]:
    """The moderator's undoable deletions of actions, newest first."""
    if audience != "moderator":
        return []
    limit = ActionLimits().max_actions  # the view cannot read the configured limits
    return [
        UndoView(
            e.seq,
            e.at,
            "action.undo",
            "action_deleted",
            e.action.title,
            domain.undo_blocked(actions, e, limit),
        )
        for e in reversed(actions.undo)
    ]


ACTIONS = ActionsActivity()
