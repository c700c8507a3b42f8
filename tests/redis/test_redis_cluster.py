"""The store and broker on a real Redis Cluster: key layout, the room list, a failover.

The contract tests (tests/server/test_store.py, the surveys' store tests,
tests/redis/test_workers_on_redis.py) run on the cluster through their
fixtures; here is what only a cluster has: slots, several masters, and a
master that dies in the middle of a vote.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import msgspec
import pytest

from rooms.base import Actor, Role
from rooms.lobby.domain import CreateEvent, Join
from rooms.polls.domain import CreatePoll, OpenPoll, PollKind, Vote
from rooms.polls.tally import ChoiceResults, tally
from rooms.room import RoomState, handle, replay
from server.broker import EVERYTHING
from server.hub import Hub, HubSettings
from server.redis_broker import RedisBroker
from server.stores.redis import ROOMS_KEY, SINGLE, Keys, RedisStore
from server.writer import decode_entries, encode_entry
from tests.redis_cluster_support import LocalCluster
from tests.server.test_hub import CountingPresenter

pytestmark = [pytest.mark.anyio, pytest.mark.redis]

TAGGED = Keys(cluster=True)
MOD = Actor(Role.MODERATOR)


def slot_of(cluster: LocalCluster, key: str) -> int:
    with cluster.node(cluster.live()[0]) as client:
        return int(client.execute_command("CLUSTER", "KEYSLOT", key))


def rooms_on_every_master(cluster: LocalCluster, count: int = 3) -> dict[int, str]:
    """One room code per master port (codes as the tests write them)."""
    found: dict[int, str] = {}
    n = 0
    while len(found) < count:
        code = f"ROOM{n}"
        found.setdefault(cluster.owner(TAGGED.log(code)), code)
        n += 1
    return found


def test_a_rooms_keys_and_channels_share_one_slot_and_old_names_stay(
    redis_cluster: LocalCluster,
) -> None:
    for code in ("ABC234", "survey:QWERTZ23", "survey-index"):
        names = [
            TAGGED.log(code),
            TAGGED.seq(code),
            TAGGED.online(code),
            TAGGED.notify(code),
            TAGGED.presence(code),
        ]
        assert len({slot_of(redis_cluster, name) for name in names}) == 1, names
        assert TAGGED.room_of(TAGGED.notify(code)) == code
    # rooms spread over all three masters, so one hot event does not load them all
    assert len(rooms_on_every_master(redis_cluster)) == 3
    # a single instance keeps the names it always had: no migration
    assert SINGLE.log("ABC234") == "dg:room:ABC234:log"
    assert SINGLE.notify("ABC234") == "dg:notify:ABC234"


async def test_a_listed_code_without_a_log_is_passed_over(redis_cluster: LocalCluster) -> None:
    """The list of rooms is written before the room (another slot, another script): a
    worker that died in between leaves a code that rooms() does not report."""
    redis_cluster.flush()
    store = RedisStore(redis_cluster.url)
    await store.open()
    try:
        await store._client().rpush(ROOMS_KEY, "GHOST2")
        assert await store.rooms() == []
        assert await store.create_room("GHOST2", b"first")
        assert await store.create_room("LATER3", b"first")
        assert await store.rooms() == ["GHOST2", "LATER3"]  # listed once, oldest first
        assert await store._client().lrange(ROOMS_KEY, 0, -1) == [b"GHOST2", b"LATER3"]
    finally:
        await store.close()


async def test_an_acknowledged_append_is_already_on_the_replica(
    redis_cluster: LocalCluster,
) -> None:
    """What makes a failover lose nothing: the store answers only once a replica of
    the room's slot has the write (WAIT), so the replica holds every acknowledged seq
    at the moment of the acknowledgement, not some time later."""
    redis_cluster.wait_healthy(90)  # after another test's failover: whole again first
    redis_cluster.flush()
    replica = redis_cluster.node(redis_cluster.replica_of(TAGGED.seq("WAIT23")))
    store = RedisStore(redis_cluster.url)
    await store.open()
    try:
        replica.readonly()
        assert await store.create_room("WAIT23", b"first")
        for seq in range(1, 301):
            assert await store.append("WAIT23", seq, [b"entry"]) == seq + 1
            assert replica.get(TAGGED.seq("WAIT23")) == str(seq + 1).encode()
    finally:
        replica.close()
        await store.close()


async def test_notices_reach_workers_for_rooms_on_every_master(
    redis_cluster: LocalCluster,
) -> None:
    redis_cluster.flush()
    rooms = list(rooms_on_every_master(redis_cluster).values())
    here, there = RedisBroker(redis_cluster.url), RedisBroker(redis_cluster.url)
    await here.open()
    await there.open()
    heard: dict[str, list[int]] = {room: [] for room in rooms}
    try:
        stops = [here.subscribe(room, lambda r, seq: heard[r].append(seq)) for room in rooms]
        # the subscription is confirmed with a catch-up notice per room
        await until(lambda: all(heard[r] for r in rooms), 10, "subscriptions on every master")
        for n, room in enumerate(rooms, start=1):
            await there.publish(room, n)
        await until(lambda: all(n in heard[r] for n, r in enumerate(rooms, 1)), 5, "notices")
        # A room unloaded and at once loaded again: still subscribed, and the new
        # listener is told to catch up (it loaded the room without a subscription).
        again: list[int] = []
        stops[0]()
        stop_again = here.subscribe(rooms[0], lambda r, seq: again.append(seq))
        await until(lambda: EVERYTHING in again, 10, "the room's subscription again")
        await there.publish(rooms[0], 77)
        await until(lambda: 77 in again, 5, "a notice after subscribing again")
        assert 77 not in heard[rooms[0]]  # the first listener is gone
        # Unloaded for good: the master sees no subscriber; loaded again, it does.
        channel = TAGGED.notify(rooms[0])
        master = redis_cluster.node(redis_cluster.owner(channel))

        def subscribers() -> int:
            counts = master.pubsub_shardnumsub(channel)
            return int(counts[0][1])

        stop_again()
        await until(lambda: subscribers() == 0, 5, "the SUNSUBSCRIBE")
        last: list[int] = []
        here.subscribe(rooms[0], lambda r, seq: last.append(seq))
        await until(lambda: subscribers() == 1 and EVERYTHING in last, 10, "a new SSUBSCRIBE")
        await there.publish(rooms[0], 78)
        await until(lambda: 78 in last, 5, "a notice after a new SSUBSCRIBE")
        master.close()
    finally:
        await here.close()
        await there.close()


async def until(check: Callable[[], bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within:g} s waiting for {what}")
        await asyncio.sleep(0.02)


ROOM = "KILL23"


@pytest.fixture
async def two_workers(redis_cluster: LocalCluster) -> AsyncIterator[list[Hub]]:
    redis_cluster.flush()
    url = redis_cluster.url
    first = RedisStore(url)
    await first.open()
    created = handle(RoomState(), CreateEvent(ROOM, "Plenum"), Actor(Role.ADMIN), None, 0)
    assert await first.create_room(ROOM, encode_entry(created.envelopes[0]))
    await first.close()
    started: list[tuple[Hub, RedisStore, RedisBroker]] = []
    for _ in range(2):
        store, broker = RedisStore(url), RedisBroker(url)
        await store.open()
        await broker.open()
        hub = Hub(ROOM, store, broker, CountingPresenter(), HubSettings(window=0.02))
        await hub.load()
        started.append((hub, store, broker))
    yield [hub for hub, _, _ in started]
    for hub, store, broker in started:
        await hub.close()
        await broker.close()
        await store.close()


async def test_a_master_killed_mid_burst_loses_nothing_acknowledged(
    redis_cluster: LocalCluster, two_workers: list[Hub]
) -> None:
    """Phones vote through two workers; the master of the room's slot is killed with
    votes in flight. Its replica takes over; every vote acknowledged before the kill is
    in the log after it (the store WAITs for the replica), and the phones' resends
    (same cid) count every other vote exactly once."""
    a, b = two_workers
    victim = redis_cluster.owner(TAGGED.log(ROOM))
    try:
        await vote_through_a_failover(redis_cluster, victim, a, b)
    finally:
        # The killed master comes back as a replica: the cluster is whole again.
        if victim not in redis_cluster.live():
            redis_cluster.restart(victim)


async def vote_through_a_failover(cluster: LocalCluster, victim: int, a: Hub, b: Hub) -> None:
    people = [f"p{i}" for i in range(60)]
    joins = [
        (a if i % 2 else b).submit(Actor(Role.GUEST), Join(pid, None, None), f"j{pid}")
        for i, pid in enumerate(people)
    ]
    assert all(r.ok for r in await asyncio.gather(*joins))
    poll = CreatePoll(kind=PollKind.SINGLE, question="?", options=["A", "B"])
    assert (await a.submit(MOD, poll, "c")).ok
    assert (await a.submit(MOD, OpenPoll("p1"), "o")).ok
    choices = {pid: "o1" if i % 3 else "o2" for i, pid in enumerate(people)}
    acked: dict[str, int] = {}
    refused: list[str] = []

    async def vote(i: int, pid: str) -> None:
        """A phone: resend with the same cid until acknowledged, through either worker."""
        deadline = time.monotonic() + 40
        for attempt in range(10_000):
            worker = (a, b)[(i + attempt) % 2]
            vote = Vote(poll="p1", choice=choices[pid])
            result = await worker.submit(Actor(Role.PARTICIPANT, pid), vote, f"v{pid}")
            if result.ok:
                acked[pid] = result.seq or 0
                return
            # While the slot's master is away: store_unavailable, and after twenty
            # resends the participant's rate limit (a phone resends later, too).
            assert result.reason in ("store_unavailable", "rate_limited"), result
            refused.append(pid)
            assert time.monotonic() < deadline, f"{pid} never acknowledged"
            await asyncio.sleep(0.2)  # a phone's resend pace (tests/redis/cluster.py)

    before = await asyncio.gather(*(vote(i, pid) for i, pid in enumerate(people[:20])))
    assert len(before) == 20 and len(acked) == 20
    acked_before_kill = dict(acked)
    burst = [asyncio.create_task(vote(i, pid)) for i, pid in enumerate(people[20:], 20)]
    await asyncio.sleep(0)  # the burst is on its way to the store
    cluster.kill(victim)
    await asyncio.gather(*burst)

    assert cluster.owner(TAGGED.log(ROOM)) != victim  # the replica took over
    # The burst met the dead master: a vote was refused and resent, or the store
    # found the slot's new owner itself (redis-py's routing, which on a slow
    # machine can outlast the failover: a CI run saw no refusal at all).
    rerouted = sum(w.writer.store.rerouted for w in (a, b))  # type: ignore[attr-defined]
    assert refused or rerouted, "no vote met the dead master: the kill came too late"
    last = max(a.state.seq, b.state.seq)
    await asyncio.wait_for(asyncio.gather(a.reached(last), b.reached(last)), 20)
    expected = ChoiceResults(
        len(people),
        {
            "o1": sum(c == "o1" for c in choices.values()),
            "o2": sum(c == "o2" for c in choices.values()),
        },
    )
    assert tally(a.state.polls.by_id["p1"]) == expected
    assert msgspec.to_builtins(a.state) == msgspec.to_builtins(b.state)
    # The log itself, read by a fresh store after the failover, holds every
    # acknowledged vote at the seq its acknowledgement named.
    fresh = RedisStore(cluster.url)
    await fresh.open()
    try:
        logged = decode_entries(await fresh.read(ROOM))
    finally:
        await fresh.close()
    assert tally(replay(logged).polls.by_id["p1"]) == expected
    for pid, seq in acked_before_kill.items():
        entry = logged[seq - 1]
        assert (entry.seq, entry.cid) == (seq, f"v{pid}")
