"""Moving an event between SQLite and Redis with ``dialograum export`` / ``import``.

The round trip goes through the command line, as an operator would run it,
and the event must arrive entry for entry: the same log bytes, the same room
when replayed, the same moderator link.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import msgspec
import pytest

from rooms.base import Actor, Role
from rooms.lobby.domain import CreateEvent, Join
from rooms.polls.domain import CreatePoll, OpenPoll, PollKind, Vote
from rooms.room import Command, RoomState, replay
from server.cli import main
from server.stores.base import EventStore
from server.stores.redis import RedisStore
from server.stores.sqlite import SqliteStore
from server.transfer import TransferError, import_event
from server.writer import decode_entries, encode_entry
from tests.redis_support import REDIS_TEST_URL, flush_test_db
from tests.rooms.helpers import handle

CODE = "MVE234"


def a_lively_event() -> list[bytes]:
    """An event with people, a poll with votes and resends: the log to move."""
    state = RoomState()
    entries: list[bytes] = []

    def do(command: Command, actor: Actor, cid: str | None) -> None:
        handled = handle(state, command, actor, cid, 1_700_000_000_000)
        entries.extend(encode_entry(e) for e in handled.envelopes)

    do(
        CreateEvent(CODE, "Zukunft der Industrie", moderator_key_hash="ab" * 32),
        Actor(Role.ADMIN),
        None,
    )
    for i in range(30):
        do(Join(f"p{i}", f"Person {i}" if i % 3 else None, None), Actor(Role.GUEST), f"j{i}")
    moderator = Actor(Role.MODERATOR)
    do(
        CreatePoll(kind=PollKind.SINGLE, question="Was zuerst?", options=["A", "B", "C"]),
        moderator,
        "c",
    )
    do(OpenPoll("p1"), moderator, "o")
    for i in range(30):
        do(Vote(poll="p1", choice=f"o{i % 3 + 1}"), Actor(Role.PARTICIPANT, f"p{i}"), f"v{i}")
    return entries


async def fill(store: EventStore, entries: list[bytes]) -> None:
    await store.open()
    assert await store.create_room(CODE, entries[0])
    await store.append(CODE, 1, entries[1:])
    await store.close()


async def read(store: EventStore) -> list[bytes]:
    await store.open()
    try:
        return await store.read(CODE)
    finally:
        await store.close()


def cli(capsysbinary: pytest.CaptureFixture[bytes], *args: str) -> tuple[int, bytes, bytes]:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    out, err = capsysbinary.readouterr()
    return int(exit_.value.code or 0), out, err


def test_sqlite_to_sqlite_keeps_every_entry(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    entries = a_lively_event()
    asyncio.run(fill(SqliteStore(tmp_path / "laptop.sqlite3"), entries))
    status, exported, _ = cli(
        capsysbinary, "export", CODE.lower(), "--db", str(tmp_path / "laptop.sqlite3")
    )
    assert status == 0
    (tmp_path / "event.json").write_bytes(exported)
    status, _, err = cli(
        capsysbinary,
        "import",
        str(tmp_path / "event.json"),
        "--db",
        str(tmp_path / "other.sqlite3"),
    )
    assert status == 0, err
    assert asyncio.run(read(SqliteStore(tmp_path / "other.sqlite3"))) == entries
    # a second import refuses to touch the existing event
    status, _, err = cli(
        capsysbinary,
        "import",
        str(tmp_path / "event.json"),
        "--db",
        str(tmp_path / "other.sqlite3"),
    )
    assert status == 1
    assert b"already exists" in err


@pytest.mark.redis
def test_sqlite_to_redis_and_back_is_lossless(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    asyncio.run(flush_test_db())
    entries = a_lively_event()
    laptop = tmp_path / "laptop.sqlite3"
    asyncio.run(fill(SqliteStore(laptop), entries))
    status, from_sqlite, _ = cli(capsysbinary, "export", CODE, "--db", str(laptop))
    assert status == 0
    (tmp_path / "event.json").write_bytes(from_sqlite)

    status, _, err = cli(
        capsysbinary, "import", str(tmp_path / "event.json"), "--redis", REDIS_TEST_URL
    )
    assert status == 0, err
    assert asyncio.run(read(RedisStore(REDIS_TEST_URL))) == entries

    status, from_redis, _ = cli(capsysbinary, "export", CODE, "--redis", REDIS_TEST_URL)
    assert status == 0
    assert from_redis == from_sqlite  # byte for byte
    (tmp_path / "back.json").write_bytes(from_redis)
    status, _, err = cli(
        capsysbinary, "import", str(tmp_path / "back.json"), "--db", str(tmp_path / "back.sqlite3")
    )
    assert status == 0, err
    back = asyncio.run(read(SqliteStore(tmp_path / "back.sqlite3")))
    assert back == entries
    room = replay(decode_entries(back))
    assert msgspec.to_builtins(room) == msgspec.to_builtins(replay(decode_entries(entries)))
    assert room.lobby.moderator_key_hash == "ab" * 32  # the moderator link still opens it
    ballots = room.polls.by_id["p1"].ballots  # anonymous: under pseudonyms, one per voter
    assert len(ballots) == 30 and not ballots.keys() & {f"p{i}" for i in range(30)}


def test_exporting_an_unknown_event_says_so(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    status, out, err = cli(
        capsysbinary, "export", "NOPE23", "--db", str(tmp_path / "empty.sqlite3")
    )
    assert status == 1
    assert out == b""
    assert b"no event NOPE23" in err


def test_a_file_that_is_no_event_is_refused(tmp_path: Path) -> None:
    async def attempt() -> None:
        store = SqliteStore(tmp_path / "x.sqlite3")
        await store.open()
        try:
            await import_event(
                store, b'{"format": "something else", "version": 1, "code": "X", "entries": [1]}'
            )
        finally:
            await store.close()

    with pytest.raises(TransferError, match="unsupported file"):
        asyncio.run(attempt())
