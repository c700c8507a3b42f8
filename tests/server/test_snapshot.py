"""The hub's committed-state snapshot equals a replay of the log, and continues like it."""

from __future__ import annotations

from collections.abc import Iterator

import msgspec
import pytest
from hypothesis import given, settings

from rooms.base import Actor
from rooms.room import Command, apply, replay
from server.writer import decode_snapshot, encode_snapshot
from tests.rooms.golden.record import stored_log
from tests.rooms.golden.views import golden_views
from tests.rooms.helpers import new_room, run
from tests.rooms.strategies import cheap_plans, more_steps, steps

Step = tuple[Actor, Command, str | None]


@pytest.fixture(autouse=True, scope="module")
def _cheap_plans() -> Iterator[None]:
    with cheap_plans():
        yield


@settings(max_examples=100, deadline=None)
@given(steps, more_steps)
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


def test_the_golden_room_survives_a_snapshot() -> None:
    """Every activity's state at once (tests/data/golden), not only what the strategies draw."""
    state = replay(stored_log())
    restored = decode_snapshot(encode_snapshot(state))
    assert msgspec.to_builtins(restored) == msgspec.to_builtins(state)
    assert golden_views(restored) == golden_views(state)
