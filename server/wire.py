"""Messages on the wire: the JSON API's bodies and the WebSocket protocol.

Inbound commands are decoded in two steps: JSON into a dict (pages send
form fields as strings, empty fields as ""), then converted into one tagged
union of the commands a client may send. Both decoders are built once.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeVar, Union

import msgspec

from rooms.activities import CLIENT_COMMAND_TYPES
from rooms.cafe.domain import CreateCafe, Replan, StartRound
from rooms.ideas.sort import SortCards, SuggestClusters
from rooms.lobby.domain import Format, Language, OrganisationType
from rooms.views import Counts

# Commands the server answers before they reach the room (cluster.suggest and
# cluster.sort run the model in server/suggest.py and submit the proposal it makes).
SERVER_COMMAND_TYPES: tuple[type[msgspec.Struct], ...] = (SuggestClusters, SortCards)

if TYPE_CHECKING:
    ClientCommand = msgspec.Struct
else:
    # Every activity's client commands (rooms/activities.py), plus the server's own.
    ClientCommand = Union[(*CLIENT_COMMAND_TYPES, *SERVER_COMMAND_TYPES)]

_LIST_FIELDS = ("choices", "ranking", "ideas")
_FLAGS = ("hide_results", "results_on_phones")
# Checkboxes of the idea forms: present = "true", absent = false.
_IDEA_FLAGS = {"idea.post": ("anonymous",), "action.join": ("consent",)}

_decode_object = msgspec.json.Decoder(dict[str, Any]).decode
# Converting to the tagged union costs ~70 µs a message (msgspec looks the
# union up each time), to the one struct its tag names ~1 µs.
_BY_TAG: dict[str, type[Any]] = {
    str(cls.__struct_config__.tag): cls for cls in (*CLIENT_COMMAND_TYPES, *SERVER_COMMAND_TYPES)
}
_encode = msgspec.json.Encoder().encode


class Hello(msgspec.Struct, tag="hello", frozen=True):
    """The first message on a live socket; sent again on the API socket, it asks for the
    whole state.

    ``patches``: a participant client that can apply a :class:`Patch` says so here
    (docs/api.md, "Patches"); without it every push is a whole state.
    """

    token: str | None = None
    after: int | None = None
    patches: bool = False


class BadMessage(Exception):
    def __init__(self, reason: str, cid: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.cid = cid


CID_LENGTH = 64


class _CidOnly(msgspec.Struct):
    cid: str | int | None = None


_decode_cid = msgspec.json.Decoder(_CidOnly).decode
_CID_TEXT = re.compile(rb'"cid"\s*:\s*"([^"\\]{1,64})"')


def cid_of(raw: str | bytes) -> str | None:
    """The cid of a message refused unread (too large, too deep), so its ack can be matched.

    Decoded properly where the document allows; otherwise, for JSON nested
    past the decoder's limit, the first ``"cid": "…"`` in the text.
    """
    try:
        cid = _decode_cid(raw).cid
    except (msgspec.DecodeError, RecursionError):
        found = _CID_TEXT.search(raw.encode() if isinstance(raw, str) else raw)
        return found.group(1).decode(errors="replace") if found else None
    return str(cid) if cid not in (None, "") else None


def parse(raw: str | bytes) -> tuple[Hello | ClientCommand, str | None]:
    """Decode one inbound message into (command or hello, cid); raises :class:`BadMessage`.

    Nesting deeper than the decoder's recursion limit is a bad message, not
    a crash. A cid longer than 64 characters is refused, never cut: two
    commands whose cids share 64 characters would otherwise collide, and the
    second be answered as a duplicate of the first.
    """
    try:
        fields = _decode_object(raw)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise BadMessage("bad_message", cid_of(raw)) from exc
    cid = fields.pop("cid", None)
    if isinstance(cid, (dict, list, float, bool)):
        raise BadMessage("bad_message")
    cid = str(cid) if cid not in (None, "") else None
    if cid is not None and len(cid) > CID_LENGTH:
        raise BadMessage("cid_invalid", cid)
    fields.pop("HEADERS", None)
    kind = fields.get("type")
    cleaned = from_form({k: v for k, v in fields.items() if v != ""})
    if kind == "hello":
        try:
            return msgspec.convert(cleaned, Hello, strict=False), cid
        except msgspec.ValidationError as exc:
            raise BadMessage("bad_message", cid) from exc
    struct = _BY_TAG.get(kind) if isinstance(kind, str) else None
    if struct is None:
        raise BadMessage("unknown_command" if isinstance(kind, str) else "bad_message", cid)
    try:
        command: ClientCommand = msgspec.convert(cleaned, struct, strict=False)
    except msgspec.ValidationError as exc:
        raise BadMessage("bad_message", cid) from exc
    return command, cid


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "on", "1", "yes")


def from_form(fields: dict[str, Any]) -> dict[str, Any]:
    """Turn HTML form fields into the shapes the commands expect.

    Pages send what forms hold: a lone checked checkbox as a string, a list
    of options as lines of a textarea, points as ``points.<option>`` fields,
    "named" for a non-anonymous poll. JSON clients send the shapes directly
    and pass through unchanged.
    """
    out = dict(fields)
    for name in _LIST_FIELDS:
        if isinstance(out.get(name), str):
            out[name] = [out[name]]
    if isinstance(out.get("options"), str):
        out["options"] = [line for line in out["options"].splitlines() if line.strip()]
    points = {k.removeprefix("points."): v for k, v in out.items() if k.startswith("points.")}
    if points:
        for key in list(out):
            if key.startswith("points."):
                del out[key]
        out["points"] = {k: v for k, v in points.items() if str(v).strip() not in ("", "0")}
    if isinstance(out.get("categories"), str):
        out["categories"] = [line for line in out["categories"].splitlines() if line.strip()]
    for flag in _IDEA_FLAGS.get(str(out.get("type")), ()):
        out[flag] = _truthy(out.get(flag, False))
    if out.get("type") in ("poll.create", "poll.update"):
        for flag in _FLAGS:
            out[flag] = _truthy(out.get(flag, False))
        if "named" in out:
            out["anonymous"] = not _truthy(out.pop("named"))
    if out.get("type") in ("agenda.add_phase", "agenda.update_phase") and isinstance(
        out.get("activities"), str
    ):  # the console's field: references separated by commas or blanks
        out["activities"] = out["activities"].replace(",", " ").split()
    if out.get("type") == "agenda.update_phase" and out.pop("whole", None):
        # The console's edit form sends every field; one left empty was emptied.
        for name in ("notes", "activities", "heading", "body"):
            out.setdefault(name, [] if name == "activities" else "")
    if out.get("type") == "cafe.create":
        out = cafe_form(out)
    if out.get("type") == "cafe.replan":
        out["drop_offline"] = _truthy(out.get("drop_offline", False))
    return out


def cafe_form(out: dict[str, Any]) -> dict[str, Any]:
    """The console's café form: one topic per line, one capacity for all tables."""
    if isinstance(out.get("tables"), str):
        capacity = out.pop("capacity", None)
        out["tables"] = [
            {"topic": line.strip(), **({"capacity": capacity} if capacity else {})}
            for line in out["tables"].splitlines()
            if line.strip()
        ]
    out["mix"] = _truthy(out.get("mix", False))
    for goal in ("keep_apart", "keep_together"):
        if isinstance(out.get(goal), str):
            out[goal] = [
                [name.strip() for name in line.split(",") if name.strip()]
                for line in out[goal].splitlines()
                if line.strip()
            ]
    return out


CommandT = TypeVar("CommandT", bound=msgspec.Struct)


def with_presence(command: CommandT, online: frozenset[str]) -> CommandT:
    """Café planning from a page takes the people who are online now.

    Who is connected is the transport's knowledge, not the log's: the page
    socket hands it in, and the plan that follows is written into the event.
    """
    if isinstance(command, CreateCafe | StartRound | Replan) and command.present is None:
        return msgspec.structs.replace(command, present=sorted(online))
    return command


class Ack(msgspec.Struct, tag="ack", frozen=True):
    cid: str | None
    ok: bool
    seq: int | None
    reason: str | None
    id: str | None = None
    message: str | None = None


class Progress(msgspec.Struct, tag="progress", frozen=True):
    """How far a cluster proposal got: stage "loading" (the model), "reading" (cards,
    ``done`` of ``total``), "grouping", or "done"."""

    board: str
    stage: str
    done: int
    total: int


class Welcome(msgspec.Struct, tag="welcome", frozen=True):
    role: str
    seq: int
    state: Any


class Error(msgspec.Struct, tag="error", frozen=True):
    reason: str
    message: str


class StatePush(msgspec.Struct, tag="state", frozen=True):
    """A whole view (the server splices its text; this Struct documents it in /schema)."""

    seq: int
    state: Any


class SessionVotes(msgspec.Struct, frozen=True):
    """One Q&A session's shown questions in their new order, and their votes.

    ``order`` and ``votes`` are parallel: ``votes[i]`` belongs to ``order[i]``.
    """

    session: str
    order: list[str]
    votes: list[int]


class Patch(msgspec.Struct, tag="patch", frozen=True):
    """What changed since ``base`` when only counts did: for clients that said ``patches``.

    Counts only: who is online or joined, and each Q&A question's votes and
    place. A client whose state has a seq from ``base`` to ``seq`` sets these
    (absolute values, not deltas) and takes ``seq``; any other client has
    missed something and sends ``hello`` again for the whole state.
    """

    seq: int
    base: int
    participants: Counts
    qna: list[SessionVotes]


class LiveMessages(msgspec.Struct):
    """The live socket's messages, one of each, so that /schema describes them all.

    The client sends ``hello`` and commands; the server sends the others.
    """

    hello: Hello
    welcome: Welcome
    state: StatePush
    patch: Patch
    ack: Ack
    error: Error
    progress: Progress


def encode(message: Ack | Welcome | Error | Progress | Patch) -> str:
    return _encode(message).decode()


# --- JSON API bodies ------------------------------------------------------


class CreateEventRequest(msgspec.Struct, forbid_unknown_fields=True):
    title: str = ""  # may be left out with a template: then the template's name
    format: Format | None = None  # default: the template's, else custom
    language: Language | None = None  # default: the template's, else German
    date: str | None = None
    place: str | None = None
    organisers: str | None = None
    region: str | None = None
    retention_days: int | None = None  # default: DIALOGRAUM_RETENTION_DAYS
    template: str | None = None  # a template's id (GET /api/templates): agenda and drafts


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
