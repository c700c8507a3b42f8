"""Every view of a room that the golden log pins down, in one place.

A refactor that moves the view functions fixes the imports here and nowhere
else; the recorded JSON stays as it is, which is the point.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from rooms.cafe.views import cafe_view, my_cafe
from rooms.ideas.views import action_views, board_views, my_ideas
from rooms.room import RoomState
from rooms.views import me_view, moderator_view, participant_view, public_view

ONLINE = ("p01", "p03", "p05", "p08")
"""Who counts as connected when the views are built (presence is not in the log)."""

PHONE = "p01"
"""Whose whole phone view is recorded; the others' differ only in their own part (``me``)."""

PEOPLE = ("p01", "p03", "p04", "p08", "p09")
"""Whose own part is recorded: named, host, anonymous, late arrival, and one who left."""


ADDED_SINCE_RECORDING = frozenset(
    {
        "joining_locked",  # the console's join lock (moderator view)
        "joins_last_minute",  # the console's arrival rate (moderator view)
        "targets",  # cluster proposals: cards sorted into existing clusters (issue 18)
        "unsure",  # cluster proposals: cards the sorting was unsure of (issue 18)
        "confidence",  # cluster proposals: how sure, per card (issue 18)
        "qna",  # the Q&A's sessions, and a phone's own questions (issue 12)
        "speakers",  # the speaker list, and a phone's own places (issue 12)
        "floor",  # café quality: the proven lower bound on repeats (issue 20)
        "pairs",  # café quality: pairs who met more than once (issue 20)
        "most",  # café quality: the most meetings of one pair (issue 20)
        "agenda",  # the run of show: phases and the current one (issue 13)
    }
)
"""View fields added by later releases: new information, so the recorded views lack them.
Only these names may be missing from a recording; every recorded field must be equal."""


ACCEPTED_CHANGES: tuple[tuple[str, tuple[str | int, ...], Any, Any], ...] = (
    # Someone who left the event is no longer named in named poll results, not
    # even on the console (privacy work after the refactor, on purpose).
    ("end", ("moderator", "polls", 0, "results", "names", "o4"), ["Ivo Petrov"], []),
    # Café repeats are counted as the solver weighs them since issue 20: a pair
    # that met k times counts (k-1)^2, not k-1 (the plan itself is unchanged).
    ("cafe paused", ("moderator", "cafe", "quality", "repeats"), 6, 12),
    ("cafe paused", ("cafe_console", "quality", "repeats"), 6, 12),
    ("cafe changeover", ("moderator", "cafe", "quality", "repeats"), 5, 7),
    ("cafe changeover", ("cafe_console", "quality", "repeats"), 5, 7),
    ("ideas proposal pending", ("moderator", "cafe", "quality", "repeats"), 5, 7),
    ("ideas proposal pending", ("cafe_console", "quality", "repeats"), 5, 7),
    ("ideas blind board", ("moderator", "cafe", "quality", "repeats"), 5, 7),
    ("ideas blind board", ("cafe_console", "quality", "repeats"), 5, 7),
    ("end", ("moderator", "cafe", "quality", "repeats"), 5, 7),
    ("end", ("cafe_console", "quality", "repeats"), 5, 7),
)
"""Recorded values that a later release changed on purpose: (checkpoint, path, was, is).
Each is checked to be what was recorded before it is replaced; keep this list short."""


def with_accepted_changes(checkpoint: str, recorded: dict[str, Any]) -> dict[str, Any]:
    """The recorded views of ``checkpoint`` with :data:`ACCEPTED_CHANGES` made."""
    out: dict[str, Any] = json.loads(json.dumps(recorded))
    for name, path, was, now in ACCEPTED_CHANGES:
        if name != checkpoint:
            continue
        *parents, last = path
        node: Any = out
        for key in parents:
            node = node[key]
        assert node[last] == was, (checkpoint, path)
        node[last] = now
    return out


def added_fields_removed(now: Any, recorded: Any) -> Any:
    """``now`` without the fields of :data:`ADDED_SINCE_RECORDING` that ``recorded`` lacks."""
    if isinstance(now, dict) and isinstance(recorded, dict):
        return {
            k: added_fields_removed(v, recorded.get(k))
            for k, v in now.items()
            if k in recorded or k not in ADDED_SINCE_RECORDING
        }
    if isinstance(now, list) and isinstance(recorded, list) and len(now) == len(recorded):
        return [added_fields_removed(n, r) for n, r in zip(now, recorded, strict=True)]
    return now


def golden_views(
    state: RoomState,
    people: tuple[str, ...] = PEOPLE,
    online_ids: tuple[str, ...] = ONLINE,
    phone: str = PHONE,
) -> dict[str, Any]:
    """Every projection of ``state``, as plain JSON data (what the stored file holds).

    The property tests pass their own cast (``people``, ``online_ids``, ``phone``).
    """
    online = frozenset(online_ids)
    views: dict[str, Any] = {
        "screen": public_view(state, len(online)),
        "moderator": moderator_view(state, online),
        "moderator_newest_rows": moderator_view(state, online, limit=2).people,
        "cafe_public": cafe_view(state.cafe, state.lobby),
        "cafe_console": cafe_view(state.cafe, state.lobby, moderator=True),
        "actions": {
            audience: action_views(state.actions, audience, state.lobby)
            for audience in ("screen", "participant", "moderator")
        },
        "boards": {
            audience: board_views(state.ideas, audience, state.lobby)
            for audience in ("screen", "participant", "moderator")
        },
        "phone": participant_view(state, phone, len(online)),
        "me": {pid: me_view(state, pid) for pid in people},
        "my_cafe": {pid: my_cafe(state.cafe, pid) for pid in people},
        "my_ideas": {pid: my_ideas(state.ideas, state.actions, pid) for pid in people},
    }
    # Through JSON and back, so what is compared is exactly what the file can hold.
    plain: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(views))
    return plain
