"""The secrets of anonymous polls, on every backend: beside the log, gone when the poll is sealed.

Through the hub, as the transport runs it: the writer fetches (or creates) a
poll's secret before a vote is decided and deletes it once the seal is
stored. Afterwards the store holds no secret and the log no voter's id
outside their join entry, so no stored ballot can be linked to a person.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec
import pytest

from rooms import views
from rooms.base import Actor, Role
from rooms.lobby.domain import CreateEvent, Join
from rooms.polls.domain import Ballot, ClosePoll, CreatePoll, OpenPoll, SealPoll, Vote
from rooms.polls.tally import ChoiceResults, tally
from rooms.room import RoomState, handle
from server.broker import LocalBroker
from server.hub import Hub, HubSettings
from server.stores.base import EventStore
from server.writer import decode_entries, encode_entry
from tests.server.test_hub import CountingPresenter

pytestmark = pytest.mark.anyio

CODE = "SECRET"
PEOPLE = ["3f2a9c0d1e4b5a67", "a0b1c2d3e4f50617", "9e8d7c6b5a4f3e2d"]
MOD = Actor(Role.MODERATOR)


async def new_hub(store: EventStore, broker: LocalBroker) -> Hub:
    hub = Hub(CODE, store, broker, CountingPresenter(), HubSettings(window=0.01))
    await hub.load()
    return hub


@pytest.fixture
async def hub(store: EventStore) -> AsyncIterator[Hub]:
    created = handle(RoomState(), CreateEvent(CODE, "T"), Actor(Role.ADMIN), None, 0)
    assert await store.create_room(CODE, encode_entry(created.envelopes[0]))
    the_hub = await new_hub(store, LocalBroker())
    for pid in PEOPLE:
        assert (await the_hub.submit(Actor(Role.GUEST, client=pid), Join(pid, f"N{pid}"), "j")).ok
    for command in (
        CreatePoll(question="Anonym?", options=["Ja", "Nein", "Egal"]),
        CreatePoll(question="Namentlich?", options=["Ja", "Nein"], anonymous=False),
        OpenPoll("p1"),
        OpenPoll("p2"),
    ):
        assert (await the_hub.submit(MOD, command, None)).ok
    yield the_hub
    await the_hub.close()


async def vote(hub: Hub, pid: str, poll: str, choice: str, cid: str) -> None:
    result = await hub.submit(Actor(Role.PARTICIPANT, pid), Vote(poll=poll, choice=choice), cid)
    assert result.ok, result.reason


def mine(hub: Hub, pid: str) -> dict[str, Ballot]:
    """The phone's "your vote", as the pages build it."""
    ballots: dict[str, Ballot] = views.me_view(hub.state, pid, hub.pseudonyms(pid)).ballots
    return ballots


async def stored_votes(store: EventStore) -> list[bytes]:
    """The log's ballot entries as stored, bytes and all."""
    raw = await store.read(CODE)
    return [r for r in raw if b'"poll.voted' in r]


async def test_after_the_seal_the_secret_is_gone_and_no_ballot_names_its_voter(
    store: EventStore, hub: Hub
) -> None:
    for pid, choice in zip(PEOPLE, ["o1", "o2", "o2"], strict=True):
        await vote(hub, pid, "p1", choice, f"a-{choice}-{PEOPLE.index(pid)}")
    await vote(hub, PEOPLE[0], "p1", "o3", "again")  # changes the vote: still one ballot
    await vote(hub, PEOPLE[0], "p2", "o1", "named")
    assert tally(hub.state.polls.by_id["p1"]) == ChoiceResults(3, {"o1": 0, "o2": 2, "o3": 1})

    # While it is open the secret exists (beside the log) and the phone sees its vote.
    assert list(await store.poll_secrets(CODE)) == ["p1"]
    assert mine(hub, PEOPLE[0]) == {"p1": Ballot(choice="o3"), "p2": Ballot(choice="o1")}
    for entry in await stored_votes(store):
        if b'"poll":"p1"' in entry:
            assert not any(pid.encode() in entry for pid in PEOPLE), entry
        else:  # the named poll keeps the id: its results name the voters
            assert PEOPLE[0].encode() in entry

    assert (await hub.submit(MOD, ClosePoll("p1"), None)).ok
    assert list(await store.poll_secrets(CODE)) == ["p1"]  # closed, not for good: may re-open
    assert (await hub.submit(MOD, SealPoll("p1"), None)).ok

    assert await store.poll_secrets(CODE) == {}
    assert hub.pseudonyms(PEOPLE[0]) == {}
    assert mine(hub, PEOPLE[0]) == {"p2": Ballot(choice="o1")}  # the anonymous one is unlinked
    raw = await store.read(CODE)
    for entry in raw:
        if b'"participant.joined"' in entry or b'"poll":"p2"' in entry:
            continue
        assert not any(pid.encode() in entry for pid in PEOPLE), entry
    # The results stay, and a worker that loads the room now counts the same.
    again = await new_hub(store, LocalBroker())
    try:
        assert tally(again.state.polls.by_id["p1"]) == tally(hub.state.polls.by_id["p1"])
        assert again.state.polls.by_id["p1"].sealed
        assert await store.poll_secrets(CODE) == {}
    finally:
        await again.close()


async def test_two_workers_derive_the_same_pseudonym(store: EventStore, hub: Hub) -> None:
    """The first secret stored wins, so a vote changed through another worker replaces
    the ballot instead of adding a second one."""
    other = await new_hub(store, LocalBroker())
    try:
        await vote(hub, PEOPLE[1], "p1", "o1", "w1")
        await other.writer.catch_up()
        await vote(other, PEOPLE[1], "p1", "o2", "w2")
        await hub.writer.catch_up()
        for worker in (hub, other):
            assert len(worker.state.polls.by_id["p1"].ballots) == 1
            assert mine(worker, PEOPLE[1])["p1"] == Ballot(choice="o2")
        # A seal through one worker: the other drops its copy when it catches up.
        assert (await other.submit(MOD, SealPoll("p1"), None)).ok
        await hub.writer.catch_up()
        assert hub.pseudonyms(PEOPLE[1]) == {} == other.pseudonyms(PEOPLE[1])
        assert await store.poll_secrets(CODE) == {}
    finally:
        await other.close()


async def test_the_store_keeps_the_first_secret_and_deletes_them_with_the_room(
    store: EventStore, hub: Hub
) -> None:
    first = await store.poll_secret(CODE, "p7", b"a" * 32)
    assert first == b"a" * 32
    assert await store.poll_secret(CODE, "p7", b"b" * 32) == first
    await store.poll_secret(CODE, "p8", b"c" * 32)
    assert await store.poll_secrets(CODE) == {"p7": b"a" * 32, "p8": b"c" * 32}
    await store.delete_poll_secrets(CODE, ["p7"])
    assert await store.poll_secrets(CODE) == {"p8": b"c" * 32}
    assert await store.poll_secrets("OTHERS") == {}
    assert await store.delete_room(CODE)
    assert await store.poll_secrets(CODE) == {}


async def test_a_vote_whose_secret_cannot_be_had_is_refused_for_a_resend(
    store: EventStore, hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never stored under the id instead: the phone is told to send it again."""
    from server.stores.base import StoreError

    async def unavailable(room: str, poll: str, proposed: bytes) -> bytes:
        raise StoreError("down")

    monkeypatch.setattr(store, "poll_secret", unavailable)
    result = await hub.submit(Actor(Role.PARTICIPANT, PEOPLE[2]), Vote(poll="p1", choice="o1"), "x")
    assert (result.ok, result.reason) == (False, "store_unavailable")
    assert await stored_votes(store) == []
    entries = decode_entries(await store.read(CODE))
    assert all(msgspec.to_builtins(e.event)["type"] != "poll.voted" for e in entries)
