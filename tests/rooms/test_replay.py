"""Properties of the log: replay rebuilds the room, resends change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rooms.activities import ACTIVITIES
from rooms.base import Actor, Role
from rooms.cafe.views import cafe_view
from rooms.lobby.domain import CloseEvent
from rooms.polls.domain import Vote
from rooms.polls.views import poll_views
from rooms.room import Command, Envelope, RoomState, apply, replay
from tests.rooms.golden.views import golden_views
from tests.rooms.helpers import T0, handle, new_room, run
from tests.rooms.strategies import (
    ACTIVITY_COMMANDS,
    DRAWN_BY_HAND,
    PEOPLE,
    cheap_plans,
    derived_commands,
    steps,
)

Step = tuple[Actor, Command, str | None]


@pytest.fixture(autouse=True, scope="module")
def _cheap_plans() -> Iterator[None]:
    with cheap_plans():
        yield


def snapshot(state: object) -> object:
    return msgspec.to_builtins(state)


@settings(max_examples=150, deadline=None)
@given(steps)
def test_replaying_the_log_rebuilds_the_room_exactly(script: list[Step]) -> None:
    state, log = new_room()
    run(state, log, script)
    assert [e.seq for e in log] == list(range(1, len(log) + 1))  # no gaps
    assert snapshot(replay(log)) == snapshot(state)


@settings(max_examples=150, deadline=None)
@given(steps)
def test_the_log_survives_encoding(script: list[Step]) -> None:
    state, log = new_room()
    run(state, log, script)
    raw = [msgspec.json.encode(e) for e in log]
    decoded = [msgspec.json.decode(r, type=Envelope) for r in raw]
    assert snapshot(replay(decoded)) == snapshot(state)


@settings(max_examples=150, deadline=None)
@given(steps)
def test_a_repeated_cid_changes_nothing_and_gets_the_first_answer(script: list[Step]) -> None:
    state, log = new_room()
    first = run(state, log, script)
    before = snapshot(state)
    for (actor, command, cid), answer in zip(script, first, strict=True):
        if cid is None or not answer.envelopes:
            continue
        again = handle(state, command, actor, cid, T0)
        if isinstance(command, Vote) and _sealed_anonymous(state, command.poll):
            # Its pseudonym's secret went with the seal: nothing can match the resend
            # to its ballot any more, so it is refused as sealed (not as "not counted"),
            # unless a check before the poll's refuses it first: the voter has left, or
            # the event is closed.
            expected = _refusal_before_the_poll(state, actor) or "poll_sealed"
            assert (again.ok, again.reason, again.envelopes) == (False, expected, [])
            continue
        assert again.envelopes == []
        assert (again.ok, again.seq, again.id) == (True, answer.seq, answer.id)
    assert snapshot(state) == before


def _refusal_before_the_poll(state: RoomState, actor: Actor) -> str | None:
    """What a vote is refused as before its poll is looked at (``polls.domain._decide_vote``)."""
    me = state.lobby.participants.get(actor.participant or "")
    if me is None or me.left:
        return "not_joined"
    return "event_closed" if state.lobby.closed else None


def _sealed_anonymous(state: RoomState, poll_id: str) -> bool:
    poll = state.polls.by_id.get(poll_id)
    return poll is not None and poll.sealed and poll.settings.anonymous


@settings(max_examples=150, deadline=None)
@given(steps)
def test_a_duplicate_entry_in_the_log_is_a_no_op(script: list[Step]) -> None:
    """Two workers may both append the same resend; apply counts it once."""
    state, log = new_room()
    run(state, log, script)
    duplicates = [e for e in log if e.cid is not None and e.part == 0]
    for original in duplicates:
        before = snapshot(state)
        copy = Envelope(state.seq + 1, original.at, original.actor, original.cid, original.event)
        touched = apply(state, copy)
        assert touched == set()
        after = snapshot(state)
        assert isinstance(before, dict) and isinstance(after, dict)
        assert after.pop("seq") == before.pop("seq") + 1
        assert after == before  # every activity's state, and the cid outcomes


@settings(max_examples=100, deadline=None)
@given(steps)
def test_views_of_the_live_room_equal_those_of_a_replay(script: list[Step]) -> None:
    """Views look at the state only; whatever they remember between calls (the café's
    quality figures, the polls' results) must not go stale while the live room moves on."""
    state, log = new_room()
    for i, (actor, command, cid) in enumerate(script):
        log.extend(handle(state, command, actor, cid, T0 + 1000 * (i + 1)).envelopes)
        cafe_view(state.cafe, state.lobby, moderator=True)  # the console, after every tick
        for audience in ("moderator", "screen", "participant"):
            poll_views(state.polls, state.lobby, audience)

    def views(room: RoomState) -> dict[str, Any]:
        return golden_views(room, tuple(PEOPLE), tuple(PEOPLE[::2]), PEOPLE[0])

    assert views(state) == views(replay(log))


@settings(max_examples=100, deadline=None)
@given(steps)
def test_joined_counts_the_people_present(script: list[Step]) -> None:
    state, log = new_room()
    run(state, log, script)
    present = [p for p in state.lobby.participants.values() if not p.left]
    assert state.lobby.joined == len(present)


def test_the_strategies_draw_the_commands_of_every_activity() -> None:
    """The registry is the list of activities; a new one is drawn without a line in the
    strategies (derived from its command types), and no hand-written ones are orphaned."""
    assert set(ACTIVITY_COMMANDS) == {a.name for a in ACTIVITIES if a.commands}
    assert set(DRAWN_BY_HAND) <= set(ACTIVITY_COMMANDS)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_every_activity_s_commands_can_be_derived_from_their_types(data: st.DataObject) -> None:
    """Also those drawn by hand: so a new activity's field types are known to be drawable."""
    activity = data.draw(st.sampled_from([a for a in ACTIVITIES if a.commands]))
    actor, command = data.draw(derived_commands(activity))
    assert isinstance(command, activity.commands)
    assert isinstance(actor, Actor)


def test_a_gap_in_the_log_is_refused() -> None:
    state, _ = new_room()
    handled = handle(state, CloseEvent(), Actor(Role.MODERATOR), None, T0)
    gap = Envelope(handled.envelopes[0].seq + 5, T0, "moderator", None, handled.envelopes[0].event)
    with pytest.raises(ValueError, match="gap"):
        apply(state, gap)
