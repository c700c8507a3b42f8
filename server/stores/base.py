"""The store interface: one ordered, gap-free log per room.

SQLite implements it for the embedded default and Redis Streams for scale-out;
the test suite runs the same contract against both.
"""

from __future__ import annotations

from typing import Protocol


class StoreError(Exception):
    """The store could not be reached or did not confirm a write."""


class SeqConflict(StoreError):
    """Someone else appended first: the caller's view of the log is stale."""

    def __init__(self, room: str, expected: int, actual: int) -> None:
        super().__init__(f"room {room}: expected last seq {expected}, found {actual}")
        self.expected = expected
        self.actual = actual


class EventStore(Protocol):
    async def open(self) -> None:
        """Connect and prepare; raises :class:`StoreError` with a clear message."""

    async def close(self) -> None: ...

    async def create_room(self, room: str, first: bytes) -> bool:
        """Start a room's log with its first entry; False if the room exists."""

    async def rooms(self) -> list[str]:
        """Every room, oldest first."""

    async def append(self, room: str, expected_seq: int, entries: list[bytes]) -> int:
        """Append entries as seq ``expected_seq + 1 …``, all or none.

        Raises :class:`SeqConflict` when the log's last seq is not
        ``expected_seq``. Returns the new last seq. Durable on return.
        """

    async def read(self, room: str, after: int = 0) -> list[bytes]:
        """Entries with seq > ``after``, in order."""

    async def replace(self, room: str, entries: dict[int, bytes]) -> None:
        """Overwrite the entries with these seqs (redaction), leaving no copy of the old ones.

        The log keeps its length and order; entries appended meanwhile are
        untouched. Durable on return, and the old bodies are gone from the
        store's files as far as the store can see to it (docs/privacy.md).
        """

    async def delete_room(self, room: str) -> bool:
        """Delete a room's whole log; False if there was none."""

    async def poll_secret(self, room: str, poll: str, proposed: bytes) -> bytes:
        """The poll's secret (anonymous ballots): ``proposed`` if it has none yet,
        else the one stored first, so every worker derives the same pseudonyms.

        Secrets live beside the log, never in it (``server/ballot_keys.py``).
        """

    async def poll_secrets(self, room: str) -> dict[str, bytes]:
        """Every secret the room's polls still have, by poll id."""

    async def delete_poll_secrets(self, room: str, polls: list[str] | None = None) -> None:
        """Delete these polls' secrets (None: all of the room's), leaving no copy
        as far as the store can see to it (as :meth:`replace`). ``delete_room``
        deletes them too."""
