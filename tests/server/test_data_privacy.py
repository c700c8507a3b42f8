"""Data files and exports (issue 15): contacts stay home unless asked for, files are 0600."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest

from rooms.actions.domain import CreateAction, JoinAction, LeaveAction
from rooms.base import Actor, Role
from rooms.lobby.domain import CreateEvent, Join
from rooms.room import Command, RoomState, handle, replay
from server.stores.sqlite import SqliteStore
from server.writer import decode_entries, encode_entry
from tests.server.test_transfer import cli

CODE = "PRV234"


async def fill(store: SqliteStore, entries: list[bytes]) -> None:
    await store.open()
    assert await store.create_room(CODE, entries[0])
    await store.append(CODE, 1, entries[1:])
    await store.close()


async def read(store: SqliteStore) -> list[bytes]:
    await store.open()
    try:
        return await store.read(CODE)
    finally:
        await store.close()


def an_event_with_contacts() -> list[bytes]:
    state = RoomState()
    entries: list[bytes] = []

    def do(command: Command, actor: Actor, cid: str | None) -> None:
        handled = handle(state, command, actor, cid, 1_700_000_000_000)
        assert handled.ok, handled.reason
        entries.extend(encode_entry(e) for e in handled.envelopes)

    do(CreateEvent(CODE, "Werkstatt", moderator_key_hash="ab" * 32), Actor(Role.ADMIN), None)
    for pid in ("anna", "bo"):
        do(Join(pid, pid.title()), Actor(Role.GUEST, client=pid), "j")
    do(CreateAction(title="Radweg planen"), Actor(Role.MODERATOR), "a")
    for pid in ("anna", "bo"):
        joined = JoinAction(
            action="a1", name=pid.title(), contact=f"{pid}@example.org", consent=True
        )
        do(joined, Actor(Role.PARTICIPANT, pid), "m")
    do(LeaveAction("a1"), Actor(Role.PARTICIPANT, "bo"), "l")  # left, but the log has it
    return entries


def test_export_leaves_contacts_out_unless_asked(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    """Before: every contact, also of people who had left the action, was in the file."""
    db = tmp_path / "event.sqlite3"
    entries = an_event_with_contacts()
    asyncio.run(fill(SqliteStore(db), entries))
    status, plain, _ = cli(capsysbinary, "export", CODE, "--db", str(db))
    assert status == 0
    assert b"@example.org" not in plain
    assert b"Radweg planen" in plain  # everything else is there
    status, full, _ = cli(capsysbinary, "export", CODE, "--db", str(db), "--with-contacts")
    assert status == 0
    assert full.count(b"@example.org") == 2
    # The file without contacts still replays into the same event, minus the contacts.
    (tmp_path / "plain.json").write_bytes(plain)
    status, _, err = cli(
        capsysbinary, "import", str(tmp_path / "plain.json"), "--db", str(tmp_path / "b.sqlite3")
    )
    assert status == 0, err
    moved = asyncio.run(read(SqliteStore(tmp_path / "b.sqlite3")))
    state = replay(decode_entries(moved))
    assert state.actions.by_id["a1"].members["anna"].contact is None
    assert state.actions.by_id["a1"].members["anna"].name == "Anna"


def test_the_database_and_the_data_directory_are_private(tmp_path: Path) -> None:
    db = tmp_path / "fresh" / "dialograum.sqlite3"
    asyncio.run(fill(SqliteStore(db), an_event_with_contacts()))
    for path in (db, db.with_name(db.name + "-wal")):
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    old = tmp_path / "old.sqlite3"
    old.touch(mode=0o644)
    old.chmod(0o644)
    asyncio.run(fill(SqliteStore(old), an_event_with_contacts()))
    assert stat.S_IMODE(old.stat().st_mode) == 0o600  # an older release's file is tightened
