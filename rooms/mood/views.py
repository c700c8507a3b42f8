"""What each audience sees of the mood meter: counts, never who feels what.

Screen, phones and console see the same distribution (the console has
nothing more to see); a participant's own mood is their personal view, so
the shared part is rendered once for everyone.
"""

from __future__ import annotations

import msgspec

from rooms.lobby.domain import Lobby
from rooms.mood.domain import Mood, distribution


class MoodView(msgspec.Struct, frozen=True):
    """``counts[i]`` people feel ``i + 1``; ``total`` is how many have said."""

    counts: list[int]
    total: int


def mood_view(mood: Mood, lobby: Lobby) -> MoodView:
    counts = distribution(mood, lobby)
    return MoodView(counts, sum(counts))


def my_mood(mood: Mood, participant: str) -> int | None:
    """My current mood, or None before I set one."""
    return mood.moods.get(participant)
