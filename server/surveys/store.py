"""Surveys in the event store: one log per survey, beside the rooms' logs.

A survey's log is keyed ``survey:<code>`` (a key no join code can take) and is
started by an append at seq 0, not by ``create_room``: it is not a room, so
the room listing (admin overview, retention sweep, start-up count) never
sees it. The append's seq check makes the start atomic on SQLite and Redis
alike, and a list of every survey's code is one more log, ``survey-index``.

Each worker keeps the states it has read and catches up by seq before every
use, so with Redis several workers see the same responses; a write that
loses the race re-decides on the fresh state (a second submission from the
same respondent is then refused, not written twice).
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Callable
from datetime import date

from rooms.codes import ALPHABET
from rooms.surveys.definition import Survey
from rooms.surveys.log import (
    Entry,
    PersonalErased,
    Refusal,
    SurveyCreated,
    SurveyDeleted,
    SurveyState,
    decode,
    encode,
    erased_entry,
    holds_personal,
    replay,
)
from server.stores.base import EventStore, SeqConflict

CODE_LENGTH = 8
INDEX = "survey-index"
_CODE = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")
RETRIES = 20


def log_name(code: str) -> str:
    return f"survey:{code}"


def normalise_survey_code(raw: str) -> str | None:
    cleaned = raw.strip().upper().replace("-", "").replace(" ", "")
    return cleaned if _CODE.match(cleaned) else None


def new_survey_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def fold(state: SurveyState, first_seq: int, entries: list[bytes]) -> None:
    """Apply entries that start at ``first_seq``, skipping any the state already holds.

    A read and a write of the same survey can overlap (both await the store),
    so an entry may arrive twice; its seq says whether it is new.
    """
    for offset, raw in enumerate(entries):
        if first_seq + offset == state.seq + 1:
            state.apply(decode(raw))


class SurveyStore:
    """The surveys this worker has read, over the shared event store."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._states: dict[str, SurveyState] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def create(self, make: Callable[[str], SurveyCreated]) -> SurveyCreated:
        """Start a new survey's log under a fresh code, and list it in the index."""
        while True:
            code = new_survey_code()
            created = make(code)
            try:
                await self.store.append(log_name(code), 0, [encode(created)])
            except SeqConflict:
                continue  # that code is taken: draw another
            break
        for _ in range(RETRIES):
            last = len(await self.store.read(INDEX))
            try:
                await self.store.append(INDEX, last, [code.encode()])
                break
            except SeqConflict:
                continue
        self._states[code] = SurveyState(created)
        return created

    async def codes(self) -> list[str]:
        return [raw.decode() for raw in await self.store.read(INDEX)]

    async def for_event(self, event: str) -> list[SurveyState]:
        """The surveys made for one event (its join code), oldest first.

        A walk over the index. Which event a survey was made for never changes,
        so a cached survey of another event is passed over without a read: a
        phone page costs the index read and a catch-up read per survey of its
        own event, not one per survey on the server (the store's single
        SQLite thread also writes the votes).
        """
        found = []
        for code in await self.codes():
            known = self._states.get(code)
            if known is not None and known.created.event != event:
                continue
            state = await self.get(code)
            if state is not None and state.created.event == event:
                found.append(state)
        return found

    async def get(self, code: str) -> SurveyState | None:
        """The survey as the log says now (caught up), or None (unknown or deleted)."""
        state = self._states.get(code)
        if state is None:
            entries = await self.store.read(log_name(code))
            if not entries:
                return None
            state = replay(entries)
            self._states[code] = state
        else:
            after = state.seq
            fold(state, after + 1, await self.store.read(log_name(code), after))
        return None if state.deleted else state

    async def delete(self, code: str, now: int) -> bool:
        """Delete a survey's answers for good, on every worker.

        A tombstone is appended (a worker that catches up sees it), then
        every earlier entry is overwritten with it, through the store's
        redaction (no copy of the old bodies is left, docs/privacy.md). The
        first entry keeps the code and nothing else, so the log stays a log.
        """
        written = await self.write(code, lambda s: SurveyDeleted(now))
        if not isinstance(written, SurveyDeleted):
            return False
        state = self._states[code]
        tombstone = encode(written)
        first = encode(SurveyCreated(code, Survey("", []), "", now))
        await self.store.replace(
            log_name(code), {1: first, **{seq: tombstone for seq in range(2, state.seq)}}
        )
        return True

    async def erase_personal(self, code: str, now: int) -> bool:
        """Remove every personal answer (contacts) of a survey, on every worker and on disk.

        The marker goes first, so each worker strips what it holds when it
        catches up; then every earlier response and draft with a personal
        answer is overwritten without it, through the store's redaction.
        False when there was nothing to remove.
        """
        written = await self.write(
            code,
            lambda s: PersonalErased(now) if holds_personal(s) else Refusal("nothing_personal"),
        )
        if not isinstance(written, PersonalErased):
            return False
        survey = self._states[code].definition
        raw = await self.store.read(log_name(code))
        changed = {}
        for seq, body in enumerate(raw, start=1):
            new = erased_entry(survey, body) if seq > 1 else None
            if new is not None:
                changed[seq] = new
        if changed:
            await self.store.replace(log_name(code), changed)
        return True

    async def write(
        self,
        code: str,
        decide: Callable[[SurveyState], Entry | Refusal],
    ) -> Entry | Refusal:
        """Decide on the current state and append; on a lost race, catch up and decide again."""
        lock = self._locks.setdefault(code, asyncio.Lock())
        async with lock:  # one writer per survey in this worker: races only between workers
            for _ in range(RETRIES):
                state = await self.get(code)
                if state is None:
                    return Refusal("unknown_survey")
                outcome = decide(state)
                if isinstance(outcome, Refusal):
                    return outcome
                seq = state.seq
                try:
                    await self.store.append(log_name(code), seq, [encode(outcome)])
                except SeqConflict:
                    continue
                fold(state, seq + 1, [encode(outcome)])
                return outcome
        return Refusal("store_unavailable")


def today_here() -> date:
    """The date in Germany: a survey that ends on the 31st is open all that day there."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/Berlin")).date()
