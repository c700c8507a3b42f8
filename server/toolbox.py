"""The Werkzeugkiste: event templates (an agenda and its activities, without people).

A template is a versioned JSON file (``.dialograum.json``, documented in
docs/api.md): polls, idea boards, Q&A sessions and actions as drafts, each
with a local ``ref``, and the phases of the agenda, which point at them as
``poll:<ref>``, ``board:<ref>``, ``qna:<ref>`` (or ``cafe``, ``speakers``,
``actions``). Nothing in it names a participant or holds a result: no
cards, votes, questions, sign-ups, prompts carried from results.

The built-in templates (the four formats, German and English) are data
files in ``server/builtin_templates/``; imported ones live in the data
directory (``templates/``), written whole or not at all. A template is
checked twice before it is stored or used: its shape by msgspec (a bad
file is refused with the field named), and its meaning by running every
command it stands for on a scratch room (``rooms.room.handle``), so an
event created from it never ends half-built.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec

from rooms.actions.domain import CreateAction
from rooms.agenda.domain import AddPhase, AutoPolls
from rooms.base import Actor, Role
from rooms.ideas.domain import BoardMode, CreateBoard
from rooms.ideas.dots import DotsOn
from rooms.lobby.domain import CreateEvent, Format, Language
from rooms.polls.domain import CreatePoll, PollKind, PollSettings
from rooms.qna.domain import CreateQna, QnaMode
from rooms.room import Command, RoomState, handle

if TYPE_CHECKING:
    from server.hub import Hub

BUILTIN = Path(__file__).resolve().parent / "builtin_templates"
SUFFIX = ".dialograum.json"
VERSION: Literal[1] = 1

Ref = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
TemplateId = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,59}$")]
Short = Annotated[str, msgspec.Meta(max_length=240)]
Long = Annotated[str, msgspec.Meta(max_length=2000)]


class TemplatePoll(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    ref: Ref
    kind: PollKind
    question: Short
    options: list[Short] = msgspec.field(default_factory=list)
    settings: PollSettings = msgspec.field(default_factory=PollSettings)


class TemplateBoard(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    ref: Ref
    prompt: Short
    categories: list[Short] = msgspec.field(default_factory=list)
    mode: BoardMode = BoardMode.OPEN
    dots: int = 5
    dots_per_item: int = 3
    dots_on: DotsOn = DotsOn.CLUSTERS


class TemplateQna(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    ref: Ref
    title: Short
    mode: QnaMode = QnaMode.OPEN
    speaker: Short | None = None


class TemplateAction(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    title: Short
    what: Long = ""
    owner: Short = ""
    due: str | None = None


class TemplatePhase(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    title: Short
    minutes: int
    notes: Long = ""
    activities: list[Short] = msgspec.field(default_factory=list)
    screen: Short = "agenda"
    heading: Short = ""
    body: Long = ""
    auto_polls: AutoPolls = AutoPolls.OPEN  # its polls open when it starts (off, open_close)


class Template(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    """One ``.dialograum.json`` file; ``dialograum`` and ``version`` say what it is."""

    dialograum: Literal["template"]
    version: Literal[1]
    id: TemplateId
    name: Short
    description: Long = ""
    format: Format = Format.CUSTOM
    language: Language = Language.DE
    author: Short = ""  # the organisation that made it
    polls: list[TemplatePoll] = msgspec.field(default_factory=list)
    boards: list[TemplateBoard] = msgspec.field(default_factory=list)
    qna: list[TemplateQna] = msgspec.field(default_factory=list)
    actions: list[TemplateAction] = msgspec.field(default_factory=list)
    phases: list[TemplatePhase] = msgspec.field(default_factory=list)


class TemplateInfo(msgspec.Struct, frozen=True):
    """A template in the library, as ``GET /api/templates`` lists it."""

    id: str
    name: str
    description: str
    format: Format
    language: Language
    author: str
    builtin: bool
    phases: int
    minutes: int


class TemplateError(Exception):
    """A file that is not a usable template; ``message`` names the field.

    ``reason`` says which kind of fault it is (``not_json``, ``foreign``,
    ``version``, ``missing``, ``unknown``, ``invalid``, ``duplicate_ref``,
    ``undefined_ref``, ``refused``, ``builtin_id``, ``too_large``), so a page
    can say it in the reader's language (server/library_pages.py); ``detail``
    is the room's refusal reason or the referenced name, where there is one.
    """

    def __init__(
        self, message: str, field: str | None = None, reason: str = "invalid", detail: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.reason = reason
        self.detail = detail


_decode = msgspec.json.Decoder(Template).decode
_encode = msgspec.json.Encoder().encode
_PATH = re.compile(r"at `\$\.?([^`]*)`")
_MISSING = re.compile(r"missing required field `([^`]+)`")
_UNKNOWN = re.compile(r"unknown field `([^`]+)`")


def _field(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _kind_of(raw: bytes) -> None:
    """Refuse a file that is no JSON, or JSON of another kind, before its fields are read.

    A survey's ``definition.json`` or another program's file would otherwise
    be answered with its first unknown field, which tells the reader less
    than "this is not a template".
    """
    try:
        doc = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise TemplateError(f"Not a JSON document: {exc}", None, "not_json") from exc
    if not isinstance(doc, dict) or doc.get("dialograum") != "template":
        raise TemplateError("Not a Dialograum template", "dialograum", "foreign")
    if doc.get("version") != VERSION:
        found = str(doc.get("version", "–"))
        raise TemplateError(f"Version {found} is not supported", "version", "version", found)


def parse(raw: bytes) -> Template:
    """The template in ``raw``, checked in shape and in meaning; else :class:`TemplateError`."""
    _kind_of(raw)
    try:
        template = _decode(raw)
    except msgspec.ValidationError as exc:
        text = str(exc)
        found = _PATH.search(text)
        path = found.group(1) if found else ""
        if missing := _MISSING.search(text):
            raise TemplateError(text, _field(path, missing.group(1)), "missing") from exc
        if unknown := _UNKNOWN.search(text):
            raise TemplateError(text, _field(path, unknown.group(1)), "unknown") from exc
        detail = text.split(" - at ")[0]
        raise TemplateError(text, path or None, "invalid", detail) from exc
    commands(template)  # the meaning: refuses what an event could not be built from
    return template


def _listed(raw: bytes) -> Template:
    """A stored own template, for listing: its shape only.

    It was checked whole before it was stored (:meth:`Library.save`), and
    :meth:`Library.get` checks it again before an event is built from it;
    skipping the scratch-room run here keeps the library page quick with
    hundreds of templates (0.4 ms each otherwise).
    """
    try:
        return _decode(raw)
    except msgspec.MsgspecError as exc:
        raise TemplateError(str(exc)) from exc


def encode(template: Template) -> bytes:
    """The file's bytes: indented, so a person can read and edit it."""
    return msgspec.json.format(_encode(template), indent=2) + b"\n"


def _refs(template: Template) -> dict[str, str]:
    """Each activity reference of the file (``poll:feedback``), by the field it is in."""
    out: dict[str, str] = {}
    groups: list[tuple[str, list[Any]]] = [
        ("poll", template.polls),
        ("board", template.boards),
        ("qna", template.qna),
    ]
    for kind, items in groups:
        for n, item in enumerate(items):
            ref = f"{kind}:{item.ref}"
            if ref in out:
                raise TemplateError(
                    f"{ref} is defined twice", f"{kind}s[{n}].ref", "duplicate_ref", ref
                )
            out[ref] = f"{kind}s[{n}]"
    return out


def commands(template: Template) -> list[tuple[str, Command]]:
    """The commands an event is built with, in order, each with the field it comes from.

    Phases name activities by the file's refs; :func:`build` maps them to
    the ids the room gives. Every command is tried on a scratch room here,
    so a template that passes can always be built.
    """
    known = _refs(template)
    out: list[tuple[str, Command]] = []
    for n, p in enumerate(template.polls):
        s = p.settings
        out.append(
            (
                f"polls[{n}]",
                CreatePoll(
                    kind=p.kind,
                    question=p.question,
                    options=list(p.options),
                    max_choices=s.max_choices,
                    scale_min=s.scale_min,
                    scale_max=s.scale_max,
                    min_label=s.min_label,
                    max_label=s.max_label,
                    budget=s.budget,
                    max_per_option=s.max_per_option,
                    hide_results=s.hide_results,
                    results_on_phones=s.results_on_phones,
                    anonymous=s.anonymous,
                ),
            )
        )
    for n, b in enumerate(template.boards):
        board = CreateBoard(
            prompt=b.prompt,
            categories=list(b.categories),
            mode=b.mode,
            dots=b.dots,
            dots_per_item=b.dots_per_item,
            dots_on=b.dots_on,
        )
        out.append((f"boards[{n}]", board))
    for n, q in enumerate(template.qna):
        out.append((f"qna[{n}]", CreateQna(title=q.title, mode=q.mode, speaker=q.speaker)))
    for n, a in enumerate(template.actions):
        action = CreateAction(title=a.title, what=a.what, owner=a.owner, due=a.due)
        out.append((f"actions[{n}]", action))
    for n, ph in enumerate(template.phases):
        for ref in [*ph.activities, ph.screen]:
            if ":" in ref and ref not in known:
                raise TemplateError(
                    f"{ref} is not defined in this file", f"phases[{n}]", "undefined_ref", ref
                )
        phase = AddPhase(
            title=ph.title,
            minutes=ph.minutes,
            notes=ph.notes,
            activities=list(ph.activities),
            screen=ph.screen,
            heading=ph.heading,
            body=ph.body,
            auto_polls=ph.auto_polls,
        )
        out.append((f"phases[{n}]", phase))
    _try(template, out)
    return out


def _try(template: Template, steps: list[tuple[str, Command]]) -> None:
    """Build the event on a scratch room; the first refusal names its field."""
    state = RoomState()
    create = CreateEvent(
        "TRYOUT", template.name[:120] or "x", template.format, template.language, None, "x"
    )
    handle(state, create, Actor(Role.ADMIN), None, 0)
    ids: dict[str, str] = {}
    for field, command in steps:
        handled = handle(state, with_ids(command, ids), Actor(Role.MODERATOR), None, 0)
        if not handled.ok:
            message = f"{field}: refused ({handled.reason})"
            raise TemplateError(message, field, "refused", handled.reason or "")
        remember(ids, field, command, handled.id, template)


def remember(
    ids: dict[str, str], field: str, command: Command, made: str | None, template: Template
) -> None:
    """Note which room id a file's ref became (``board:kritik`` → ``board:b1``)."""
    kind = {CreatePoll: "poll", CreateBoard: "board", CreateQna: "qna"}.get(type(command))
    if kind is None or made is None:
        return
    n = int(field[field.index("[") + 1 : -1])
    items: dict[str, list[Any]] = {
        "poll": list(template.polls),
        "board": list(template.boards),
        "qna": list(template.qna),
    }
    ids[f"{kind}:{items[kind][n].ref}"] = f"{kind}:{made}"


def with_ids(command: Command, ids: dict[str, str]) -> Command:
    """A phase's references with the room's ids in place of the file's refs."""
    if not isinstance(command, AddPhase):
        return command
    return msgspec.structs.replace(
        command,
        activities=[ids.get(a, a) for a in command.activities],
        screen=ids.get(command.screen, command.screen),
    )


def from_room(state: RoomState, template_id: str, name: str, author: str = "") -> Template:
    """The structure of an event as a template: its drafts and agenda, no people, no results."""
    lobby = state.lobby
    polls = [
        TemplatePoll(
            ref=p.id,
            kind=p.kind,
            question=p.question,
            options=[o.label for o in p.options],
            settings=p.settings,
        )
        for p in state.polls.in_order()
    ]
    boards = [
        TemplateBoard(
            ref=b.id,
            prompt=b.prompt,
            categories=list(b.categories),
            mode=b.mode,
            dots=b.dots.per_person,
            dots_per_item=b.dots.per_item,
            dots_on=b.dots.on,
        )
        for b in state.ideas.by_id.values()
    ]
    sessions = [
        TemplateQna(ref=s.id, title=s.title, mode=s.mode, speaker=s.speaker)
        for s in (state.qna.sessions[i] for i in state.qna.order)
    ]
    # An action's owner is a person and its date this event's: neither goes into a template.
    actions = [TemplateAction(title=a.title, what=a.what) for a in state.actions.in_order()]
    phases = [
        TemplatePhase(
            title=p.title,
            minutes=p.minutes,
            notes=p.notes,
            activities=list(p.activities),
            screen=p.screen,
            heading=p.heading,
            body=p.body,
            auto_polls=p.auto_polls,
        )
        for p in state.agenda.in_order()
    ]
    return Template(
        dialograum="template",
        version=VERSION,
        id=template_id,
        name=name or lobby.title,
        format=lobby.format,
        language=lobby.language,
        author=author,
        polls=polls,
        boards=boards,
        qna=sessions,
        actions=actions,
        phases=phases,
    )


def info(template: Template, builtin: bool) -> TemplateInfo:
    return TemplateInfo(
        id=template.id,
        name=template.name,
        description=template.description,
        format=template.format,
        language=template.language,
        author=template.author,
        builtin=builtin,
        phases=len(template.phases),
        minutes=sum(p.minutes for p in template.phases),
    )


@functools.cache
def builtins() -> dict[str, Template]:
    """The built-in templates, read and checked once per process."""
    found = {}
    for path in sorted(BUILTIN.glob(f"*{SUFFIX}")):
        template = parse(path.read_bytes())
        found[template.id] = template
    return found


class Library:
    """The built-in templates and the instance's own (files in ``<data>/templates``)."""

    def __init__(self, data: Path) -> None:
        self.builtin = builtins()
        self.folder = data / "templates"

    def _own_path(self, template_id: str) -> Path:
        return self.folder / f"{template_id}{SUFFIX}"

    def get(self, template_id: str) -> Template | None:
        if template_id in self.builtin:
            return self.builtin[template_id]
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,59}", template_id):
            return None
        path = self._own_path(template_id)
        try:
            return parse(path.read_bytes())
        except (OSError, TemplateError):
            return None

    def preview(self) -> list[tuple[TemplateInfo, Template]]:
        """Every template with its content, for the library page's previews."""
        out = [(info(t, True), t) for t in self.builtin.values()]
        if self.folder.is_dir():
            for path in sorted(self.folder.glob(f"*{SUFFIX}")):
                with contextlib.suppress(OSError, TemplateError):
                    template = _listed(path.read_bytes())
                    out.append((info(template, False), template))
        return out

    def own_count(self) -> int:
        """How many own templates are stored (a cap for the console's saving)."""
        return len(list(self.folder.glob(f"*{SUFFIX}"))) if self.folder.is_dir() else 0

    def delete(self, template_id: str) -> bool:
        """Remove an own template (a built-in one stays); whether there was one."""
        if template_id in self.builtin or not re.fullmatch(
            r"[a-z0-9][a-z0-9_-]{0,59}", template_id
        ):
            return False
        try:
            self._own_path(template_id).unlink()
        except FileNotFoundError:
            return False
        return True

    def all(self) -> list[TemplateInfo]:
        out = [info(t, True) for t in self.builtin.values()]
        if self.folder.is_dir():
            for path in sorted(self.folder.glob(f"*{SUFFIX}")):
                with contextlib.suppress(OSError, TemplateError):
                    out.append(info(_listed(path.read_bytes()), False))
        return out

    def save(self, template: Template) -> None:
        """Store a checked template whole: a temporary file, then one rename."""
        if template.id in self.builtin:
            message = f"{template.id} is the id of a built-in template"
            raise TemplateError(message, "id", "builtin_id", template.id)
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(encode(template))
            os.replace(tmp, self._own_path(template.id))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


async def build_from_template(hub: Hub, template: Template) -> dict[str, str]:
    """Create a template's drafts and agenda in a new event, as its moderator would.

    The template was checked on a scratch room (:func:`parse`), so each
    command is accepted; the cids make a retry after a lost reply harmless.
    Returns which room id each of the file's refs became.
    """
    moderator = Actor(Role.MODERATOR)
    ids: dict[str, str] = {}
    for n, (field, command) in enumerate(commands(template)):
        result = await hub.submit(moderator, with_ids(command, ids), f"template-{n}")
        if not result.ok:
            raise TemplateError(f"{field}: refused ({result.reason})", field)
        remember(ids, field, command, result.id, template)
    return ids
