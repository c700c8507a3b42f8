"""The secrets of anonymous polls: kept beside the log, never in it, deleted when a poll is sealed.

An anonymous ballot is stored under the voter's pseudonym in that poll, an
HMAC of their participant id under the poll's secret
(:mod:`rooms.polls.pseudonyms`). This module is where those secrets live on
a worker: created on a poll's first vote (32 random bytes, the first one
stored wins, so every worker derives the same pseudonym), cached in memory
by room and poll, read by the writer before it decides a vote and by the
pages for a phone's "your vote", and deleted from the store and from memory
when the poll is closed for good (``poll.sealed``), when everyone's data is
erased and when the event is deleted. After that no stored ballot can be
linked to a person, by anyone.

The store keeps them in a table (SQLite) or a hash (Redis) of their own, so
no export, redaction or replay of the log ever sees them
(``EventStore.poll_secret``, ``poll_secrets``, ``delete_poll_secrets``).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable

from rooms.base import Actor
from rooms.polls.domain import AnonymousVoteCast, Polls, PollSealed
from rooms.polls.pseudonyms import SECRET_BYTES, pseudonymous_poll, pseudonyms, voter
from rooms.room import Command, Envelope
from server.stores.base import EventStore

log = logging.getLogger("dialograum.ballot_keys")


class BallotKeys:
    """One worker's copy of the poll secrets of the rooms it holds."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._rooms: dict[str, dict[str, bytes]] = {}  # room -> poll -> secret

    def _of(self, room: str) -> dict[str, bytes]:
        return self._rooms.setdefault(room, {})

    async def load(self, room: str, polls: Polls) -> None:
        """Read the room's secrets; delete any a sealed poll still has (a seal whose
        deletion failed, or a secret another worker created just before the seal)."""
        held = await self.store.poll_secrets(room)
        stale = [p for p in held if (poll := polls.by_id.get(p)) is not None and poll.sealed]
        if stale:
            await self.forget(room, stale)
            held = {p: s for p, s in held.items() if p not in stale}
        self._rooms[room] = held

    async def prepare(self, room: str, polls: Polls, commands: Iterable[Command]) -> None:
        """Make sure every ballot among ``commands`` finds its poll's secret in memory.

        Before deciding, while the state is the committed one: a vote in an
        anonymous poll that has no secret yet creates it (the store keeps the
        first one proposed, so two workers agree).
        """
        mine = self._of(room)
        for command in commands:
            poll = pseudonymous_poll(polls, command)
            if poll is not None and poll not in mine:
                mine[poll] = await self.store.poll_secret(
                    room, poll, secrets.token_bytes(SECRET_BYTES)
                )

    def voter(self, room: str, polls: Polls, command: Command, actor: Actor) -> Actor | None:
        """The actor to decide ``command`` as: with its pseudonym if it is an
        anonymous ballot; None if it needs one and its secret is not here."""
        aliased = voter(polls, command, actor, self._of(room))
        wanted = actor.participant is not None and pseudonymous_poll(polls, command) is not None
        return None if wanted and aliased.alias is None else aliased

    def pseudonyms(self, room: str, polls: Polls, participant: str) -> dict[str, str]:
        """Poll id → the participant's pseudonym there: how a phone finds its own ballots."""
        held = self._rooms.get(room)
        return pseudonyms(polls, participant, held) if held else {}

    async def after(self, room: str, polls: Polls, envelopes: Iterable[Envelope]) -> None:
        """Entries were applied (this worker's or another's): delete the secrets of
        polls they sealed; fetch the secret of a poll another worker created one for."""
        mine = self._of(room)
        sealed: list[str] = []
        missing = False
        for envelope in envelopes:
            event = envelope.event
            if isinstance(event, PollSealed):
                sealed.append(event.poll)
            elif isinstance(event, AnonymousVoteCast) and event.poll not in mine:
                missing = True
        if sealed:
            await self.forget(room, sealed)
        if missing:
            held = await self.store.poll_secrets(room)
            mine.update({p: s for p, s in held.items() if not _sealed(polls, p)})

    async def forget(self, room: str, polls: list[str] | None = None) -> None:
        """Delete these polls' secrets (None: all of the room's), here and in the store."""
        mine = self._of(room)
        for poll in list(mine) if polls is None else polls:
            mine.pop(poll, None)
        if polls is None:
            self._rooms.pop(room, None)
        await self.store.delete_poll_secrets(room, polls)
        log.info("room %s: poll secrets deleted (%s)", room, "all" if polls is None else len(polls))

    def drop(self, room: str) -> None:
        """Forget a room's secrets in memory only (the worker no longer holds the room)."""
        self._rooms.pop(room, None)


def _sealed(polls: Polls, poll_id: str) -> bool:
    poll = polls.by_id.get(poll_id)
    return poll is not None and poll.sealed
