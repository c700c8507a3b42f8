"""What each audience sees of the speaker list.

The list is public: the screen shows the current speaker and the next names
anyway. The moderator also sees the direct replies still waiting for a
decision, and the statistics by organisation type. A participant's own
places and whether it is their turn are their personal view, rendered again
whenever the list moves (``apply`` returns everyone on it).
"""

from __future__ import annotations

import msgspec

from rooms.speakers.domain import Entry, Speakers, TypeStats, speaking_order, stats_by_type


class EntryView(msgspec.Struct, frozen=True, omit_defaults=True):
    id: str
    name: str
    organisation_type: str | None
    subject: str
    direct: bool = False
    allowed: bool = False
    first_time: bool = False


class TurnView(msgspec.Struct, frozen=True, omit_defaults=True):
    """The current turn: counting down from ``ends_at`` or, paused, ``remaining`` ms left."""

    entry: EntryView
    started_at: int
    ends_at: int | None = None
    paused: bool = False
    remaining: int | None = None
    spoken: int = 0  # ms before the last pause


class SpeakersView(msgspec.Struct, frozen=True, omit_defaults=True):
    open: bool
    seconds: int
    alternate: str
    current: TurnView | None
    queue: list[EntryView]  # in speaking order: allowed direct replies first
    requests: list[EntryView] | None = None  # moderator: direct replies awaiting a decision
    stats: dict[str, TypeStats] | None = None  # moderator: by organisation type


class MySpeakers(msgspec.Struct, frozen=True):
    """My places in the speaking order (entry → place) and whether it is my turn."""

    places: dict[str, int]
    waiting: list[str]  # my entries waiting (including direct replies not yet allowed)
    speaking: bool


def entry_view(e: Entry, spoken: set[str]) -> EntryView:
    return EntryView(
        id=e.id,
        name=e.name,
        organisation_type=e.organisation_type.value if e.organisation_type else None,
        subject=e.subject,
        direct=e.direct,
        allowed=e.allowed,
        first_time=e.key not in spoken,
    )


def speakers_view(sp: Speakers, audience: str) -> SpeakersView:
    moderator = audience == "moderator"
    spoken = {sp.entries[s.entry].key for s in sp.history}
    current = None
    if sp.current is not None:
        turn = sp.current
        current = TurnView(
            entry=entry_view(sp.entries[turn.entry], spoken),
            started_at=turn.started_at,
            ends_at=turn.ends_at if turn.running_since is not None else None,
            paused=turn.running_since is None,
            remaining=turn.remaining,
            spoken=turn.spoken,
        )
    if current is not None:
        spoken.add(sp.entries[sp.current.entry].key if sp.current else "")
    return SpeakersView(
        open=sp.open,
        seconds=sp.seconds,
        alternate=sp.alternate.value,
        current=current,
        queue=[entry_view(e, spoken) for e in speaking_order(sp)],
        requests=(
            [entry_view(sp.entries[e], spoken) for e in sp.direct if not sp.entries[e].allowed]
            if moderator
            else None
        ),
        stats=stats_by_type(sp) if moderator else None,
    )


def my_speakers(sp: Speakers, participant: str) -> MySpeakers:
    places = {e.id: n for n, e in enumerate(speaking_order(sp), start=1)}
    mine = [e.id for e in sp.waiting() if e.participant == participant]
    speaking = sp.current is not None and sp.entries[sp.current.entry].participant == participant
    return MySpeakers({e: places[e] for e in mine if e in places}, mine, speaking)
