"""The hub's committed-state snapshot equals a replay of the log, and continues like it."""

from __future__ import annotations

import msgspec
from hypothesis import given, settings

from rooms.base import Actor
from rooms.room import Command, apply, replay
from server.writer import decode_snapshot, encode_snapshot
from tests.rooms.helpers import new_room, run
from tests.rooms.strategies import steps

Step = tuple[Actor, Command, str | None]


@settings(max_examples=100)
@given(steps, steps)
def test_a_snapshot_restores_the_room_and_applies_later_entries_like_a_replay(
    first: list[Step], later: list[Step]
) -> None:
    state, log = new_room()
    run(state, log, first)
    snapshot = encode_snapshot(state)
    cut = len(log)
    run(state, log, later)  # the live state moves on, as a worker's does
    restored = decode_snapshot(snapshot)
    assert msgspec.to_builtins(restored) == msgspec.to_builtins(replay(log[:cut]))
    for envelope in log[cut:]:
        apply(restored, envelope)
    assert msgspec.to_builtins(restored) == msgspec.to_builtins(replay(log))
    assert msgspec.to_builtins(restored) == msgspec.to_builtins(state)
