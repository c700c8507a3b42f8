"""Deleting personal data for real: the erasure goes into the log, then the log is rewritten.

1. The erasure is a command like any other (``privacy.erase_me`` from a
   participant, ``privacy.erase_all`` from the moderator, the admin or the
   retention sweep). Once it is in the log, every view and every export
   made from the state is without the data.
2. The log itself still holds the names and contacts in older entries, so
   they are rewritten (:func:`rooms.privacy.redact.scrub`) and overwritten in
   the store: SQLite with ``secure_delete`` and a truncating WAL checkpoint,
   Redis by rebuilding the stream (``server/stores/``).

A participant's own erasure keeps the ids (other phones stay connected; the
state equals the replay of the rewritten log). Erasing everyone also
replaces every participant id by a fresh random one, which cuts the link to
every browser's cookie, and deletes the secrets of the anonymous polls
(``server/ballot_keys.py``); this worker drops the room and reloads it from the
rewritten log, so its sockets reconnect to the new state.

Anonymous ballots are not in the log under anyone's id (a per-poll
pseudonym), so neither erasure needs to touch them: they keep counting.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Collection, Mapping

import msgspec

from rooms.base import Actor, Role
from rooms.privacy.domain import EraseAll, EraseMe
from rooms.privacy.redact import participant_ids, scrub
from rooms.room import Envelope
from server import slides
from server.hub import Hub
from server.report import logo
from server.services import Services
from server.stores.base import EventStore
from server.writer import Result

log = logging.getLogger("dialograum.privacy")

_decode = msgspec.json.Decoder(Envelope).decode
_encode = msgspec.json.Encoder().encode


async def redact_log(
    store: EventStore,
    code: str,
    erased: Collection[str] | None,
    pseudonyms: Mapping[str, str] | None = None,
) -> int:
    """Overwrite every log entry that carries the erased data; returns how many changed.

    Entries appended meanwhile are read again until a pass changes nothing:
    a worker that had not seen the erasure may still have logged a rename.
    """
    changed = 0
    for _ in range(5):
        raw = await store.read(code)
        # Seconds for a big room: off the event loop, like the reports.
        updates = await asyncio.to_thread(_rewritten, raw, erased, pseudonyms)
        if not updates:
            break
        await store.replace(code, updates)
        changed += len(updates)
    return changed


def _rewritten(
    raw: list[bytes], erased: Collection[str] | None, pseudonyms: Mapping[str, str] | None
) -> dict[int, bytes]:
    """The entries that change, by seq, as they are to be stored."""
    entries = [_decode(r) for r in raw]
    clean = scrub(entries, erased, pseudonyms)
    return {e.seq: _encode(c) for e, c in zip(entries, clean, strict=True) if c is not e}


async def erase_participant(svc: Services, hub: Hub, participant: str, cid: str | None) -> Result:
    """ "Meine Daten löschen": the person's name and contacts leave the state and the log."""
    result = await hub.submit(Actor(Role.PARTICIPANT, participant), EraseMe(), cid)
    if result.ok:
        count = await redact_log(svc.rooms.store, hub.code, {participant})
        log.info("room %s: a participant's data erased, %d log entries rewritten", hub.code, count)
    return result


async def erase_everyone(svc: Services, hub: Hub, actor: Actor) -> Result:
    """Every name, contact and participant id of the event, now; the results stay."""
    result = await hub.submit(actor, EraseAll(), None)
    if not result.ok:
        return result
    code = hub.code
    svc.rooms.forget(code)  # no more appends from the old state; reloaded on next use
    # The event is closed and every id replaced: the anonymous polls' secrets
    # would link nothing any more, and one-ballot-per-person no longer needs them.
    await svc.rooms.keys.forget(code)
    store = svc.rooms.store
    raw = await store.read(code)
    ids = await asyncio.to_thread(lambda: participant_ids([_decode(r) for r in raw]))
    pseudonyms = {pid: secrets.token_hex(8) for pid in ids}
    count = await redact_log(store, code, None, pseudonyms)
    log.info("room %s: all personal data erased, %d log entries rewritten", code, count)
    return result


async def delete_event(svc: Services, code: str) -> bool:
    """The whole event, log and all; its links stop working."""
    svc.rooms.forget(code)
    logo.remove(svc.settings.data_path, code)
    slides.remove_all(svc.settings.data_path, code)
    return await svc.rooms.store.delete_room(code)
