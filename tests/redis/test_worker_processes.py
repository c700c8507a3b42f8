"""Real worker processes on one Redis: one truth, and no lost or doubled vote.

Each test starts ``dialograum serve`` processes on free ports (no sticky
sessions: a client that loses its worker goes to the next one) with phones,
screens and a moderator spread across them, through the JSON live socket.
The chaos tests kill a worker, or restart a Redis of the test's own, in the
middle of a vote burst. Clients behave like the phone's page: a command
stays pending until acknowledged and is resent with the same ``cid`` after
a reconnect or a ``store_unavailable``.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from rooms.polls.domain import AnonymousVoteCast, VoteCast
from server.stores.redis import log_key
from server.writer import decode_entries
from tests.redis.cluster import (
    LiveClient,
    OwnRedis,
    Worker,
    counts_of,
    create_event,
    join,
    poll_of,
    until,
)
from tests.redis_support import REDIS_TEST_URL, flush_test_db

pytestmark = [pytest.mark.anyio, pytest.mark.redis, pytest.mark.timeout(90)]

OPTIONS = ["A", "B", "C"]


async def start_all(workers: list[Worker]) -> None:
    for worker in workers:
        worker.start()
    await asyncio.gather(*(w.wait_status(200) for w in workers))


async def admin_token(url: str) -> str:
    client = aioredis.Redis.from_url(url)
    try:
        value = await client.get("dg:config:admin_token")
    finally:
        await client.aclose()
    assert isinstance(value, bytes), "the workers keep the shared admin token in Redis"
    return value.decode()


async def log_of(url: str, code: str) -> list[Any]:
    client = aioredis.Redis.from_url(url)
    try:
        rows = await client.xrange(log_key(code))
    finally:
        await client.aclose()
    assert rows is not None  # redis-py types every reply as optional
    entries: list[bytes] = []
    for _, fields in rows:
        assert fields is not None
        entry = fields[b"e"]
        assert isinstance(entry, bytes)
        entries.append(entry)
    return decode_entries(entries)


def rotated(workers: list[Worker], start: int) -> list[str]:
    """The worker urls starting at ``start``: where a client goes first, then next."""
    return [w.ws for w in workers[start:] + workers[:start]]


class Room:
    """An event on the cluster with its moderator, screens and phones connected."""

    def __init__(self, code: str, moderator: LiveClient, screens: list[LiveClient]) -> None:
        self.code = code
        self.moderator = moderator
        self.screens = screens
        self.phones: list[LiveClient] = []

    @property
    def clients(self) -> list[LiveClient]:
        return [self.moderator, *self.screens, *self.phones]

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self.clients))


@pytest.fixture
async def rooms() -> AsyncIterator[list[Room]]:
    made: list[Room] = []
    yield made
    for room in made:
        await room.close()


async def open_room(
    workers: list[Worker], redis_url: str, phones: int, screens_on: list[int], made: list[Room]
) -> Room:
    token = await admin_token(redis_url)
    code, moderator_token = await create_event(workers[-1], token)
    moderator = LiveClient(rotated(workers, 0), code, moderator_token, "mod")
    screens = [LiveClient(rotated(workers, i), code, None, f"screen{i}") for i in screens_on]
    room = Room(code, moderator, screens)
    made.append(room)
    # Join on one worker, go live on the next: cookies signed by one are good on all.
    tokens = await asyncio.gather(
        *(
            join(workers[i % len(workers)], code, phones // len(workers))
            for i in range(len(workers))
        )
    )
    for i, batch in enumerate(tokens):
        for j, participant in enumerate(batch):
            start = (i + 1) % len(workers)
            room.phones.append(LiveClient(rotated(workers, start), code, participant, f"p{i}-{j}"))
    for client in room.clients:
        client.start()
    await asyncio.gather(*(asyncio.wait_for(c.connected.wait(), 20) for c in room.clients))
    return room


async def open_poll(room: Room) -> str:
    created = await room.moderator.command(
        {"type": "poll.create", "kind": "single", "question": "Was zuerst?", "options": OPTIONS}
    )
    assert created.ok and created.id, created
    for command in ({"type": "poll.open"}, {"type": "screen.show", "what": "poll"}):
        ack = await room.moderator.command({**command, "poll": created.id})
        assert ack.ok, ack
    return created.id


def screens_show(room: Room, poll: str, expected: dict[str, int]) -> bool:
    return all(counts_of(s.state, poll) == expected for s in room.screens)


def screens_and_logs(room: Room, poll: str, workers: list[Worker]) -> str:
    """What a failed wait for the screens prints: each screen's tally, each worker's log end."""
    lines = [f"{s.name}: {counts_of(s.state, poll)}" for s in room.screens]
    for worker in workers:
        tail = worker.log().splitlines()[-40:]
        lines += [f"--- worker {worker.port}", *tail]
    return "\n".join(lines)


async def final_counts(worker: Worker, code: str, token: str, poll: str) -> dict[str, int] | None:
    async with httpx.AsyncClient(base_url=worker.http, trust_env=False) as http:
        response = await http.get(
            f"/api/events/{code}/state", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
    assert response.status_code == 200, response.text
    return counts_of(response.json()["state"], poll)


def one_entry_per_vote(log: list[Any], voters: int) -> None:
    """Each phone's vote is in the log exactly once: nothing lost, nothing doubled."""
    votes = [e for e in log if isinstance(e.event, VoteCast | AnonymousVoteCast)]
    per_command = Counter((e.actor, e.cid) for e in votes)
    assert len(per_command) == voters
    assert max(per_command.values()) == 1, [k for k, n in per_command.items() if n > 1]


async def test_three_workers_converge_on_exact_tallies(rooms: list[Room], tmp_path: Path) -> None:
    await flush_test_db()
    workers = [Worker(tmp_path, REDIS_TEST_URL) for _ in range(3)]
    try:
        await start_all(workers)
        room = await open_room(workers, REDIS_TEST_URL, 45, [0, 1, 2], rooms)
        # Presence is shared: every worker's screen counts every phone online.
        await until(
            lambda: all(s.state and s.state["participants"]["online"] == 45 for s in room.screens),
            15,
            "every screen to count 45 online",
        )
        poll = await open_poll(room)
        rng = random.Random(5)
        choices = {phone.name: rng.choice(["o1", "o2", "o3"]) for phone in room.phones}
        cids = await asyncio.gather(
            *(
                p.send({"type": "poll.vote", "poll": poll, "choice": choices[p.name]})
                for p in room.phones
            )
        )
        await until(
            lambda: all(cid in p.acks for p, cid in zip(room.phones, cids, strict=True)),
            20,
            "every vote's ack",
        )
        assert all(p.acks[cid].ok for p, cid in zip(room.phones, cids, strict=True))
        expected = dict(Counter(choices.values()))
        expected = {o: expected.get(o, 0) for o in ("o1", "o2", "o3")}
        await until(lambda: screens_show(room, poll, expected), 15, f"every screen at {expected}")
        shown = [poll_of(s.state, poll) for s in room.screens]
        assert all(p is not None and p["voters"] == 45 for p in shown)
        moderator_token = room.moderator.token
        assert moderator_token is not None
        for worker in workers:
            assert await final_counts(worker, room.code, moderator_token, poll) == expected
        one_entry_per_vote(await log_of(REDIS_TEST_URL, room.code), 45)
    finally:
        for worker in workers:
            worker.stop()


async def test_killing_a_worker_mid_burst_loses_and_doubles_no_vote(
    rooms: list[Room], tmp_path: Path
) -> None:
    await flush_test_db()
    workers = [Worker(tmp_path, REDIS_TEST_URL) for _ in range(3)]
    try:
        await start_all(workers)
        room = await open_room(workers, REDIS_TEST_URL, 60, [0, 2], rooms)
        poll = await open_poll(room)
        rng = random.Random(11)
        choices = {phone.name: rng.choice(["o1", "o2", "o3"]) for phone in room.phones}
        victim = workers[1]
        on_victim = [p for p in room.phones if p.worker_url == victim.ws]
        assert on_victim, "some phones must be on the worker that dies"
        sent: list[str] = []

        async def vote(phone: LiveClient) -> None:
            await asyncio.sleep(rng.uniform(0, 1.5))
            await phone.send({"type": "poll.vote", "poll": poll, "choice": choices[phone.name]})
            sent.append(phone.name)

        burst = asyncio.gather(*(vote(p) for p in room.phones))
        await until(lambda: len(sent) >= 20, 10, "a third of the votes sent")
        victim.kill()  # SIGKILL: no goodbye, acks in flight are lost
        before_kill = set(sent)
        await burst
        # the victim's phones were mid-burst: some voted only after it died
        assert any(p.name not in before_kill for p in on_victim)
        await until(lambda: all(not p.pending for p in room.phones), 30, "every vote acknowledged")
        assert all(a.ok for p in room.phones for a in p.acks.values())
        assert all(p.reconnects >= 1 for p in on_victim)  # they moved to another worker
        expected = dict(Counter(choices.values()))
        expected = {o: expected.get(o, 0) for o in ("o1", "o2", "o3")}
        await until(lambda: screens_show(room, poll, expected), 15, f"every screen at {expected}")
        one_entry_per_vote(await log_of(REDIS_TEST_URL, room.code), 60)
    finally:
        for worker in workers:
            worker.stop()


@pytest.mark.parametrize(
    ("appendfsync", "how"),
    [
        # a crash: only "always" promises that every acknowledged append is on disk
        ("always", "SIGKILL"),
        # a clean restart (systemd stop/start): "everysec" writes the AOF out at shutdown
        ("everysec", "SIGTERM"),
    ],
)
async def test_a_redis_restart_mid_event_loses_no_acknowledged_vote(
    rooms: list[Room], tmp_path: Path, appendfsync: str, how: str
) -> None:
    """What survives what is the table in docs/deploy.md ("Durability, honestly")."""
    own = OwnRedis(tmp_path, appendfsync=appendfsync)
    own.start()
    workers = [Worker(tmp_path, own.url) for _ in range(2)]
    try:
        await own.wait_ready()
        await start_all(workers)
        room = await open_room(workers, own.url, 30, [0, 1], rooms)
        poll = await open_poll(room)
        first, second = room.phones[:15], room.phones[15:]
        choices = {p.name: ("o1", "o2", "o3")[i % 3] for i, p in enumerate(room.phones)}
        for phone in first:
            await phone.send({"type": "poll.vote", "poll": poll, "choice": choices[phone.name]})
        await until(lambda: all(not p.pending for p in first), 15, "the first half acknowledged")

        # right after the acks: nothing acknowledged may be only in Redis's memory
        if how == "SIGKILL":
            own.kill()
        else:
            own.stop()
        await asyncio.gather(*(w.wait_status(503, 15) for w in workers))
        async with httpx.AsyncClient(base_url=workers[0].http, trust_env=False) as http:
            page = await http.get(f"/console/{room.code}")
        assert page.status_code == 503
        assert "Redis" in page.text  # the console says what is wrong, in German
        assert "lost Redis" in workers[0].log()
        # The second half votes during the outage: pending, resent when it is over.
        for phone in second:
            await phone.send({"type": "poll.vote", "poll": poll, "choice": choices[phone.name]})
        await until(
            lambda: all(not c.connected.is_set() for c in room.clients), 10, "sockets closed"
        )

        own.start()  # same port, same directory: it loads its AOF
        await own.wait_ready()
        await asyncio.gather(*(w.wait_status(200, 30) for w in workers))  # by themselves
        await until(lambda: all(not p.pending for p in room.phones), 60, "every vote acknowledged")
        assert all(a.ok for p in room.phones for a in p.acks.values())
        expected = dict(Counter(choices.values()))
        # A worker learns of the other's votes once its broker is subscribed again; after
        # an outage its retries are up to 5 s apart, and a loaded CI machine (four test
        # workers on two cores) once needed more than 15 s to converge. The wait ends as
        # soon as every screen shows the tally.
        try:
            await until(
                lambda: screens_show(room, poll, expected), 60, f"every screen at {expected}"
            )
        except AssertionError as exc:  # say where each screen stands and what the workers said
            raise AssertionError(f"{exc}\n{screens_and_logs(room, poll, workers)}") from None
        one_entry_per_vote(await log_of(own.url, room.code), 30)
    finally:
        for worker in workers:
            worker.stop()
        own.stop()


async def test_redis_down_at_start_is_a_clear_error_not_a_crash_loop(tmp_path: Path) -> None:
    own = OwnRedis(tmp_path)  # not started yet
    worker = Worker(tmp_path, own.url)
    try:
        worker.start()
        await worker.wait_status(503, 30)  # up and answering, not exiting
        async with httpx.AsyncClient(base_url=worker.http, trust_env=False) as http:
            health = (await http.get("/healthz")).json()
            page = await http.get("/j/ABCDEF")
        assert health["ok"] is False
        assert health["problem"] == "Redis does not answer"  # no address, no password
        assert page.status_code == 503
        assert "Redis" in page.text
        assert "cannot reach Redis" in worker.log()
        own.start()
        await own.wait_ready()
        await worker.wait_status(200, 30)
        assert worker.proc is not None and worker.proc.poll() is None
    finally:
        worker.stop()
        own.stop()


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.extend(int(k) for k in (task / "children").read_text().split())
    return found


async def test_serve_with_two_workers_on_one_port(rooms: list[Room], tmp_path: Path) -> None:
    """``dialograum serve --workers 2``: uvicorn's supervisor, each worker its own app."""
    await flush_test_db()
    worker = Worker(tmp_path, REDIS_TEST_URL, {"DIALOGRAUM_WORKERS": "2"})
    try:
        await start_all([worker])
        assert worker.proc is not None
        pid = worker.proc.pid  # a lambda does not keep the narrowing of worker.proc
        await until(lambda: len(children(pid)) >= 2, 20, "two worker processes")
        # Connections over the one port land on either process; they agree anyway.
        room = await open_room([worker], REDIS_TEST_URL, 24, [0, 0], rooms)
        await until(
            lambda: all(s.state and s.state["participants"]["online"] == 24 for s in room.screens),
            15,
            "both screens to count 24 online",
        )
        poll = await open_poll(room)
        for i, phone in enumerate(room.phones):
            await phone.send({"type": "poll.vote", "poll": poll, "choice": f"o{i % 3 + 1}"})
        await until(lambda: all(not p.pending for p in room.phones), 20, "every vote acknowledged")
        await until(
            lambda: screens_show(room, poll, {"o1": 8, "o2": 8, "o3": 8}), 15, "exact tallies"
        )
        one_entry_per_vote(await log_of(REDIS_TEST_URL, room.code), 24)
    finally:
        worker.stop()
