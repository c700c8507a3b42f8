"""Two workers on one Redis: one log, and every worker converges to the same room.

The two workers live in this process (each with its own store, broker and
hub, talking to Redis over its own connections), which is what a worker is
to the room. Separate processes come with the scale-out load tests.

Every test runs twice: on the single Redis and on a real Redis Cluster
(three masters with replicas; sharded pub/sub, hash-tagged keys).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Callable
from functools import partial
from operator import contains
from pathlib import Path

import msgspec
import pytest
import redis.asyncio as aioredis

from rooms.base import Actor, Role
from rooms.cafe.domain import CreateCafe, Replan, StartRound, TableSpec
from rooms.lobby.domain import CreateEvent, Join
from rooms.polls.domain import ClosePoll, CreatePoll, OpenPoll, PollKind, Vote
from rooms.polls.tally import ChoiceResults, tally
from rooms.room import RoomState, handle
from server.broker import EVERYTHING, PRESENCE
from server.hub import Hub, HubSettings
from server.redis_broker import RedisBroker
from server.stores.base import SeqConflict
from server.stores.redis import RedisStore
from server.writer import ATTEMPTS, TURN_AFTER, encode_entry
from tests.redis.cluster import OwnRedis
from tests.redis_support import REDIS_TEST_URL, flush_test_db
from tests.server.test_hub import CountingPresenter

pytestmark = [pytest.mark.anyio, pytest.mark.redis]

ROOM = "RDS234"
MOD = Actor(Role.MODERATOR)


@pytest.fixture(params=["single", "cluster"])
async def redis_url(request: pytest.FixtureRequest) -> str:
    """An empty Redis for the test: the single instance's test database, or the cluster."""
    if request.param == "cluster":
        cluster = request.getfixturevalue("redis_cluster")
        cluster.flush()
        return str(cluster.url)
    await flush_test_db()
    return REDIS_TEST_URL


async def start_worker(url: str) -> tuple[Hub, RedisStore, RedisBroker]:
    store, broker = RedisStore(url), RedisBroker(url)
    await store.open()
    await broker.open()
    await asyncio.wait_for(broker.connected.wait(), 5)
    # shared_log as server/app.py sets it on Redis: lost races recover from a snapshot
    settings = HubSettings(window=0.02, shared_log=True)
    hub = Hub(ROOM, store, broker, CountingPresenter(), settings)
    await hub.load()
    return hub, store, broker


@pytest.fixture
async def workers(redis_url: str) -> AsyncIterator[list[Hub]]:
    first = RedisStore(redis_url)
    await first.open()
    created = handle(RoomState(), CreateEvent(ROOM, "Plenum"), Actor(Role.ADMIN), None, 0)
    assert await first.create_room(ROOM, encode_entry(created.envelopes[0]))
    await first.close()
    started = [await start_worker(redis_url) for _ in range(2)]
    yield [hub for hub, _, _ in started]
    for hub, store, broker in started:
        await hub.close()
        await broker.close()
        await store.close()


async def test_votes_through_both_workers_count_exactly_once(workers: list[Hub]) -> None:
    a, b = workers
    people = [f"p{i}" for i in range(60)]
    joins = [
        (a if i % 2 else b).submit(Actor(Role.GUEST), Join(pid, None, None), f"j{pid}")
        for i, pid in enumerate(people)
    ]
    assert all(r.ok for r in await asyncio.gather(*joins))
    poll = await a.submit(
        MOD, CreatePoll(kind=PollKind.SINGLE, question="?", options=["A", "B"]), "c"
    )
    assert poll.id == "p1"
    assert (await b.submit(MOD, OpenPoll("p1"), "o")).ok
    await a.reached(b.state.seq)
    rng = random.Random(7)
    choices = {pid: rng.choice(["o1", "o2"]) for pid in people}
    votes = []
    for pid in people:
        worker = rng.choice(workers)
        vote = Vote(poll="p1", choice=choices[pid])
        votes.append(worker.submit(Actor(Role.PARTICIPANT, pid), vote, f"v{pid}"))
        # Every fifth phone resends through the other worker, as after a reconnect.
        if rng.random() < 0.2:
            other = b if worker is a else a
            votes.append(other.submit(Actor(Role.PARTICIPANT, pid), vote, f"v{pid}"))
    results = await asyncio.gather(*votes)
    assert all(r.ok for r in results), {r.reason for r in results}
    last = max(a.state.seq, b.state.seq)
    await asyncio.wait_for(asyncio.gather(a.reached(last), b.reached(last)), 10)
    expected = ChoiceResults(
        len(people),
        {
            "o1": sum(c == "o1" for c in choices.values()),
            "o2": sum(c == "o2" for c in choices.values()),
        },
    )
    assert tally(a.state.polls.by_id["p1"]) == expected
    assert msgspec.to_builtins(a.state) == msgspec.to_builtins(b.state)


async def test_a_lost_race_never_shows_the_old_snapshot_while_the_log_is_read(
    workers: list[Hub],
) -> None:
    """Recovering from a lost append race reads the log before it swaps the state.

    The snapshot may be far behind (here: the room as ``b`` loaded it, before
    anyone joined). A phone welcomed, or a page rendered, while the read is in
    flight must see the newer state, not an empty room (the big-event
    benchmark's reconnect storm found this), and the fan-out renders nothing
    until the state is the log's again.
    """
    a, b = workers
    people = [f"p{i}" for i in range(5)]
    for pid in people:
        assert (await a.submit(Actor(Role.GUEST), Join(pid, None, None), f"j{pid}")).ok
    await asyncio.wait_for(b.reached(a.state.seq), 5)
    assert b._unsubscribe is not None
    b._unsubscribe()  # b stops hearing a's notices, so its next append loses the race
    b._unsubscribe = None
    assert (await a.submit(Actor(Role.GUEST), Join("late", None, None), "jlate")).ok
    before = b.state.seq
    seen: list[tuple[int, int]] = []
    read = b.writer.store.read

    async def watched(room: str, after: int = 0) -> list[bytes]:
        seen.append((b.state.seq, len(b.state.lobby.participants)))
        assert b.appending, "the fan-out must not render the state while it is recovered"
        return await read(room, after)

    b.writer.store.read = watched  # type: ignore[method-assign]
    result = await b.submit(Actor(Role.GUEST), Join("zoe", None, None), "jzoe")

    assert result.ok
    assert b.writer.lost_races == 1
    assert seen, "the recovery read the log"
    assert all(seq >= before and joined >= len(people) for seq, joined in seen), seen
    assert b.state.seq == a.state.seq + 1
    assert {"late", "zoe"} <= set(b.state.lobby.participants)


async def test_a_batch_refused_after_every_lost_race_leaves_no_trace(
    workers: list[Hub],
) -> None:
    """After the last lost race the batch is answered ``store_unavailable``
    and the state is the log's again: nothing of the refused batch is shown."""
    a, b = workers
    assert (await a.submit(Actor(Role.GUEST), Join("anna", None, None), "ja")).ok
    await asyncio.wait_for(b.reached(a.state.seq), 5)

    async def always_behind(room: str, expected: int, entries: list[bytes]) -> int:
        raise SeqConflict(room, expected, expected + 1)

    b.writer.store.append = always_behind  # type: ignore[method-assign,assignment]
    result = await b.submit(Actor(Role.GUEST), Join("zoe", None, None), "jzoe")

    assert result.ok is False
    assert result.reason == "store_unavailable"
    assert b.writer.lost_races == ATTEMPTS
    assert "zoe" not in b.state.lobby.participants
    assert b.state.seq == a.state.seq
    assert not b.appending


async def test_a_worker_that_keeps_losing_the_race_gets_a_turn(workers: list[Hub]) -> None:
    """``b`` recovers slower than ``a`` appends (as on a starved machine): without
    turns it lost every try and refused its batch. It asks ``a`` to hold (the
    broker's ``turn`` notice), and its batch goes."""
    a, b = workers
    assert (await a.submit(Actor(Role.GUEST), Join("anna", None, None), "ja")).ok
    await asyncio.wait_for(b.reached(a.state.seq), 5)
    recover = b.writer._recover
    recoveries = 0

    async def slow_recover() -> None:
        nonlocal recoveries
        await recover()
        recoveries += 1
        if recoveries <= TURN_AFTER:
            # Starved: a appends before b decides again, for sure, until b asks for
            # a turn (a fixed sleep let a slow CI run's b win its second try).
            await asyncio.wait_for(a.reached(b.state.seq + 1), 10)
        else:
            await asyncio.sleep(0.03)  # still slower than a's stream: the turn lets b in

    b.writer._recover = slow_recover  # type: ignore[method-assign]
    going, done = asyncio.Event(), asyncio.Event()

    async def a_keeps_appending() -> int:
        n = 0
        while not done.is_set() and n < 2000:  # bounded: stops by itself
            n += 1
            assert (await a.submit(Actor(Role.GUEST), Join(f"a{n}", None, None), f"a{n}")).ok
            if n == 5:
                going.set()
        return n

    b.writer.notice = lambda seq: None  # type: ignore[method-assign] # b hears only by losing
    rival = asyncio.create_task(a_keeps_appending())
    await asyncio.wait_for(going.wait(), 10)  # a appends in a steady stream, b is behind
    try:
        result = await asyncio.wait_for(
            b.submit(Actor(Role.GUEST), Join("zoe", None, None), "jzoe"), 30
        )
    finally:
        done.set()
        appended = await rival
    assert result.ok, result.reason
    assert b.writer.lost_races >= 2
    assert a.writer.turns_given >= 1
    assert appended > 1
    await asyncio.wait_for(a.reached(b.state.seq), 5)
    assert "zoe" in a.state.lobby.participants


async def test_a_vote_after_close_on_another_worker_is_refused(workers: list[Hub]) -> None:
    a, b = workers
    await a.submit(Actor(Role.GUEST), Join("anna", None, None), None)
    await a.submit(MOD, CreatePoll(kind=PollKind.SINGLE, question="?", options=["A", "B"]), None)
    await a.submit(MOD, OpenPoll("p1"), None)
    await b.reached(a.state.seq)
    assert (await a.submit(MOD, ClosePoll("p1"), None)).ok
    late = await b.submit(Actor(Role.PARTICIPANT, "anna"), Vote(poll="p1", choice="o1"), "late")
    assert late.ok is False
    assert late.reason == "poll_closed"
    assert tally(b.state.polls.by_id["p1"]).voters == 0


async def test_presence_is_shared_and_a_silent_worker_expires(redis_url: str) -> None:
    """Each worker sees who is online elsewhere; a worker that stops renewing drops out."""
    here, there = RedisBroker(redis_url), RedisBroker(redis_url, presence_ttl_s=0.3)
    await here.open()
    await there.open()
    try:
        await there.share_online(ROOM, frozenset({"anna", "ben"}))
        await here.share_online(ROOM, frozenset({"ben", "cem"}))
        assert await here.online_elsewhere(ROOM) == {"anna", "ben"}
        assert await there.online_elsewhere(ROOM) == {"ben", "cem"}
        # ``there`` dies without a goodbye: it stops renewing, its field expires.
        for _ in range(100):  # at most 5 s
            if not await here.online_elsewhere(ROOM):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the silent worker's presence did not expire")
        # A worker whose last participant left withdraws at once.
        await here.share_online(ROOM, frozenset())
        assert await there.online_elsewhere(ROOM) == frozenset()
    finally:
        await here.close()
        await there.close()


async def test_cafe_rounds_through_both_workers_start_once_and_plans_agree(
    workers: list[Hub],
) -> None:
    """Both workers press "start round" and re-plan at once: one round starts, nobody
    is moved in it, and both workers hold the same café (the plan is in the log)."""
    a, b = workers
    joins = [
        (a if i % 2 else b).submit(Actor(Role.GUEST), Join(f"p{i}", None, None), f"j{i}")
        for i in range(12)
    ]
    assert all(r.ok for r in await asyncio.gather(*joins))
    tables = [TableSpec(f"Thema {t}", 4) for t in range(3)]
    assert (await a.submit(MOD, CreateCafe(tables=tables, rounds=3), "cafe")).ok
    await b.reached(a.state.seq)
    started = await asyncio.gather(
        a.submit(MOD, StartRound(), "start-a"),
        b.submit(MOD, StartRound(), "start-b"),
        b.submit(MOD, Replan(), "replan-b"),
    )
    assert sum(1 for r in started[:2] if r.ok) == 1  # the other one: round_running
    await a.reached(b.state.seq)
    await b.reached(a.state.seq)
    assert a.state.cafe.current == b.state.cafe.current == 1
    assert msgspec.to_builtins(a.state.cafe) == msgspec.to_builtins(b.state.cafe)
    first = a.state.cafe.rounds[0].assignments
    assert sorted(first.values()).count("t1") == 4  # capacities hold in the running round


async def test_a_notice_and_a_presence_change_reach_the_other_worker(redis_url: str) -> None:
    """The broker's contract: a published seq reaches the other worker's listener,
    and so does another worker's presence change (not our own)."""
    here, there = RedisBroker(redis_url), RedisBroker(redis_url)
    await here.open()
    await there.open()
    heard: list[int] = []
    try:
        stop = here.subscribe(ROOM, lambda room, seq: heard.append(seq) if room == ROOM else None)
        await until_heard(there, heard)
        await there.share_online(ROOM, frozenset({"anna"}))
        assert await wait_until(lambda: PRESENCE in heard, 5), heard
        await here.share_online(ROOM, frozenset({"ben"}))  # our own change is not news
        await there.publish(ROOM, 1000)
        assert await wait_until(lambda: 1000 in heard, 5), heard
        assert heard.count(PRESENCE) == 1
        stop()
    finally:
        await here.close()
        await there.close()


async def test_the_first_notice_after_a_redis_restart_reaches_the_other_worker(
    tmp_path: Path,
) -> None:
    """After a restart every pooled connection of the publishing worker is closed.
    The first notice on one was lost (redis-py raised, the writer logged it), and
    the other worker, subscribed again and caught up already, never heard of
    that append: a screen kept the old tally (a CI run of the Redis restart test)."""
    own = OwnRedis(tmp_path, appendfsync="everysec")
    async with listening(own) as (here, there):
        own.stop()
        own.start()  # same port
        await own.wait_ready()
        assert await wait_until(lambda: here.ups[-1:] == [True], 15), here.ups  # here is back
        await there.publish(ROOM, 1000)  # on a connection the old Redis closed
        assert await wait_until(partial(contains, here.heard, 1000), 5), here.heard


async def test_a_subscription_that_redis_drops_makes_every_room_catch_up(
    tmp_path: Path,
) -> None:
    """Redis closes the subscriber's connection (``client-output-buffer-limit
    pubsub`` drops a slow subscriber so) and answers again at once. The broker
    must notice, since the notices of the gap are gone: it says so and tells
    every room to read its log. A client that retried by itself subscribed
    again without a word (a review's find on the first version of the
    stale-connection retry)."""
    own = OwnRedis(tmp_path)
    async with listening(own) as (here, _):
        admin = aioredis.Redis.from_url(own.url)
        try:
            assert await admin.client_kill_filter(_type="pubsub") >= 1
        finally:
            await admin.aclose()
        assert await wait_until(lambda: EVERYTHING in here.heard, 10), (here.ups, here.heard)
        assert here.ups == [False, True]


class Listener:
    """What one worker's broker heard of ``ROOM`` and of its own connection."""

    def __init__(self) -> None:
        self.heard: list[int] = []
        self.ups: list[bool] = []  # on_connection: False when lost, True when back


@contextlib.asynccontextmanager
async def listening(own: OwnRedis) -> AsyncIterator[tuple[Listener, RedisBroker]]:
    """``own`` started, a worker listening to ``ROOM`` and another that publishes,
    once a notice of the other's was heard; all stopped after."""
    own.start()
    here, there = RedisBroker(own.url), RedisBroker(own.url)
    listener = Listener()
    try:
        await own.wait_ready()
        await here.open()
        await there.open()
        here.on_connection = lambda up, reason: listener.ups.append(up)
        here.subscribe(ROOM, lambda room, seq: listener.heard.append(seq))
        await until_heard(there, listener.heard)
        yield listener, there
    finally:
        await here.close()
        await there.close()
        own.stop()


async def until_heard(there: RedisBroker, heard: list[int]) -> None:
    """Publish from ``there`` until the listener filling ``heard`` hears it.

    A subscription may take effect a moment after subscribe() returns (on a
    cluster it is a SSUBSCRIBE on the room's master).
    """
    seq = 0
    deadline = asyncio.get_running_loop().time() + 10
    while seq not in heard:
        assert asyncio.get_running_loop().time() < deadline, f"no notice heard: {heard}"
        seq += 1
        await there.publish(ROOM, seq)
        await wait_until(partial(contains, heard, seq), 0.2)


async def wait_until(check: Callable[[], bool], within: float) -> bool:
    """Whether ``check()`` holds within ``within`` seconds (polled)."""
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True
