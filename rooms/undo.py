"""Undo for the moves a moderator regrets, as events: the log is never cut.

Polls (delete, reset), actions (delete) and idea boards (accepting a
suggestion, a drag, deleting a cluster) keep a short history of their
undoable moves *in their state*: ``apply`` records, for each such event, what
the object was before (a tombstone), keyed by the event's log position
(``seq``). Undoing is a command (``poll.undo``, ``action.undo``,
``ideas.undo`` with that ``seq``) that the activity answers with a restore
event naming the same ``seq``; its ``apply`` puts the tombstone back.

Why the tombstone lives in the state and not in the restore event: the
history is derived from the log like everything else (replay and snapshots
hold it, and it is the same on every worker), the restore events stay
tiny, and no personal data (a deleted action's sign-ups and contacts) is
copied into new log entries that an erasure would then have to rewrite;
the erasure scrubs the tombstones in the state instead.

A move can be undone while nothing since conflicts with it; each activity
says what conflicts and why (a reason key, translated like every refusal).
``apply`` checks again, in log order, so two consoles racing cannot corrupt
the state: the later restore changes nothing.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from rooms.base import N_

KEEP = 5
"""How many undoable moves each activity remembers (the console shows the last five)."""

T = TypeVar("T")


class UndoView(msgspec.Struct, frozen=True):
    """One undoable move as the console lists it."""

    seq: int  # the log position of the move; what the undo command names
    at: int  # when, ms since the epoch
    type: str  # the undo command's tag: poll.undo, action.undo, ideas.undo
    what: str  # poll_deleted, poll_reset, action_deleted, proposal_accepted, card_moved, …
    label: str  # the poll's question, the action's title, the card's or cluster's text
    blocked: str | None = None  # why it can no longer be undone (a reason key), or None


class UndoCommand(msgspec.Struct, frozen=True):
    """The shape every activity's undo command shares: which move (its log position)."""

    seq: int


REASONS: dict[str, str] = {
    "undo_gone": N_("This step can no longer be undone (only the last few steps can)."),
    "undo_votes_since": N_(
        "People have voted again since the reset; undoing it would lose their votes."
    ),
    "undo_board_changed": N_(
        "The board has changed since; undo the later steps first, newest first."
    ),
    "undo_board_gone": N_("The board no longer exists."),
    "undo_poll_gone": N_("The poll no longer exists."),
}
"""The undo refusals' texts; given to the room by the polls activity (one key, one text)."""


def copy(value: T, kind: type[T]) -> T:
    """A deep copy of a state struct, so a tombstone never shares lists with the live state."""
    result: T = msgspec.msgpack.decode(msgspec.msgpack.encode(value), type=kind)
    return result


def remember(history: list[Any], entry: Any) -> None:
    """Add one move to an activity's history, keeping the last :data:`KEEP`."""
    history.append(entry)
    del history[:-KEEP]


def find(history: list[Any], seq: int) -> Any | None:
    """The remembered move at log position ``seq``, if it is still remembered."""
    return next((e for e in history if e.seq == seq), None)
