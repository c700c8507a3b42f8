"""Projections of a room: what the screen, one participant and the console may see.

Views are plain msgspec Structs, so the JSON API encodes them directly and
the templates read the same fields. ``online`` is not in the log (connections
are transient), so the transport passes it in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from rooms.activities import ACTIVITIES, RoomState
from rooms.activity import REQUIRED
from rooms.lobby.domain import OrganisationType, Participant


class Counts(msgspec.Struct, frozen=True):
    joined: int
    online: int


class ParticipantRow(msgspec.Struct, frozen=True):
    id: str
    name: str | None
    organisation_type: str | None
    joined_at: int
    online: bool


# The lobby's header, the same in every view of a room.
_HEADER: list[tuple[str, Any, Any]] = [
    ("code", str, REQUIRED),
    ("title", str, REQUIRED),
    ("format", str, REQUIRED),
    ("language", str, REQUIRED),
    ("date", str | None, REQUIRED),
    ("status", str, REQUIRED),  # "open" | "closed"
    ("screen", str, REQUIRED),
    ("screen_poll", str | None, REQUIRED),
    ("participants", Counts, REQUIRED),
]
_ACTIVITY_FIELDS = [f for a in ACTIVITIES for f in a.view_fields]
_PERSONAL_FIELDS = [f for a in ACTIVITIES for f in a.personal_fields]


def _view_struct(name: str, fields: list[tuple[str, Any, Any]], doc: str) -> type[msgspec.Struct]:
    """A frozen view Struct whose fields are the lobby's header and every activity's."""
    return msgspec.defstruct(
        name,
        [(n, t) if d is REQUIRED else (n, t, d) for n, t, d in fields],
        kw_only=True,
        frozen=True,
        module=__name__,
        namespace={"__doc__": doc},
    )


PublicView = _view_struct(
    "PublicView",
    _HEADER + _ACTIVITY_FIELDS,
    "What anyone with the join code may see; the screen shows exactly this.",
)
Me = _view_struct(
    "Me",
    [
        ("id", str, REQUIRED),
        ("name", str | None, REQUIRED),
        ("organisation_type", str | None, REQUIRED),
        ("joined_at", int, REQUIRED),
        ("left", bool, REQUIRED),
        *_PERSONAL_FIELDS,
    ],
    "One participant's own view: who they are and what they did in each activity.",
)
ParticipantView = _view_struct(
    "ParticipantView",
    [*_HEADER, *_ACTIVITY_FIELDS, ("me", Me | None, REQUIRED)],
    "What one participant's phone shows: the public view as phones see it, and their own.",
)
ModeratorView = _view_struct(
    "ModeratorView",
    [
        *_HEADER,
        *_ACTIVITY_FIELDS,
        ("people", list[ParticipantRow], REQUIRED),
        ("organisation_types", dict[str, int], REQUIRED),
        ("joining_locked", bool, False),
        # joins in the minute before the latest one: a burst shows here (and a script's)
        ("joins_last_minute", int, 0),
    ],
    "The full view: everything in the event, for the console and exports.",
)

View = Any
"""The type of a built view: a Struct made from the registry, so its fields are
only known at run time (``PublicView``, ``Me``, ``ParticipantView``, ``ModeratorView``)."""


def _header(state: RoomState, online: int) -> dict[str, Any]:
    lob = state.lobby
    return {
        "code": lob.code,
        "title": lob.title,
        "format": lob.format.value,
        "language": lob.language.value,
        "date": lob.date,
        "status": "closed" if lob.closed else "open",
        "screen": str(lob.screen),
        "screen_poll": lob.screen_poll,
        "participants": Counts(lob.joined, online),
    }


def activity_fields(state: RoomState, audience: str) -> dict[str, Any]:
    """Every activity's view fields for ``audience``, as the room views embed them."""
    fields: dict[str, Any] = {}
    for activity in ACTIVITIES:
        fields.update(activity.view(state, audience))
    return fields


def public_view(
    state: RoomState,
    online: int,
    audience: str = "screen",
    fields: Mapping[str, Any] | None = None,
) -> View:
    """The room as ``audience`` (``screen``, ``participant`` or ``moderator``) may see it.

    ``fields``: the activities' view fields for ``audience``, where the caller
    has them already (the presenter keeps those of activities nothing changed
    in, server/present.py); otherwise they are built here.
    """
    if fields is None:
        fields = activity_fields(state, audience)
    return PublicView(**_header(state, online), **fields)


def me_view(
    state: RoomState, participant: str, pseudonyms: Mapping[str, str] | None = None
) -> View:
    """``pseudonyms``: poll id → the participant's pseudonym in that anonymous poll,
    from the transport (it holds the polls' secrets); without them the phone
    does not see its own anonymous ballots."""
    p = state.lobby.participants.get(participant)
    if p is None:
        return None
    fields: dict[str, Any] = {}
    for activity in ACTIVITIES:
        fields.update(activity.personal(state, p.id, pseudonyms or {}))
    return Me(
        id=p.id,
        name=p.name,
        organisation_type=_org(p),
        joined_at=p.joined_at,
        left=p.left,
        **fields,
    )


def participant_view(
    state: RoomState, participant: str, online: int, pseudonyms: Mapping[str, str] | None = None
) -> View:
    return ParticipantView(
        **_header(state, online),
        **activity_fields(state, "participant"),
        me=me_view(state, participant, pseudonyms),
    )


def organisation_mix(state: RoomState) -> dict[str, int]:
    """How many present participants come from each stakeholder group."""
    mix = {t.value: 0 for t in OrganisationType}
    mix["unknown"] = 0
    for p in state.lobby.participants.values():
        if not p.left:
            mix[_org(p) or "unknown"] += 1
    return mix


def people_fields(
    state: RoomState, online_ids: set[str] | frozenset[str], limit: int | None = None
) -> dict[str, Any]:
    """The moderator's people list and its numbers: they read the lobby and who is online.

    ``limit`` keeps the console light at 2,000 people: the newest rows first.
    """
    present = [p for p in state.lobby.participants.values() if not p.left]
    present.reverse()
    if limit is not None:
        present = present[:limit]
    rows = [ParticipantRow(p.id, p.name, _org(p), p.joined_at, p.id in online_ids) for p in present]
    return {
        "people": rows,
        "organisation_types": organisation_mix(state),
        "joining_locked": state.lobby.joining_locked,
        "joins_last_minute": joins_before_last(state.lobby.participants),
    }


def moderator_view(
    state: RoomState,
    online_ids: set[str] | frozenset[str],
    limit: int | None = None,
    fields: Mapping[str, Any] | None = None,
    people: Mapping[str, Any] | None = None,
) -> View:
    """Everything the console shows. ``fields`` as for :func:`public_view`, for the
    ``moderator`` audience; ``people``: :func:`people_fields`, where the caller has them."""
    if fields is None:
        fields = activity_fields(state, "moderator")
    if people is None:
        people = people_fields(state, online_ids, limit)
    return ModeratorView(**_header(state, len(online_ids)), **fields, **people)


def joins_before_last(participants: dict[str, Participant], window_ms: int = 60_000) -> int:
    """How many joined within ``window_ms`` up to the latest join (left ones count too).

    No clock: measured back from the last join, so the count is a function
    of the log. The dict is in join order, so only the burst itself is read.
    """
    count = 0
    last: int | None = None
    for p in reversed(participants.values()):
        if last is None:
            last = p.joined_at
        if p.joined_at < last - window_ms:
            break
        count += 1
    return count


def _org(p: Participant) -> str | None:
    return None if p.organisation_type is None else p.organisation_type.value
