"""The mood meter ("Stimmungsbarometer"): how the room feels right now, from 1 to 5.

The smallest complete activity, kept as the worked example of
docs/architecture.md ("How to add an activity"): one command, one event, one
piece of state, one view on each surface. A participant sets their current
mood from the phone; setting it again replaces it, so the count is always
one mood per person. Whoever has left the event no longer counts: the views
read the lobby's participants, so a leave (or an erasure, which leaves)
needs no event of this activity.

There is nothing to configure (the scale is fixed at five steps), so the
mood meter has no ``limits.py`` and no section in ``Limits``.
"""

from __future__ import annotations

import msgspec

from rooms.base import Actor, Rejected, Role
from rooms.lobby.domain import Lobby

LOWEST, HIGHEST = 1, 5
"""The scale: 1 (very bad) to 5 (very good)."""


class Mood(msgspec.Struct):
    """Each participant's current mood, by participant id (left ones stay, uncounted)."""

    moods: dict[str, int] = msgspec.field(default_factory=dict)


class SetMood(msgspec.Struct, tag="mood.set", frozen=True):
    """A participant's current mood; resending another one replaces it."""

    mood: int


MOOD_COMMAND_TYPES = (SetMood,)


class MoodSet(msgspec.Struct, tag="mood.was_set", frozen=True):
    """The event: ``participant``'s mood is now ``mood`` (tag and fields are its schema)."""

    participant: str
    mood: int


MOOD_EVENT_TYPES = (MoodSet,)


def decide(mood: Mood, lobby: Lobby, command: SetMood, actor: Actor) -> list[MoodSet] | Rejected:
    """Only a participant who is in the event sets their own mood, on the scale."""
    if actor.role is not Role.PARTICIPANT or actor.participant is None:
        return Rejected("not_allowed")
    me = lobby.participants.get(actor.participant)
    if me is None or me.left:
        return Rejected("not_joined")
    if lobby.closed:
        return Rejected("event_closed")
    if not LOWEST <= command.mood <= HIGHEST:
        return Rejected("mood_invalid")
    if mood.moods.get(me.id) == command.mood:
        return []  # the same mood again: nothing to write
    return [MoodSet(me.id, command.mood)]


def apply(mood: Mood, event: MoodSet) -> set[str]:
    """Total: the event was decided in log order, so it simply replaces the mood."""
    mood.moods[event.participant] = event.mood
    return {event.participant}


def distribution(mood: Mood, lobby: Lobby) -> list[int]:
    """How many present participants feel 1, 2, 3, 4 and 5 (index 0 is mood 1)."""
    counts = [0] * (HIGHEST - LOWEST + 1)
    for pid, value in mood.moods.items():
        person = lobby.participants.get(pid)
        if person is not None and not person.left and LOWEST <= value <= HIGHEST:
            counts[value - LOWEST] += 1
    return counts
