"""Actions: what a workshop turns its top ideas into, and who signs up to carry them.

A moderator creates an action (title, what, owner, due date), often from a
top-ranked cluster or card. Participants tap "Mitmachen" and leave a name
and, if they want, a contact. They must tick the consent text first. The
contact is personal data: only the moderator's view and the separately
labelled contacts export ever carry it; public views carry counts.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import msgspec

from rooms.base import Actor, Rejected, Role
from rooms.lobby.domain import Lobby
from rooms.text import one_line
from rooms.undo import UndoCommand, find, remember

if TYPE_CHECKING:
    from rooms.activities import Limits


class Member(msgspec.Struct, frozen=True):
    name: str
    contact: str | None
    at: int


class Action(msgspec.Struct):
    id: str
    title: str
    what: str
    owner: str
    due: str | None
    source: str | None  # the cluster or card it came from
    members: dict[str, Member] = msgspec.field(default_factory=dict)  # participant id -> member


class ActionUndo(msgspec.Struct):
    """A deleted action that may come back: as it was (sign-ups too) and its place.

    The sign-ups are personal data; an erasure scrubs them here as well
    (rooms/privacy/domain.py), and they are never in a log entry of their own.
    """

    seq: int
    at: int
    action: Action
    position: int


class Actions(msgspec.Struct):
    order: list[str] = msgspec.field(default_factory=list)
    by_id: dict[str, Action] = msgspec.field(default_factory=dict)
    created: int = 0
    undo: list[ActionUndo] = msgspec.field(default_factory=list)  # the last few, oldest first

    def in_order(self) -> list[Action]:
        return [self.by_id[a] for a in self.order]


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _real_date(text: str) -> bool:
    """YYYY-MM-DD and a day that exists: 2026-02-30 is refused, not stored."""
    if not _DATE.match(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


# --- commands ---------------------------------------------------------------


class CreateAction(msgspec.Struct, tag="action.create", frozen=True, kw_only=True):
    title: str
    what: str = ""
    owner: str = ""
    due: str | None = None  # ISO date, YYYY-MM-DD
    source: str | None = None


class DeleteAction(msgspec.Struct, tag="action.delete", frozen=True):
    action: str


class JoinAction(msgspec.Struct, tag="action.join", frozen=True, kw_only=True):
    action: str
    name: str
    contact: str | None = None
    consent: bool = False


class LeaveAction(msgspec.Struct, tag="action.leave", frozen=True):
    action: str


class UndoAction(UndoCommand, tag="action.undo", frozen=True):
    """Bring back a deleted action, named by the log position of its deletion."""


ACTION_COMMAND_TYPES = (CreateAction, DeleteAction, JoinAction, LeaveAction, UndoAction)
ActionCommand = CreateAction | DeleteAction | JoinAction | LeaveAction | UndoAction

# --- events -----------------------------------------------------------------


class ActionCreated(msgspec.Struct, tag="action.created", frozen=True):
    action: str
    title: str
    what: str
    owner: str
    due: str | None
    source: str | None


class ActionDeleted(msgspec.Struct, tag="action.deleted", frozen=True):
    action: str


class ActionJoined(msgspec.Struct, tag="action.joined", frozen=True):
    action: str
    participant: str
    name: str
    contact: str | None
    at: int


class ActionLeft(msgspec.Struct, tag="action.left", frozen=True):
    action: str
    participant: str


class ActionRestored(msgspec.Struct, tag="action.restored", frozen=True):
    """The deletion at log position ``seq`` is undone (the action is the tombstone in
    :attr:`Actions.undo`; see rooms/undo.py)."""

    seq: int


ACTION_EVENT_TYPES = (ActionCreated, ActionDeleted, ActionJoined, ActionLeft, ActionRestored)
ActionEvent = ActionCreated | ActionDeleted | ActionJoined | ActionLeft | ActionRestored

# --- decide -----------------------------------------------------------------


def _clean(text: str | None) -> str:
    return one_line(text)


def decide(
    actions: Actions, lobby: Lobby, command: ActionCommand, actor: Actor, now: int, limits: Limits
) -> list[ActionEvent] | Rejected:
    if isinstance(command, CreateAction | DeleteAction | UndoAction):
        if actor.role is not Role.MODERATOR:
            return Rejected("not_allowed")
        if isinstance(command, UndoAction):
            entry = find(actions.undo, command.seq)
            if entry is None:
                return Rejected("undo_gone")
            blocked = undo_blocked(actions, entry, limits.actions.max_actions)
            return Rejected(blocked) if blocked else [ActionRestored(command.seq)]
        if isinstance(command, DeleteAction):
            return [ActionDeleted(command.action)] if command.action in actions.by_id else []
        return _decide_create(actions, command, limits)
    if actor.role is not Role.PARTICIPANT or actor.participant is None:
        return Rejected("not_allowed")
    me = lobby.participants.get(actor.participant)
    if me is None or me.left:
        return Rejected("not_joined")
    if lobby.closed:
        return Rejected("event_closed")
    action = actions.by_id.get(command.action)
    if action is None:
        return Rejected("action_not_found")
    if isinstance(command, LeaveAction):
        return [ActionLeft(action.id, me.id)] if me.id in action.members else []
    if not command.consent:
        return Rejected("consent_missing")
    name = _clean(command.name)
    if not name:
        return Rejected("name_missing")
    if len(name) > limits.lobby.name_length:
        return Rejected("name_too_long")
    contact = _clean(command.contact) or None
    if contact is not None and len(contact) > limits.actions.contact_length:
        return Rejected("contact_too_long")
    old = action.members.get(me.id)
    if old is not None and (old.name, old.contact) == (name, contact):
        return []
    return [ActionJoined(action.id, me.id, name, contact, now)]


def _decide_create(
    actions: Actions, command: CreateAction, limits: Limits
) -> list[ActionEvent] | Rejected:
    title = _clean(command.title)
    if not title:
        return Rejected("action_title_missing")
    what, owner = _clean(command.what), _clean(command.owner)
    lim = limits.actions
    if (
        len(title) > lim.title_length
        or len(what) > lim.what_length
        or len(owner) > lim.owner_length
    ):
        return Rejected("action_too_long")
    due = _clean(command.due) or None
    if due is not None and not _real_date(due):
        return Rejected("due_invalid")
    if len(actions.order) >= lim.max_actions:
        return Rejected("too_many_actions")
    source = _clean(command.source) or None
    return [ActionCreated(f"a{actions.created + 1}", title, what, owner, due, source)]


# --- undo -------------------------------------------------------------------


def undo_blocked(actions: Actions, entry: ActionUndo, max_actions: int) -> str | None:
    """Why a deletion can no longer be undone (a reason key), or None if it can."""
    if entry.action.id in actions.by_id:  # pragma: no cover - ids are never reused
        return "undo_gone"
    return "too_many_actions" if len(actions.order) >= max_actions else None


# --- apply ------------------------------------------------------------------


def apply(
    actions: Actions,
    lobby: Lobby,
    event: ActionEvent,
    *,
    seq: int = 0,
    at: int = 0,
    max_actions: int = 0,
) -> set[str]:
    """Fold one event in; a deletion is remembered under its log position ``seq``."""
    if isinstance(event, ActionRestored):
        entry = find(actions.undo, event.seq)
        if entry is None or undo_blocked(actions, entry, max_actions or len(actions.order) + 1):
            return set()  # undone already, or something came first in log order
        actions.undo.remove(entry)
        actions.by_id[entry.action.id] = entry.action
        actions.order.insert(min(entry.position, len(actions.order)), entry.action.id)
        return set(entry.action.members)
    if isinstance(event, ActionCreated):
        if event.action not in actions.by_id:
            actions.created += 1
            actions.by_id[event.action] = Action(
                event.action, event.title, event.what, event.owner, event.due, event.source
            )
            actions.order.append(event.action)
        return set()
    action = actions.by_id.get(event.action)
    if action is None:
        return set()
    match event:
        case ActionDeleted():
            remember(actions.undo, ActionUndo(seq, at, action, actions.order.index(action.id)))
            actions.order.remove(action.id)
            del actions.by_id[action.id]
            return set(action.members)
        case ActionJoined(participant=pid):
            me = lobby.participants.get(pid)
            if me is None or me.left or lobby.closed:
                return set()
            action.members[pid] = Member(event.name, event.contact, event.at)
            return {pid}
        case ActionLeft(participant=pid):
            action.members.pop(pid, None)
            return {pid}
    return set()  # pragma: no cover
