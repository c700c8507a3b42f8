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

import msgspec

from rooms import outcomes
from rooms.activities import (
    ACTIVITIES,
    BY_COMMAND,
    BY_EVENT,
    DEFAULT_LIMITS,
    FOLLOWUPS,
    WRITES,
    Command,
    Event,
    Limits,
    Outcome,
    RoomState,
)
from rooms.activity import Context
from rooms.base import Actor, Rejected
from rooms.lobby.activity import LOBBY

__all__ = ["ACTIVITIES", "Command", "Envelope", "Event", "Outcome", "RoomState"]


class Envelope(msgspec.Struct, frozen=True):
    """One entry of a room's log, as stored.

    ``seq`` is assigned by the store at append time and has no gaps;
    ``at`` is milliseconds since the epoch, read by the transport; ``actor``
    and ``cid`` make resends idempotent across reconnects and workers.
    ``actor`` is :attr:`rooms.base.Actor.log_key`: for a ballot in an
    anonymous poll the voter's per-poll pseudonym (``v:…``), never their id.
    """

    seq: int
    at: int
    actor: str
    cid: str | None
    event: Event
    part: int = 0


class Accepted(msgspec.Struct, frozen=True):
    """A decision to write ``events``; ``id`` names what the command created, if anything."""

    events: list[Event]
    id: str | None = None


def previous_outcome(state: RoomState, actor: Actor, cid: str | None) -> Outcome | None:
    """The first outcome of a command with this cid, if the log holds one."""
    if cid is None:
        return None
    recent = _recent(state, outcomes_key(actor, actor.log_key))
    found = outcomes.find(recent, outcomes.cid_key(cid))
    return None if found is None else outcomes.unpack(found)


def outcomes_key(actor: Actor, log_key: str) -> str:
    """Whom ``state.outcomes`` files an actor's outcomes under: its log key, but a
    ballot's pseudonym bare.

    The bare pseudonym is the very string the poll files the ballot under (both
    come from the one :class:`Actor` that :func:`apply` makes of the entry), so
    an anonymous ballot keeps one key string instead of two, 75 bytes less for
    each of the ~18,000 ballots of a three-hour event (docs/architecture.md,
    "Memory over a long event"). A pseudonym is 24 hex digits, which no other
    log key ("p:…", a role, "moderator:…") can be.
    """
    return actor.alias if actor.alias is not None else log_key


def remembered(state: RoomState, actor: Actor) -> tuple[Outcome, ...]:
    """The outcomes of ``actor``'s most recent cids, oldest first."""
    recent = _recent(state, outcomes_key(actor, actor.log_key))
    return tuple(outcomes.unpack(packed) for packed in recent)


def _recent(state: RoomState, key: str) -> tuple[bytes, ...]:
    """The packed outcomes filed under ``key``, a lone bare one as a tuple of one."""
    held = state.outcomes.get(key, ())
    return (held,) if isinstance(held, bytes) else held


def decide(
    state: RoomState, command: Command, actor: Actor, now: int, limits: Limits = DEFAULT_LIMITS
) -> Accepted | Rejected:
    """Answer one command. ``now`` is milliseconds since the epoch, from the caller.

    The activity that registered the command's type decides it; any other
    activity needs an event that exists. Declared follow-ups of the command
    (``Activity.followups``) add their events after the activity's own.
    """
    activity = BY_COMMAND[type(command)]
    if activity is not LOBBY and not state.lobby.created:
        return Rejected("unknown_event")
    decided = activity.decide(state, command, Context(actor, now, limits))
    if isinstance(decided, Rejected):
        return decided
    events: list[Event] = list(decided)
    followup = FOLLOWUPS.get(type(command))
    if followup is not None:
        events.extend(followup(state, command))
    return Accepted(events, next((i for e in events if (i := created_id(e))), None))


def created_id(event: Event) -> str | None:
    """The id a command reports back when its event made something new."""
    return BY_EVENT[type(event)].created_id(event)


def writes_of(event: Event) -> frozenset[str]:
    """The activities whose state applying ``event`` may change (``Activity.writes``).

    From the registry's table by event type, built once: the fan-out re-renders
    only the fragments that read one of them.
    """
    return WRITES[type(event)]


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
    actor = Actor.from_key(envelope.actor)
    if envelope.cid is not None:
        key = outcomes_key(actor, envelope.actor)
        recent = _recent(state, key)
        cid = outcomes.cid_key(envelope.cid)
        found = outcomes.find(recent, cid)
        if envelope.part == 0:
            if found is not None:
                return set()
            made = created_id(envelope.event)
        else:
            first = None if found is None else outcomes.unpack(found)
            if first is None or first.seq != envelope.seq - 1:
                return set()
            made = first.id or created_id(envelope.event)
        outcome = outcomes.pack(cid, envelope.seq, made)
        # the newest last (a cid is in ``recent`` at most once); the oldest go
        # beyond the limit; one alone is kept bare
        kept = (*(o for o in recent if o is not found), outcome)
        kept = kept[-limits.lobby.recent_cids_per_actor :]
        state.outcomes[key] = kept[0] if len(kept) == 1 else kept
    event = envelope.event
    ctx = Context(actor, envelope.at, limits)
    return BY_EVENT[type(event)].apply(state, event, ctx)


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
    # The activities whose state the events changed (what the fan-out re-renders).
    activities: set[str] = msgspec.field(default_factory=set)


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
        envelope = Envelope(state.seq + 1, now, actor.log_key, cid, event, part)
        handled.touched |= apply(state, envelope, limits)
        handled.activities |= writes_of(event)
        handled.envelopes.append(envelope)
    if actor.alias is not None and actor.participant is not None and decision.events:
        # The log names this author by a pseudonym only, so apply cannot touch
        # them by id; their own view (their ballot) changed all the same.
        handled.touched.add(actor.participant)
    handled.seq = state.seq
    return handled
