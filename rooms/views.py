"""Projections of a room: what the screen, one participant and the console may see.

Views are plain msgspec Structs, so the JSON API encodes them directly and
the templates read the same fields. ``online`` is not in the log (connections
are transient), so the transport passes it in.
"""

from __future__ import annotations

import msgspec

from rooms.lobby import OrganisationType, Participant
from rooms.room import RoomState


class Counts(msgspec.Struct, frozen=True):
    joined: int
    online: int


class PublicView(msgspec.Struct, frozen=True):
    """What anyone with the join code may see; the screen shows exactly this."""

    code: str
    title: str
    format: str
    language: str
    date: str | None
    status: str  # "open" | "closed"
    screen: str
    participants: Counts


class Me(msgspec.Struct, frozen=True):
    id: str
    name: str | None
    organisation_type: str | None
    joined_at: int
    left: bool


class ParticipantRow(msgspec.Struct, frozen=True):
    id: str
    name: str | None
    organisation_type: str | None
    joined_at: int
    online: bool


class ModeratorView(msgspec.Struct, frozen=True):
    """The full view: everything in the event, for the console and exports."""

    code: str
    title: str
    format: str
    language: str
    date: str | None
    status: str
    screen: str
    participants: Counts
    people: list[ParticipantRow]
    organisation_types: dict[str, int]


class ParticipantView(msgspec.Struct, frozen=True):
    code: str
    title: str
    format: str
    language: str
    date: str | None
    status: str
    screen: str
    participants: Counts
    me: Me | None


def public_view(state: RoomState, online: int) -> PublicView:
    lob = state.lobby
    return PublicView(
        code=lob.code,
        title=lob.title,
        format=lob.format.value,
        language=lob.language.value,
        date=lob.date,
        status="closed" if lob.closed else "open",
        screen=lob.screen.value,
        participants=Counts(lob.joined, online),
    )


def me_view(state: RoomState, participant: str) -> Me | None:
    p = state.lobby.participants.get(participant)
    if p is None:
        return None
    return Me(p.id, p.name, _org(p), p.joined_at, p.left)


def participant_view(state: RoomState, participant: str, online: int) -> ParticipantView:
    pub = public_view(state, online)
    return ParticipantView(**msgspec.structs.asdict(pub), me=me_view(state, participant))


def organisation_mix(state: RoomState) -> dict[str, int]:
    """How many present participants come from each stakeholder group."""
    mix = {t.value: 0 for t in OrganisationType}
    mix["unknown"] = 0
    for p in state.lobby.participants.values():
        if not p.left:
            mix[_org(p) or "unknown"] += 1
    return mix


def moderator_view(
    state: RoomState, online_ids: set[str] | frozenset[str], limit: int | None = None
) -> ModeratorView:
    """``limit`` keeps the console light at 2,000 people: the newest rows first."""
    present = [p for p in state.lobby.participants.values() if not p.left]
    present.reverse()
    if limit is not None:
        present = present[:limit]
    rows = [ParticipantRow(p.id, p.name, _org(p), p.joined_at, p.id in online_ids) for p in present]
    pub = public_view(state, len(online_ids))
    return ModeratorView(
        **msgspec.structs.asdict(pub), people=rows, organisation_types=organisation_mix(state)
    )


def _org(p: Participant) -> str | None:
    return None if p.organisation_type is None else p.organisation_type.value
