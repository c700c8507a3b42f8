"""Messages on the wire: the JSON API's bodies and the WebSocket protocol.

Inbound commands are decoded in two steps: JSON into a dict (pages send
form fields as strings, empty fields as ""), then converted into one tagged
union of the commands a client may send. Both decoders are built once.
"""

from __future__ import annotations

from typing import Any

import msgspec

from rooms.lobby import (
    CloseEvent,
    Format,
    Language,
    Leave,
    OrganisationType,
    Rename,
    ReopenEvent,
    ShowOnScreen,
)
from rooms.views import Counts

ClientCommand = Rename | Leave | ShowOnScreen | CloseEvent | ReopenEvent

_decode_object = msgspec.json.Decoder(dict[str, Any]).decode
_encode = msgspec.json.Encoder().encode


class Hello(msgspec.Struct, tag="hello", frozen=True):
    token: str | None = None
    after: int | None = None


class BadMessage(Exception):
    def __init__(self, reason: str, cid: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.cid = cid


def parse(raw: str | bytes) -> tuple[Hello | ClientCommand, str | None]:
    """Decode one inbound message into (command or hello, cid); raises :class:`BadMessage`."""
    try:
        fields = _decode_object(raw)
    except msgspec.DecodeError as exc:
        raise BadMessage("bad_message") from exc
    cid = fields.pop("cid", None)
    cid = str(cid)[:64] if cid not in (None, "") else None
    fields.pop("HEADERS", None)
    kind = fields.get("type")
    cleaned = {k: v for k, v in fields.items() if v != ""}
    if kind == "hello":
        try:
            return msgspec.convert(cleaned, Hello, strict=False), cid
        except msgspec.ValidationError as exc:
            raise BadMessage("bad_message", cid) from exc
    try:
        command: ClientCommand = msgspec.convert(cleaned, ClientCommand, strict=False)
    except msgspec.ValidationError as exc:
        reason = (
            "unknown_command"
            if "Invalid value" in str(exc) and "$.type" in str(exc)
            else "bad_message"
        )
        raise BadMessage(reason, cid) from exc
    return command, cid


class Ack(msgspec.Struct, tag="ack", frozen=True):
    cid: str | None
    ok: bool
    seq: int | None
    reason: str | None
    id: str | None = None
    message: str | None = None


class Welcome(msgspec.Struct, tag="welcome", frozen=True):
    role: str
    seq: int
    state: Any


class Error(msgspec.Struct, tag="error", frozen=True):
    reason: str
    message: str


def encode(message: Ack | Welcome | Error) -> str:
    return _encode(message).decode()


# --- JSON API bodies ------------------------------------------------------


class CreateEventRequest(msgspec.Struct, forbid_unknown_fields=True):
    title: str
    format: Format = Format.CUSTOM
    language: Language = Language.DE
    date: str | None = None


class EventLinks(msgspec.Struct):
    moderator: str
    screen: str
    join: str


class CreateEventResponse(msgspec.Struct):
    code: str
    moderator_token: str
    links: EventLinks
    title: str
    format: Format
    language: Language


class EventInfo(msgspec.Struct):
    code: str
    title: str
    format: str
    language: str
    date: str | None
    status: str
    participants: Counts
    join_url: str


class JoinRequest(msgspec.Struct):
    name: str | None = None
    organisation_type: OrganisationType | None = None


class JoinResponse(msgspec.Struct):
    participant_id: str
    token: str


class StateResponse(msgspec.Struct):
    seq: int
    state: Any


class ErrorResponse(msgspec.Struct):
    status_code: int
    detail: str
    reason: str | None = None
    field: str | None = None
