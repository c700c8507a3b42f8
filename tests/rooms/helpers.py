"""A room driven the way the hub drives it, minus the I/O."""

from __future__ import annotations

from collections.abc import Sequence

from rooms.base import Actor, Role
from rooms.lobby.domain import CreateEvent, Format, Language
from rooms.room import Command, Envelope, Handled, RoomState, handle

T0 = 1_700_000_000_000


def new_room(code: str = "ABCDEF") -> tuple[RoomState, list[Envelope]]:
    state = RoomState()
    created = handle(
        state,
        CreateEvent(code, "Zukunft der Industrie", Format.WORLD_CAFE, Language.DE, None, "h"),
        Actor(Role.ADMIN),
        None,
        T0,
    )
    assert created.ok
    return state, list(created.envelopes)


def run(
    state: RoomState, log: list[Envelope], steps: Sequence[tuple[Actor, Command, str | None]]
) -> list[Handled]:
    results = []
    for i, (actor, command, cid) in enumerate(steps):
        handled = handle(state, command, actor, cid, T0 + 1000 * (i + 1))
        log.extend(handled.envelopes)
        results.append(handled)
    return results
