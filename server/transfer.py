"""Moving an event between stores: export its log as JSON, import it elsewhere.

The file holds the room's log entries byte for byte (each one is already a
JSON document), so an export from SQLite imported into Redis and exported
again is the same file: nothing is re-encoded, nothing is lost. The moderator
key's hash travels with the log, so the old moderator link keeps working;
participant cookies survive too when both servers share the signing secret.
"""

from __future__ import annotations

import msgspec

from server.stores.base import EventStore, StoreError

FORMAT = "dialograum-event"
VERSION = 1
CHUNK = 500  # entries per append: one Redis script call stays short


class EventFile(msgspec.Struct, frozen=True):
    format: str
    version: int
    code: str
    entries: list[msgspec.Raw]


class TransferError(Exception):
    """The file or the target store does not allow the move; the message says why."""


_decode_file = msgspec.json.Decoder(EventFile).decode
_encode = msgspec.json.Encoder().encode


async def export_event(store: EventStore, code: str, with_contacts: bool = False) -> bytes:
    """The event's log as a file; without ``with_contacts``, every action contact is blanked.

    Contacts are personal data that leave the server only in the console's
    contacts file (README, "Privacy"); a backup or a move to another server
    that needs them says so with ``--with-contacts``. Entries without a
    contact are copied byte for byte.
    """
    entries = await store.read(code)
    if not entries:
        raise TransferError(f"no event {code} in this store")
    if not with_contacts:
        entries = [without_contact(e) for e in entries]
    document = EventFile(FORMAT, VERSION, code, [msgspec.Raw(e) for e in entries])
    return _encode(document) + b"\n"


_decode_any = msgspec.json.Decoder().decode


def without_contact(entry: bytes) -> bytes:
    """The log entry with an ``action.joined`` contact set to null; others unchanged."""
    if b'"action.joined"' not in entry:
        return entry
    document = _decode_any(entry)
    event = document.get("event") if isinstance(document, dict) else None
    if not isinstance(event, dict) or event.get("type") != "action.joined":
        return entry
    if event.get("contact") is None:
        return entry
    event["contact"] = None
    return _encode(document)


def parse_event_file(data: bytes) -> EventFile:
    try:
        document = _decode_file(data)
    except msgspec.DecodeError as exc:
        raise TransferError(f"not an event file: {exc}") from exc
    if document.format != FORMAT or document.version != VERSION:
        raise TransferError(f"unsupported file: {document.format} version {document.version}")
    if not document.entries:
        raise TransferError("the file holds no log entries")
    return document


async def import_event(store: EventStore, data: bytes) -> str:
    """Write the file's log as a new room; refuses to touch an existing one."""
    document = parse_event_file(data)
    entries = [bytes(raw) for raw in document.entries]
    if not await store.create_room(document.code, entries[0]):
        raise TransferError(f"event {document.code} already exists in the target store")
    last = 1
    try:
        for start in range(1, len(entries), CHUNK):
            last = await store.append(document.code, last, entries[start : start + CHUNK])
    except StoreError as exc:
        raise TransferError(
            f"import of {document.code} stopped after entry {last} of {len(entries)}: {exc}"
        ) from exc
    if await store.read(document.code) != entries:
        raise TransferError(f"event {document.code}: the store did not read back what was written")
    return document.code
