"""Pausing joins (issue 15): the moderator's one key against a burst of scripted joins."""

from __future__ import annotations

from rooms.base import Actor, Role
from rooms.lobby.domain import Join, LockJoining, ParticipantJoined
from rooms.room import Envelope, apply, replay
from rooms.views import joins_before_last, moderator_view
from tests.rooms.helpers import T0, new_room, run

MOD = Actor(Role.MODERATOR)
GUEST = Actor(Role.GUEST, client="c1")


def test_only_the_moderator_pauses_and_joins_wait_until_allowed_again() -> None:
    state, log = new_room()
    anna = Actor(Role.PARTICIPANT, "a")
    first, by_guest, by_anna, locked, again, refused, opened, later = run(
        state,
        log,
        [
            (GUEST, Join("a", "Anna"), "j1"),
            (GUEST, LockJoining(), "x"),
            (anna, LockJoining(), "y"),
            (MOD, LockJoining(), "l1"),
            (MOD, LockJoining(), "l2"),  # already paused: nothing to write
            (GUEST, Join("b", "Bot"), "j2"),
            (MOD, LockJoining(locked=False), "u1"),
            (GUEST, Join("c", "Cem"), "j3"),
        ],
    )
    assert first.ok and locked.ok and opened.ok and later.ok
    assert by_guest.reason == by_anna.reason == "not_allowed"
    assert again.ok and again.envelopes == []
    assert refused.reason == "joining_locked"
    assert set(state.lobby.participants) == {"a", "c"}
    assert replay(log) == state


def test_a_join_logged_after_the_pause_is_a_no_op() -> None:
    """Two workers: one decided the join before it saw the pause; the log order wins."""
    state, log = new_room()
    run(state, log, [(MOD, LockJoining(), "l1")])
    late = Envelope(state.seq + 1, T0, "guest:x", "j", ParticipantJoined("b", None, None))
    assert apply(state, late) == set()
    assert "b" not in state.lobby.participants and state.lobby.joined == 0


def test_the_console_sees_a_burst_of_joins() -> None:
    state, log = new_room()
    steps = [(Actor(Role.GUEST, client=f"c{i}"), Join(f"p{i}"), "j") for i in range(5)]
    run(state, log, steps)  # one second apart
    assert joins_before_last(state.lobby.participants) == 5
    assert joins_before_last(state.lobby.participants, window_ms=2_000) == 3
    view = moderator_view(state, set())
    assert view.joins_last_minute == 5 and view.joining_locked is False
