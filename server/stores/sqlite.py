"""The embedded store: one SQLite file in WAL mode.

SQLite calls block, so they run on one dedicated thread; a single
connection there serialises writes without lock contention. Appends are
group-committed by the hub (many commands, one transaction), so
``synchronous=FULL`` costs one fsync per batch rather than per vote.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TypeVar

from server.stores.base import SeqConflict, StoreError

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    room TEXT PRIMARY KEY,
    created INTEGER NOT NULL DEFAULT (unixepoch())
);
CREATE TABLE IF NOT EXISTS log (
    room TEXT NOT NULL,
    seq INTEGER NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (room, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS poll_secrets (
    room TEXT NOT NULL,
    poll TEXT NOT NULL,
    secret BLOB NOT NULL,
    PRIMARY KEY (room, poll)
) WITHOUT ROWID;
"""


def private_file(path: Path) -> None:
    """Create the database file readable by the server's user only (0600).

    It holds names, ballots and contacts. SQLite gives its -wal and -shm
    files the database file's mode, so they follow. A file made by an older
    release (0644) is tightened too.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if candidate.exists():
            candidate.chmod(0o600)


class SqliteStore:
    def __init__(self, path: Path | str, synchronous: str = "FULL") -> None:
        self.path = Path(path) if str(path) != ":memory:" else path
        self._synchronous = synchronous
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        self._db: sqlite3.Connection | None = None

    async def _run(self, fn: partial[T]) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, fn)
        except sqlite3.Error as exc:
            raise StoreError(f"SQLite {self.path}: {exc}") from exc

    async def open(self) -> None:
        await self._run(partial(self._open))

    def _open(self) -> None:
        if isinstance(self.path, Path):
            private_file(self.path)
        db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA synchronous={self._synchronous}")
        db.execute("PRAGMA busy_timeout=5000")
        # Deleted and overwritten content is zeroed, not left in free pages (redaction).
        db.execute("PRAGMA secure_delete=ON")
        db.executescript(_SCHEMA)
        self._db = db

    async def close(self) -> None:
        if self._db is not None:
            await self._run(partial(self._db.close))
            self._db = None
        self._executor.shutdown(wait=True)

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise StoreError("store is not open")
        return self._db

    async def create_room(self, room: str, first: bytes) -> bool:
        return await self._run(partial(self._create_room, room, first))

    def _create_room(self, room: str, first: bytes) -> bool:
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            cur = db.execute("INSERT OR IGNORE INTO rooms(room) VALUES (?)", (room,))
            if cur.rowcount == 0:
                db.execute("ROLLBACK")
                return False
            db.execute("INSERT INTO log(room, seq, body) VALUES (?, 1, ?)", (room, first))
            db.execute("COMMIT")
            return True
        except BaseException:
            db.execute("ROLLBACK")
            raise

    async def rooms(self) -> list[str]:
        return await self._run(partial(self._rooms))

    def _rooms(self) -> list[str]:
        rows = self._conn().execute("SELECT room FROM rooms ORDER BY created, rowid").fetchall()
        return [r[0] for r in rows]

    async def append(self, room: str, expected_seq: int, entries: list[bytes]) -> int:
        return await self._run(partial(self._append, room, expected_seq, entries))

    def _append(self, room: str, expected_seq: int, entries: list[bytes]) -> int:
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            (last,) = db.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM log WHERE room = ?", (room,)
            ).fetchone()
            if last != expected_seq:
                raise SeqConflict(room, expected_seq, last)
            db.executemany(
                "INSERT INTO log(room, seq, body) VALUES (?, ?, ?)",
                [(room, expected_seq + i, body) for i, body in enumerate(entries, start=1)],
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return expected_seq + len(entries)

    async def read(self, room: str, after: int = 0) -> list[bytes]:
        return await self._run(partial(self._read, room, after))

    def _read(self, room: str, after: int) -> list[bytes]:
        rows = (
            self._conn()
            .execute("SELECT body FROM log WHERE room = ? AND seq > ? ORDER BY seq", (room, after))
            .fetchall()
        )
        return [bytes(r[0]) for r in rows]

    async def replace(self, room: str, entries: dict[int, bytes]) -> None:
        await self._run(partial(self._replace, room, entries))

    def _replace(self, room: str, entries: dict[int, bytes]) -> None:
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(
                "UPDATE log SET body = ? WHERE room = ? AND seq = ?",
                [(body, room, seq) for seq, body in entries.items()],
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._forget_old_pages()

    async def delete_room(self, room: str) -> bool:
        return await self._run(partial(self._delete_room, room))

    def _delete_room(self, room: str) -> bool:
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM log WHERE room = ?", (room,))
            db.execute("DELETE FROM poll_secrets WHERE room = ?", (room,))
            gone = db.execute("DELETE FROM rooms WHERE room = ?", (room,)).rowcount > 0
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._forget_old_pages()
        return gone

    async def poll_secret(self, room: str, poll: str, proposed: bytes) -> bytes:
        return await self._run(partial(self._poll_secret, room, poll, proposed))

    def _poll_secret(self, room: str, poll: str, proposed: bytes) -> bytes:
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(
                "INSERT OR IGNORE INTO poll_secrets(room, poll, secret) VALUES (?, ?, ?)",
                (room, poll, proposed),
            )
            (secret,) = db.execute(
                "SELECT secret FROM poll_secrets WHERE room = ? AND poll = ?", (room, poll)
            ).fetchone()
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return bytes(secret)

    async def poll_secrets(self, room: str) -> dict[str, bytes]:
        return await self._run(partial(self._poll_secrets, room))

    def _poll_secrets(self, room: str) -> dict[str, bytes]:
        rows = (
            self._conn()
            .execute("SELECT poll, secret FROM poll_secrets WHERE room = ?", (room,))
            .fetchall()
        )
        return {poll: bytes(secret) for poll, secret in rows}

    async def delete_poll_secrets(self, room: str, polls: list[str] | None = None) -> None:
        await self._run(partial(self._delete_poll_secrets, room, polls))

    def _delete_poll_secrets(self, room: str, polls: list[str] | None) -> None:
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            if polls is None:
                db.execute("DELETE FROM poll_secrets WHERE room = ?", (room,))
            else:
                db.executemany(
                    "DELETE FROM poll_secrets WHERE room = ? AND poll = ?",
                    [(room, poll) for poll in polls],
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._forget_old_pages()

    def _forget_old_pages(self) -> None:
        """Copy the WAL into the database file and truncate it to zero bytes.

        Until then the WAL still holds the pages as they were before the
        change; with ``secure_delete`` the database file holds no old content.
        """
        self._conn().execute("PRAGMA wal_checkpoint(TRUNCATE)")
