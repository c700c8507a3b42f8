"""The store contract, run against every backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.stores.base import EventStore, SeqConflict
from server.stores.redis import RedisStore
from server.stores.sqlite import SqliteStore

pytestmark = pytest.mark.anyio


async def test_a_room_starts_with_its_first_entry_once(store: EventStore) -> None:
    assert await store.create_room("ABCDEF", b"first") is True
    assert await store.create_room("ABCDEF", b"again") is False
    assert await store.read("ABCDEF") == [b"first"]
    assert await store.rooms() == ["ABCDEF"]


async def test_appends_are_gap_free_and_ordered(store: EventStore) -> None:
    await store.create_room("R", b"1")
    assert await store.append("R", 1, [b"2", b"3"]) == 3
    assert await store.append("R", 3, [b"4"]) == 4
    assert await store.read("R") == [b"1", b"2", b"3", b"4"]
    assert await store.read("R", after=2) == [b"3", b"4"]


async def test_a_stale_append_is_refused_and_writes_nothing(store: EventStore) -> None:
    await store.create_room("R", b"1")
    await store.append("R", 1, [b"2"])
    with pytest.raises(SeqConflict) as info:
        await store.append("R", 1, [b"other"])
    assert info.value.actual == 2
    assert await store.read("R") == [b"1", b"2"]


async def test_rooms_are_independent(store: EventStore) -> None:
    await store.create_room("A", b"a1")
    await store.create_room("B", b"b1")
    await store.append("A", 1, [b"a2"])
    assert await store.read("B") == [b"b1"]
    assert sorted(await store.rooms()) == ["A", "B"]


async def test_reopening_the_file_keeps_the_log(tmp_path: Path) -> None:
    first = SqliteStore(tmp_path / "keep.sqlite3")
    await first.open()
    await first.create_room("R", b"1")
    await first.append("R", 1, [b"2"])
    await first.close()
    second = SqliteStore(tmp_path / "keep.sqlite3")
    await second.open()
    assert await second.read("R") == [b"1", b"2"]
    await second.close()


@pytest.mark.redis
async def test_redis_unreachable_is_a_clear_store_error() -> None:
    from server.stores.base import StoreError

    dead = RedisStore("redis://127.0.0.1:1/0")
    with pytest.raises(StoreError, match="does not answer"):
        await dead.open()


@pytest.mark.redis
async def test_the_redis_password_never_appears_in_an_error() -> None:
    from server.stores.base import StoreError

    dead = RedisStore("redis://:s3cret-pass@127.0.0.1:1/0")
    with pytest.raises(StoreError) as failed:
        await dead.open()
    assert "s3cret-pass" not in str(failed.value)
    assert "redis://:***@127.0.0.1:1/0" in str(failed.value)


async def test_replace_overwrites_entries_in_place_and_keeps_the_rest(store: EventStore) -> None:
    await store.create_room("R1", b'{"n":1,"name":"Zorabel Quandtmeier"}')
    await store.append("R1", 1, [b'{"n":2}', b'{"n":3,"name":"Zorabel Quandtmeier"}'])
    await store.replace("R1", {1: b'{"n":1,"name":null}', 3: b'{"n":3,"name":null}'})
    assert await store.read("R1") == [b'{"n":1,"name":null}', b'{"n":2}', b'{"n":3,"name":null}']
    assert await store.append("R1", 3, [b'{"n":4}']) == 4  # the log goes on as before
    if isinstance(store, SqliteStore):
        files = [store.path, Path(f"{store.path}-wal")]
        stored = b"".join(f.read_bytes() for f in files if isinstance(f, Path) and f.exists())
    else:
        assert isinstance(store, RedisStore)
        rows = await store._client().xrange(store.keys.log("R1"))
        assert rows is not None
        stored = b""
        for _, fields in rows:
            assert fields is not None
            for body in fields.values():
                assert isinstance(body, bytes)
                stored += body
    assert b"Zorabel" not in stored


async def test_delete_room_removes_its_log(store: EventStore) -> None:
    await store.create_room("R1", b"a")
    await store.create_room("R2", b"b")
    assert await store.delete_room("R1") is True
    assert await store.delete_room("R1") is False
    assert await store.read("R1") == []
    assert await store.rooms() == ["R2"]
    assert await store.create_room("R1", b"c")  # the code is free again
