"""The room remembers each actor's most recent cids, newest last, and no more.

A resend of a remembered cid gets its first outcome and writes nothing; a
cid that fell out of the memory is decided afresh. The memory is one tuple
per actor, oldest first, rebuilt at each command: this holds its order and
its bound.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rooms.activities import Limits
from rooms.base import Actor, Role
from rooms.lobby.limits import LobbyLimits
from rooms.polls.domain import CreatePoll
from rooms.room import replay
from tests.rooms.helpers import T0, handle, new_room

KEEP = 4
LIMITS = Limits(lobby=LobbyLimits(recent_cids_per_actor=KEEP))
MODERATOR = Actor(Role.MODERATOR)

# A script of cids: the same cid again is a resend (of an old or a recent command).
cids = st.lists(st.sampled_from([f"c{i}" for i in range(10)]), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(cids)
def test_the_most_recent_cids_are_remembered_newest_last(script: list[str]) -> None:
    state, log = new_room()
    remembered: list[str] = []  # the model: the last KEEP distinct cids that wrote, oldest first
    for n, cid in enumerate(script):
        before = state.seq
        handled = handle(
            state, CreatePoll(question=f"Frage {n}", options=["a", "b"]), MODERATOR, cid, T0, LIMITS
        )
        assert handled.ok
        if cid in remembered:
            assert state.seq == before  # a resend: nothing written
            assert handled.seq is not None and handled.seq <= before
        else:
            assert state.seq == before + 1  # decided afresh, written once
            remembered.append(cid)
            del remembered[:-KEEP]
        log.extend(handled.envelopes)
        assert [o.cid for o in state.outcomes[MODERATOR.log_key]] == remembered
    rebuilt = replay(log, LIMITS)
    assert [o.cid for o in rebuilt.outcomes[MODERATOR.log_key]] == remembered
    assert rebuilt.outcomes == state.outcomes
