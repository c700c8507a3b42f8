"""The room remembers each actor's most recent cids, newest last, and no more.

A resend of a remembered cid gets its first outcome and writes nothing; a
cid that fell out of the memory is decided afresh. The memory is one tuple
per actor, oldest first, rebuilt at each command (a lone outcome kept bare):
this holds its order and its bound. An anonymous ballot's outcome is filed
under the very string the poll files the ballot under, in the live room and
after a replay.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rooms.activities import Limits
from rooms.base import Actor, Role
from rooms.lobby.domain import Join
from rooms.lobby.limits import LobbyLimits
from rooms.polls.domain import CreatePoll, OpenPoll, Vote
from rooms.room import previous_outcome, remembered, replay
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
    # the model: the last KEEP distinct cids that wrote, oldest first
    remembered_cids: list[str] = []
    for n, cid in enumerate(script):
        before = state.seq
        handled = handle(
            state, CreatePoll(question=f"Frage {n}", options=["a", "b"]), MODERATOR, cid, T0, LIMITS
        )
        assert handled.ok
        if cid in remembered_cids:
            assert state.seq == before  # a resend: nothing written
            assert handled.seq is not None and handled.seq <= before
        else:
            assert state.seq == before + 1  # decided afresh, written once
            remembered_cids.append(cid)
            del remembered_cids[:-KEEP]
        log.extend(handled.envelopes)
        assert [o.cid for o in remembered(state, MODERATOR)] == remembered_cids
    rebuilt = replay(log, LIMITS)
    assert [o.cid for o in remembered(rebuilt, MODERATOR)] == remembered_cids
    assert rebuilt.outcomes == state.outcomes


def test_an_anonymous_ballot_keeps_one_key_for_its_outcome_and_itself() -> None:
    state, log = new_room()
    voter = Actor(Role.PARTICIPANT, "3f2a9c0d1e4b5a67")
    for command, actor, cid in (
        (Join("3f2a9c0d1e4b5a67", "Ada", None), Actor(Role.GUEST), None),
        (CreatePoll(question="Anonym?", options=["Ja", "Nein"]), MODERATOR, None),
        (OpenPoll("p1"), MODERATOR, None),
        (Vote(poll="p1", choice="o1"), voter, "v1"),
    ):
        handled = handle(state, command, actor, cid, T0)
        assert handled.ok, handled.reason
        log.extend(handled.envelopes)
    for room in (state, replay(log)):
        (key,) = room.polls.by_id["p1"].ballots
        (outcome_key,) = (k for k in room.outcomes if not k.startswith(("p:", "guest")))
        assert outcome_key is key  # one string for both, not two equal ones
        aliased = Actor(Role.PARTICIPANT, voter.participant, alias=key)
        earlier = previous_outcome(room, aliased, "v1")
        assert earlier is not None and earlier.seq == log[-1].seq
    # the same cid again is a resend: its first answer, nothing written
    again = handle(state, Vote(poll="p1", choice="o2"), voter, "v1", T0)
    assert again.ok and again.seq == log[-1].seq and not again.envelopes
