"""Anonymous ballots in the log: under a per-poll pseudonym, never under the voter's id.

The stored entries of an anonymous poll name nobody, a replay of them gives
the same views as the live room, a changed vote still replaces the ballot,
and once the poll is sealed its secret is not needed (nor wanted) any more.
Logs written before pseudonyms (``poll.voted`` with the id) replay unchanged
(tests/rooms/test_golden_log.py); ``tests/data/golden/anonymous_ballots.log.json``
is the new shape's own stored log, which later releases must replay too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from rooms.base import Actor, Rejected, Role
from rooms.lobby.domain import Join
from rooms.polls.domain import (
    AnonymousVoteCast,
    Ballot,
    ClosePoll,
    CreatePoll,
    OpenPoll,
    PollKind,
    ResetPoll,
    SealPoll,
    Vote,
    VoteCast,
)
from rooms.polls.pseudonyms import pseudonym, pseudonyms
from rooms.polls.tally import ChoiceResults, tally
from rooms.room import Envelope, RoomState, apply, decide, replay
from rooms.room import handle as core_handle
from rooms.views import me_view, moderator_view, public_view
from tests.rooms.helpers import SECRETS, T0, ballot_of, handle, my_pseudonyms, new_room

GOLDEN = Path(__file__).parents[1] / "data" / "golden" / "anonymous_ballots.log.json"

# Participant ids as the server makes them (16 hex digits), so a search for one in
# the stored bytes cannot hit a poll id or a tag by accident.
PEOPLE = ["3f2a9c0d1e4b5a67", "a0b1c2d3e4f50617", "9e8d7c6b5a4f3e2d", "0123456789abcdef"]
MOD = Actor(Role.MODERATOR)
_encode = msgspec.json.Encoder().encode


def person(pid: str) -> Actor:
    return Actor(Role.PARTICIPANT, pid)


def room_with_polls() -> tuple[RoomState, list[Envelope]]:
    """p1 anonymous (the default), p2 named, p3 an anonymous text poll; all open."""
    state, log = new_room()
    for pid in PEOPLE:
        log += handle(
            state, Join(pid, f"Name {pid[:4]}", None), Actor(Role.GUEST), None, T0
        ).envelopes
    for command in (
        CreatePoll(kind=PollKind.SINGLE, question="Anonym?", options=["Ja", "Nein", "Egal"]),
        CreatePoll(question="Namentlich?", options=["Ja", "Nein", "Egal"], anonymous=False),
        CreatePoll(kind=PollKind.TEXT, question="Ein Wort?"),
        OpenPoll("p1"),
        OpenPoll("p2"),
        OpenPoll("p3"),
    ):
        handled = handle(state, command, MOD, None, T0)
        assert handled.ok, handled.reason
        log += handled.envelopes
    return state, log


def ballot_for(poll: str, n: int) -> dict[str, Any]:
    return {"text": f"Wort {n}"} if poll == "p3" else {"choice": f"o{n % 3 + 1}"}


step = st.one_of(
    st.tuples(
        st.just("vote"),
        st.sampled_from(PEOPLE),
        st.sampled_from(["p1", "p2", "p3"]),
        st.integers(0, 5),
        st.sampled_from([None, "a", "b", "c"]),
    ),
    st.tuples(
        st.sampled_from(["close", "open", "reset", "seal"]),
        st.none(),
        st.sampled_from(["p1", "p2", "p3"]),
        st.none(),
        st.none(),
    ),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(step, max_size=40))
def test_anonymous_ballots_name_nobody_replay_alike_and_a_new_vote_replaces(
    steps: list[tuple[str, str | None, str, int | None, str | None]],
) -> None:
    state, log = room_with_polls()
    model: dict[str, dict[str, Ballot]] = {"p1": {}, "p2": {}, "p3": {}}
    status = {"p1": "open", "p2": "open", "p3": "open"}
    for i, (action, who, poll, n, cid) in enumerate(steps):
        now = T0 + 1000 * (i + 1)
        if action == "vote":
            assert who is not None and n is not None
            handled = handle(state, Vote(poll=poll, **ballot_for(poll, n)), person(who), cid, now)
            log += handled.envelopes
            if status[poll] == "open" and handled.envelopes:
                model[poll][who] = msgspec.convert(ballot_for(poll, n), Ballot)
            continue
        command = {"close": ClosePoll, "open": OpenPoll, "reset": ResetPoll, "seal": SealPoll}
        handled = handle(state, command[action](poll), MOD, None, now)
        log += handled.envelopes
        if handled.envelopes:
            if action == "reset":
                model[poll] = {}
            elif action in ("close", "seal"):
                status[poll] = "sealed" if action == "seal" else "closed"
            elif action == "open":
                status[poll] = "open"

    # 1. No entry of an anonymous poll's ballot holds a participant id, in any field.
    anonymous_votes = [e.event for e in log if isinstance(e.event, AnonymousVoteCast)]
    for entry in [e for e in log if isinstance(e.event, AnonymousVoteCast)]:
        stored = _encode(entry)
        assert not any(pid.encode() in stored for pid in PEOPLE), stored
        assert entry.actor.startswith("v:")
    # ... while a named poll's ballots keep the id (its report names the voters).
    for entry in log:
        if isinstance(entry.event, VoteCast):
            assert entry.event.poll == "p2" and entry.event.participant in PEOPLE
    assert all(vote.poll != "p2" for vote in anonymous_votes)

    # 2. One ballot per person: a new vote replaced the old one, in every poll.
    for poll, expected in model.items():
        assert len(state.polls.by_id[poll].ballots) == len(expected)
        for pid in PEOPLE:
            assert ballot_of(state, poll, pid) == expected.get(pid), (poll, pid)

    # 3. A replay gives the same views: the screen, the console, and each phone's own
    # (with the pseudonyms the transport hands in; none for a sealed poll).
    again = replay(log)
    assert _views(again) == _views(state)
    for pid in PEOPLE:
        mine = me_view(state, pid, my_pseudonyms(state, pid)).ballots
        assert mine == me_view(again, pid, my_pseudonyms(again, pid)).ballots
        for poll, expected in model.items():
            shown = status[poll] != "sealed" or poll == "p2"
            assert mine.get(poll) == (expected.get(pid) if shown else None), (poll, pid)


def _views(state: RoomState) -> Any:
    return msgspec.to_builtins(
        [public_view(state, 0), public_view(state, 0, "participant"), moderator_view(state, set())]
    )


def test_a_resend_of_an_anonymous_vote_gets_its_first_answer() -> None:
    """The cid is scoped by the pseudonym, so a phone resending after a lost ack
    does not cast its older vote over a newer one."""
    state, _ = room_with_polls()
    voter = person(PEOPLE[0])
    first = handle(state, Vote(poll="p1", choice="o1"), voter, "c1", T0)
    handle(state, Vote(poll="p1", choice="o2"), voter, "c2", T0)
    resent = handle(state, Vote(poll="p1", choice="o1"), voter, "c1", T0)
    assert (resent.ok, resent.seq, resent.envelopes) == (True, first.seq, [])
    assert ballot_of(state, "p1", PEOPLE[0]) == Ballot(choice="o2")
    assert first.touched == {PEOPLE[0]}  # the phone's "your vote" is rendered again


def test_pseudonyms_differ_between_polls_and_from_ids() -> None:
    a, b = SECRETS["p1"], SECRETS["p3"]
    pid = PEOPLE[0]
    assert pseudonym(a, pid) == pseudonym(a, pid)
    assert len({pseudonym(a, pid), pseudonym(b, pid), pseudonym(a, PEOPLE[1]), pid}) == 4
    assert len(pseudonym(a, pid)) == 24 != len(pid)


def test_without_the_poll_s_secret_an_anonymous_vote_is_refused_not_stored_by_id() -> None:
    state, _ = room_with_polls()
    refused = core_handle(state, Vote(poll="p1", choice="o1"), person(PEOPLE[0]), "c", T0)
    assert (refused.ok, refused.reason, refused.transient) == (False, "pseudonym_missing", True)
    assert state.polls.by_id["p1"].ballots == {}
    named = core_handle(state, Vote(poll="p2", choice="o1"), person(PEOPLE[0]), "c", T0)
    assert named.ok and state.polls.by_id["p2"].ballots == {PEOPLE[0]: Ballot(choice="o1")}


def test_a_sealed_poll_stays_closed_and_keeps_its_results() -> None:
    state, log = room_with_polls()
    for pid, choice in zip(PEOPLE, ["o1", "o2", "o1", "o3"], strict=True):
        log += handle(state, Vote(poll="p1", choice=choice), person(pid), None, T0).envelopes
    before = tally(state.polls.by_id["p1"])
    assert handle(state, SealPoll("p1"), MOD, None, T0).ok
    poll = state.polls.by_id["p1"]
    assert poll.sealed and poll.status == "closed"
    assert tally(poll) == before == ChoiceResults(4, {"o1": 2, "o2": 1, "o3": 1})
    for command in (OpenPoll("p1"), ResetPoll("p1")):
        assert handle(state, command, MOD, None, T0).reason == "poll_sealed"
    assert handle(state, SealPoll("p1"), MOD, None, T0).envelopes == []  # sealed once
    late = handle(state, Vote(poll="p1", choice="o2"), person(PEOPLE[0]), None, T0)
    assert late.reason == "poll_sealed"
    # The transport no longer hands in a pseudonym for it: the phone shows no ballot.
    assert "p1" not in pseudonyms(state.polls, PEOPLE[0], {"p1": SECRETS["p1"]})
    assert "p1" not in me_view(state, PEOPLE[0], my_pseudonyms(state, PEOPLE[0])).ballots
    assert handle(state, SealPoll("p9"), MOD, None, T0).reason == "poll_not_found"
    assert handle(state, SealPoll("p1"), person(PEOPLE[0]), None, T0).reason == "not_allowed"


def test_a_re_open_decided_before_the_seal_does_not_open_it_after() -> None:
    """Two consoles on two workers: the log order wins, and sealed is final."""
    state, _ = room_with_polls()
    handle(state, ClosePoll("p1"), MOD, None, T0)
    reopen = decide(state, OpenPoll("p1"), MOD, T0)  # by a worker that had not seen the seal
    assert handle(state, SealPoll("p1"), MOD, None, T0).ok
    assert not isinstance(reopen, Rejected)
    apply(state, Envelope(state.seq + 1, T0, MOD.key, None, reopen.events[0]))
    assert state.polls.by_id["p1"].status == "closed"


def test_a_ballot_cast_before_pseudonyms_is_replaced_in_place() -> None:
    """An event that was running when the server was upgraded: a person whose ballot
    in an anonymous poll is under their id (an older release's ``poll.voted``) still
    has one ballot after voting again."""
    state, log = room_with_polls()
    old = Envelope(
        state.seq + 1, T0, f"p:{PEOPLE[0]}", "old", VoteCast("p1", PEOPLE[0], Ballot("o1"))
    )
    log.append(old)
    state = replay(log)
    assert ballot_of(state, "p1", PEOPLE[0]) == Ballot(choice="o1")  # the phone still sees it
    again = handle(state, Vote(poll="p1", choice="o2"), person(PEOPLE[0]), "new", T0)
    assert [type(e.event) for e in again.envelopes] == [VoteCast]
    assert state.polls.by_id["p1"].ballots == {PEOPLE[0]: Ballot(choice="o2")}
    other = handle(state, Vote(poll="p1", choice="o3"), person(PEOPLE[1]), "new", T0)
    assert [type(e.event) for e in other.envelopes] == [AnonymousVoteCast]
    assert len(state.polls.by_id["p1"].ballots) == 2


# --- the new shape's stored log ---------------------------------------------------


def record_golden() -> list[Envelope]:
    """The script of the stored log (``python -m tests.rooms.test_poll_pseudonyms``)."""
    state, log = room_with_polls()
    script: list[tuple[Actor, Any, str | None]] = [
        (person(PEOPLE[0]), Vote(poll="p1", choice="o1"), "v1"),
        (person(PEOPLE[1]), Vote(poll="p1", choice="o2"), "v2"),
        (person(PEOPLE[2]), Vote(poll="p1", choice="o2"), "v3"),
        (person(PEOPLE[0]), Vote(poll="p1", choice="o3"), "v4"),  # changes the vote
        (person(PEOPLE[0]), Vote(poll="p2", choice="o1"), "v5"),  # named: under the id
        (person(PEOPLE[1]), Vote(poll="p3", text="Radwege"), "v6"),
        (person(PEOPLE[3]), Vote(poll="p3", text="Kitas"), "v7"),
        (MOD, ClosePoll("p1"), None),
        (MOD, SealPoll("p1"), None),
    ]
    for i, (actor, command, cid) in enumerate(script):
        handled = handle(state, command, actor, cid, T0 + 1000 * (i + 1))
        assert handled.ok, handled.reason
        log += handled.envelopes
    return log


def test_the_stored_log_of_anonymous_ballots_replays() -> None:
    """Recorded once, never re-recorded: a later release must replay it to these results."""
    raw = msgspec.json.decode(GOLDEN.read_bytes(), type=list[msgspec.Raw])
    log = [msgspec.json.decode(r, type=Envelope) for r in raw]
    assert [_encode(e) for e in log] == [bytes(r) for r in raw]  # byte for byte
    for entry in log:
        if isinstance(entry.event, AnonymousVoteCast):
            assert not any(pid.encode() in _encode(entry) for pid in PEOPLE)
    state = replay(log)
    p1, p2, p3 = (state.polls.by_id[p] for p in ("p1", "p2", "p3"))
    assert p1.sealed and tally(p1) == ChoiceResults(3, {"o1": 0, "o2": 2, "o3": 1})
    assert p2.ballots == {PEOPLE[0]: Ballot(choice="o1")}
    assert sorted(b.text or "" for b in p3.ballots.values()) == ["Kitas", "Radwege"]


if __name__ == "__main__":  # pragma: no cover - records the stored log once
    GOLDEN.write_bytes(b"[" + b",\n".join(_encode(e) for e in record_golden()) + b"]\n")
