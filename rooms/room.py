"""A room is one dialogue event: its state, and the two functions that drive it.

``decide(state, command, actor, now)`` answers a command with events or a
refusal; ``apply(state, envelope)`` folds one logged event into the state.
Replaying a room's log through ``apply`` rebuilds the room exactly, which is
what lets any worker load any room, and lets several workers converge.

The state is mutated in place, for a reason: rooms hold up to 5,000
participants, and copying them on every event would make a vote cost O(n).
``apply`` still behaves as a pure function of (state, event) → state, and
the property tests replay logs to hold it to that.
"""

from __future__ import annotations

from collections import OrderedDict

import msgspec

from rooms.actions import domain as actions
from rooms.base import DEFAULT_LIMITS, Actor, Limits, Rejected
from rooms.cafe import domain as cafe
from rooms.ideas import domain as ideas
from rooms.lobby import domain as lobby
from rooms.polls import domain as poll
from rooms.privacy import domain as privacy

Command = (
    lobby.LobbyCommand
    | poll.PollCommand
    | cafe.CafeCommand
    | ideas.IdeasCommand
    | actions.ActionCommand
    | privacy.PrivacyCommand
)
Event = (
    lobby.LobbyEvent
    | poll.PollEvent
    | cafe.CafeEvent
    | ideas.IdeasEvent
    | actions.ActionEvent
    | privacy.PrivacyEvent
)


class Envelope(msgspec.Struct, frozen=True):
    """One entry of a room's log, as stored.

    ``seq`` is assigned by the store at append time and has no gaps;
    ``at`` is milliseconds since the epoch, read by the transport; ``actor``
    and ``cid`` make resends idempotent across reconnects and workers.
    """

    seq: int
    at: int
    actor: str
    cid: str | None
    event: Event
    part: int = 0


class Outcome(msgspec.Struct, frozen=True):
    """What a command did, remembered for its cid: the last seq it wrote, and what it made."""

    seq: int | None
    id: str | None = None


class RoomState(msgspec.Struct):
    seq: int = 0
    lobby: lobby.Lobby = msgspec.field(default_factory=lobby.Lobby)
    polls: poll.Polls = msgspec.field(default_factory=poll.Polls)
    cafe: cafe.Cafe = msgspec.field(default_factory=cafe.Cafe)
    boards: ideas.Boards = msgspec.field(default_factory=ideas.Boards)
    actions: actions.Actions = msgspec.field(default_factory=actions.Actions)
    # actor key -> cid -> outcome, the newest last; bounded per actor.
    outcomes: dict[str, OrderedDict[str, Outcome]] = msgspec.field(default_factory=dict)


class Accepted(msgspec.Struct, frozen=True):
    """A decision to write ``events``; ``id`` names what the command created, if anything."""

    events: list[Event]
    id: str | None = None


def previous_outcome(state: RoomState, actor: Actor, cid: str | None) -> Outcome | None:
    """The first outcome of a command with this cid, if the log holds one."""
    if cid is None:
        return None
    seen = state.outcomes.get(actor.key)
    return None if seen is None else seen.get(cid)


def decide(
    state: RoomState, command: Command, actor: Actor, now: int, limits: Limits = DEFAULT_LIMITS
) -> Accepted | Rejected:
    """Answer one command. ``now`` is milliseconds since the epoch, from the caller."""
    events: list[Event] = []
    if isinstance(command, cafe.CAFE_COMMAND_TYPES):
        if not state.lobby.created:
            return Rejected("unknown_event")
        decided_cafe = cafe.decide(state.cafe, state.lobby, command, actor, now, limits)
        if isinstance(decided_cafe, Rejected):
            return decided_cafe
        events.extend(decided_cafe)
        if isinstance(command, cafe.StartRound) and state.lobby.screen is not lobby.ScreenMode.CAFE:
            events.append(lobby.ScreenShown(lobby.ScreenMode.CAFE))
    elif isinstance(command, (*ideas.IDEAS_COMMAND_TYPES, *actions.ACTION_COMMAND_TYPES)):
        more = _decide_ideas(state, command, actor, now, limits)
        if isinstance(more, Rejected):
            return more
        events.extend(more)
    elif isinstance(command, privacy.PRIVACY_COMMAND_TYPES):
        if not state.lobby.created:
            return Rejected("unknown_event")
        erased = privacy.decide(state.lobby, command, actor)
        if isinstance(erased, Rejected):
            return erased
        events.extend(erased)
    elif isinstance(command, poll.POLL_COMMAND_TYPES):
        if not state.lobby.created:
            return Rejected("unknown_event")
        decided = poll.decide(state.polls, state.lobby, command, actor, limits)
        if isinstance(decided, Rejected):
            return decided
        events.extend(decided)
    else:
        if isinstance(command, lobby.ShowOnScreen) and command.what is lobby.ScreenMode.POLL:
            shown = state.polls.by_id.get(command.poll or "")
            if shown is None or shown.status is poll.PollStatus.DRAFT:
                return Rejected("poll_not_open")
        showing_cafe = (
            isinstance(command, lobby.ShowOnScreen) and command.what is lobby.ScreenMode.CAFE
        )
        if showing_cafe and not state.cafe.created:
            return Rejected("cafe_missing")
        lobby_events = lobby.decide(state.lobby, command, actor, limits)
        if isinstance(lobby_events, Rejected):
            return lobby_events
        events.extend(lobby_events)
    return Accepted(events, next((i for e in events if (i := created_id(e))), None))


def _decide_ideas(
    state: RoomState, command: Command, actor: Actor, now: int, limits: Limits
) -> list[Event] | Rejected:
    """Idea boards, dots and actions (rooms/ideas.py, rooms/actions.py)."""
    if not state.lobby.created:
        return Rejected("unknown_event")
    more: list[ideas.IdeasEvent] | list[actions.ActionEvent] | Rejected
    if isinstance(command, ideas.IDEAS_COMMAND_TYPES):
        more = ideas.decide(state.boards, state.lobby, command, actor, now, limits)
    elif isinstance(command, actions.ACTION_COMMAND_TYPES):
        more = actions.decide(state.actions, state.lobby, command, actor, now, limits)
    else:  # pragma: no cover
        raise AssertionError(command)
    if isinstance(more, Rejected):
        return more
    out: list[Event] = list(more)
    if isinstance(command, ideas.ShowBoard) and state.lobby.screen is not lobby.ScreenMode.IDEAS:
        out.append(lobby.ScreenShown(lobby.ScreenMode.IDEAS, None))
    return out


def created_id(event: Event) -> str | None:
    """The id a command reports back when its event made something new."""
    if isinstance(event, lobby.ParticipantJoined):
        return event.participant
    if isinstance(event, poll.PollCreated):
        return event.poll
    return ideas_created_id(event)


def ideas_created_id(event: Event) -> str | None:
    if isinstance(event, ideas.BoardCreated):
        return event.board
    if isinstance(event, ideas.IdeaPosted):
        return event.idea
    if isinstance(event, ideas.ClusterCreated):
        return event.cluster
    if isinstance(event, actions.ActionCreated):
        return event.action
    return None


def apply(state: RoomState, envelope: Envelope, limits: Limits = DEFAULT_LIMITS) -> set[str]:
    """Fold one log entry into the state; returns participants whose personal view changed.

    A resend (same actor and cid as an earlier command in the log) is a
    no-op, so a command appended twice, say by two workers, counts once. A
    command may write several events; they follow each other in the log
    with ``part`` 0, 1, 2 …, and only part 0 can start a new command.
    """
    if envelope.seq != state.seq + 1:
        raise ValueError(f"log gap: state at {state.seq}, entry {envelope.seq}")
    state.seq = envelope.seq
    if envelope.cid is not None:
        seen = state.outcomes.setdefault(envelope.actor, OrderedDict())
        first = seen.get(envelope.cid)
        if envelope.part == 0:
            if first is not None:
                return set()
            outcome = Outcome(envelope.seq, created_id(envelope.event))
        else:
            if first is None or first.seq != envelope.seq - 1:
                return set()
            outcome = Outcome(envelope.seq, first.id or created_id(envelope.event))
        seen[envelope.cid] = outcome
        seen.move_to_end(envelope.cid)
        while len(seen) > limits.recent_cids_per_actor:
            seen.popitem(last=False)
    event = envelope.event
    if isinstance(event, poll.POLL_EVENT_TYPES):
        return poll.apply(state.polls, state.lobby, event)
    if isinstance(event, cafe.CAFE_EVENT_TYPES):
        return cafe.apply(state.cafe, state.lobby, event)
    if isinstance(event, ideas.IDEAS_EVENT_TYPES):
        return ideas.apply(state.boards, state.lobby, event)
    if isinstance(event, actions.ACTION_EVENT_TYPES):
        return actions.apply(state.actions, state.lobby, event)
    if isinstance(event, privacy.PRIVACY_EVENT_TYPES):
        return privacy.apply(state.lobby, state.boards, state.actions, event)
    return lobby.apply(state.lobby, event, envelope.at, limits)


def replay(envelopes: list[Envelope], limits: Limits = DEFAULT_LIMITS) -> RoomState:
    """Rebuild a room from its log; what every worker does when it loads a room."""
    state = RoomState()
    for envelope in envelopes:
        apply(state, envelope, limits)
    return state


class Handled(msgspec.Struct):
    """The outcome of :func:`handle`: what to acknowledge, and what to append."""

    ok: bool
    seq: int | None
    id: str | None = None
    reason: str | None = None
    transient: bool = False
    envelopes: list[Envelope] = msgspec.field(default_factory=list)
    touched: set[str] = msgspec.field(default_factory=set)


def handle(
    state: RoomState,
    command: Command,
    actor: Actor,
    cid: str | None,
    now: int,
    limits: Limits = DEFAULT_LIMITS,
) -> Handled:
    """Decide one command and apply its events to ``state`` at once.

    A resend of a logged cid returns its first outcome and writes nothing.
    The caller appends ``envelopes`` to the log before it acknowledges; if
    that fails it must rebuild the state from the log (see the hub).
    """
    earlier = previous_outcome(state, actor, cid)
    if earlier is not None:
        return Handled(True, earlier.seq, earlier.id)
    decision = decide(state, command, actor, now, limits)
    if isinstance(decision, Rejected):
        return Handled(False, None, reason=decision.reason, transient=decision.transient)
    handled = Handled(True, state.seq, decision.id)
    for part, event in enumerate(decision.events):
        envelope = Envelope(state.seq + 1, now, actor.key, cid, event, part)
        handled.touched |= apply(state, envelope, limits)
        handled.envelopes.append(envelope)
    handled.seq = state.seq
    return handled
