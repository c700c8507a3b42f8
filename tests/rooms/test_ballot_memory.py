"""Ballots hold as little of their own as they can, and stay equal to what was cast.

A three-hour event keeps ~18,000 ballots (docs/benchmarks.md, "Stamina"), so
plain choices and values share one Ballot object, and ballots that name
options (multiple choice, ranking, points) name them by strings every ballot
shares; a ballot decoded from the log would otherwise carry its own copy of
"o1", "o2" … Each holds in the live room and after a replay of the stored
log (decoded afresh, as a worker loading the room does).
"""

from __future__ import annotations

import msgspec

from rooms.base import Actor, Role
from rooms.lobby.domain import Join
from rooms.polls.domain import Ballot, CreatePoll, OpenPoll, PollKind, Vote
from rooms.room import Envelope, RoomState, replay
from tests.rooms.helpers import T0, ballot_of, handle, new_room

PEOPLE = ["3f2a9c0d1e4b5a67", "a0b1c2d3e4f50617", "9e8d7c6b5a4f3e2d"]
MOD = Actor(Role.MODERATOR)
OPTIONS = ["Busse", "Bahn", "Rad", "Fuß"]


def event_with_ballots() -> tuple[RoomState, list[Envelope]]:
    state, log = new_room()
    commands: list[tuple[object, Actor]] = [
        (Join(pid, f"Name {pid[:4]}", None), Actor(Role.GUEST)) for pid in PEOPLE
    ]
    commands += [
        (CreatePoll(kind=PollKind.MULTIPLE, question="Was nutzen Sie?", options=OPTIONS), MOD),
        (CreatePoll(kind=PollKind.RANKING, question="Was zuerst?", options=OPTIONS), MOD),
        (CreatePoll(kind=PollKind.POINTS, question="Wohin das Geld?", options=OPTIONS), MOD),
        (CreatePoll(kind=PollKind.SINGLE, question="Zufrieden?", options=["Ja", "Nein"]), MOD),
        (OpenPoll("p1"), MOD),
        (OpenPoll("p2"), MOD),
        (OpenPoll("p3"), MOD),
        (OpenPoll("p4"), MOD),
    ]
    for pid in PEOPLE:
        me = Actor(Role.PARTICIPANT, pid)
        commands += [
            (Vote(poll="p1", choices=["o2", "o4"]), me),
            (Vote(poll="p2", ranking=["o3", "o1", "o4", "o2"]), me),
            (Vote(poll="p3", points={"o1": 60, "o4": 40}), me),
            (Vote(poll="p4", choice="o1"), me),
        ]
    for n, (command, actor) in enumerate(commands):
        handled = handle(state, command, actor, f"c{n}", T0)  # type: ignore[arg-type]
        assert handled.ok, handled.reason
        log += handled.envelopes
    return state, log


def stored_and_loaded(log: list[Envelope]) -> RoomState:
    """The log through its stored bytes and back, so no string is the live room's."""
    encoded = [msgspec.msgpack.encode(e) for e in log]
    return replay([msgspec.msgpack.decode(b, type=Envelope) for b in encoded])


def option_ids(ballot: Ballot | None) -> list[str]:
    """The option id strings a ballot holds, in order."""
    assert ballot is not None
    return list(ballot.choices or ballot.ranking or ballot.points or ())


def test_ballots_share_their_option_ids_and_plain_ballots_are_one() -> None:
    state, log = event_with_ballots()
    for room in (state, stored_and_loaded(log)):
        first, *others = PEOPLE
        mine = {poll: ballot_of(room, poll, first) for poll in ("p1", "p2", "p3", "p4")}
        assert mine["p1"] == Ballot(choices=["o2", "o4"])
        assert mine["p2"] == Ballot(ranking=["o3", "o1", "o4", "o2"])
        assert mine["p3"] == Ballot(points={"o1": 60, "o4": 40})
        for pid in others:
            theirs = {poll: ballot_of(room, poll, pid) for poll in ("p1", "p2", "p3", "p4")}
            for poll in ("p1", "p2", "p3"):
                pairs = zip(option_ids(mine[poll]), option_ids(theirs[poll]), strict=True)
                assert all(a is b for a, b in pairs), poll  # one string, not equal copies
            assert theirs["p4"] is mine["p4"]  # a plain choice: one object for all
