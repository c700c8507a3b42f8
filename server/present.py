"""What each kind of subscriber receives: HTML fragments for the pages, JSON for the API.

The hub calls this once per tick per (kind, language) for shared views and
once per changed participant for personal ones, then sends the same text
to everyone. The JSON participant state is spliced from a shared prefix and
a personal suffix, so even that is encoded once for the shared part.

A page's fragments are rendered again only when something they read
changed: the fan-out passes the activities that changed since it last
rendered this (kind, language) (and :data:`rooms.activity.ONLINE` when who
is online did), with the texts of that render, and every fragment whose
reads (``PART_READS``) miss them keeps its text. A vote re-renders the
polls, not a wall of 900 cards. The JSON views are built whole every time:
docs/api.md promises the whole view in every state message.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import msgspec

from rooms import views
from rooms.activities import ACTIVITIES, fragment_reads, screen_reads
from rooms.activity import Fragment, Panel, console_panels
from rooms.room import RoomState
from server.activity_views import ActivityViews
from server.ballot_keys import BallotKeys
from server.outbox import Message
from server.patches import PATCH_KIND, Shapes, patch_text
from server.render import Renderer

_json = msgspec.json.Encoder()

CONSOLE_PEOPLE_LIMIT = 100

PAGE_KINDS = ("phone", "console", "screen")
API_KINDS = {"participant": "api:participant", "moderator": "api:moderator", "screen": "api:screen"}
PARTICIPANT_KINDS = ("phone", "api:participant", PATCH_KIND)

AUDIENCES: dict[str, str] = {
    "phone": "participant",
    "screen": "screen",
    "console": "moderator",
    "api:screen": "screen",
    "api:moderator": "moderator",
    "api:participant": "participant",
    PATCH_KIND: "participant",
}
"""Whose view each subscriber kind is built from (the kept activity views are per audience)."""


def page_context(
    state: RoomState,
    online: frozenset[str],
    audience: str = "screen",
    fields: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What every page and fragment of a room can read (``fields``: see views.public_view)."""
    return {
        "ev": views.public_view(state, len(online), audience, fields),
        "seq": state.seq,
    }


def _fragments(kind: str) -> tuple[Fragment, ...]:
    """Every activity's fragments of one page kind, in page order."""
    found = [f for a in ACTIVITIES for f in a.fragments.get(kind, ())]
    return tuple(sorted(found, key=lambda f: f.order))


PAGE_FRAGMENTS: dict[str, tuple[Fragment, ...]] = {kind: _fragments(kind) for kind in PAGE_KINDS}
"""Each page's fragments, shared and personal, in page order (the pages include them so)."""

CONSOLE_PANELS: tuple[Panel, ...] = tuple(p for a in ACTIVITIES for p in a.panels)
"""Every activity's console section; ``panels_for`` orders them for one event."""


PANEL_ACTIVITY: dict[str, str] = {p.id: a.name for a in ACTIVITIES for p in a.panels}
"""Which activity each console section belongs to (the console folds by phase with it)."""


def panels_for(state: RoomState) -> tuple[Panel, ...]:
    """The console's sections for this event, its own format's first."""
    return console_panels(CONSOLE_PANELS, state.lobby.format.value)


# The fragments of each page, by part name; each template renders one ``id``.
PAGE_PARTS: dict[str, dict[str, str]] = {
    kind: {f.part: f.template for f in fragments if not f.personal}
    for kind, fragments in PAGE_FRAGMENTS.items()
}

# What each shared fragment of a page depends on, and whether it also shows what
# the projector shows (then the current mode's owner is added, see _stale).
PART_READS: dict[str, dict[str, tuple[frozenset[str], bool]]] = {
    kind: {
        f.part: (fragment_reads(a, f), f.follows_screen)
        for a in ACTIVITIES
        for f in a.fragments.get(kind, ())
        if not f.personal
    }
    for kind in PAGE_KINDS
}

# What a cached console part shows: the view fields of its activity (see _cached_part).
CACHED_CONSOLE_PARTS: dict[str, tuple[str, ...]] = {
    f.part: tuple(name for name, _, _ in a.view_fields)
    for a in ACTIVITIES
    for f in a.fragments.get("console", ())
    if f.cached
}

# A phone's own fragments, rendered only when that participant's state changed.
PERSONAL_PARTS = tuple(f.template for f in PAGE_FRAGMENTS["phone"] if f.personal)


class Presenter:
    def __init__(self, renderer: Renderer, join_url: Any, keys: BallotKeys | None = None) -> None:
        self.renderer = renderer
        # The secrets of anonymous polls: a phone's own view finds its ballots by them.
        self.keys = keys
        self.join_url = join_url  # Callable[[str], str], the QR target for a code
        self._last: tuple[str, str, str] = ("", "", "")
        self._front: tuple[str, str, bytes] = ("", "", b"")  # see _participant_state
        # Phones' personal fragments read the public view; one per log position.
        self._public: tuple[RoomState, int, views.View] | None = None
        self.renders = 0  # shared fragments rendered (the benchmarks and tests read it)
        # Big console parts (an agenda of 40 phases, idea boards), by room, language
        # and part: the digest of what they show, and the rendered text.
        self._parts: OrderedDict[tuple[str, str, str], tuple[bytes, str]] = OrderedDict()
        # The participant view's shape per room, for the patches' base (server/patches.py).
        self.shapes = Shapes()
        # Activities' view fields, kept while nothing they read changed (server/activity_views.py).
        self.activity_views = ActivityViews()

    def _participant_state(self, seq: str, view: str, me: str | None) -> bytes:
        """A participant's whole state as UTF-8: what all share encoded once per tick.

        Every participant of a tick gets the same ``seq`` and ``view`` and an
        own ``me``, so the message differs per socket; built as a str, each
        of a thousand phones cost a copy of the whole view and its encoding
        (CPython encodes a text with an "ü" or "–" character by character).
        Now the shared front is encoded once and each socket's message is it
        and its own ``me`` joined as bytes (docs/benchmarks.md, "Group commit
        waits in a busy room", for what it saved).
        """
        front = self._front
        if front[1] is not view or front[0] != seq:
            head = f'{{"type":"state","seq":{seq},"state":{view},"me":'
            front = self._front = (seq, view, head.encode())
        return b"".join((front[2], b"null" if me is None else me.encode(), b"}}"))

    def _once(self, head: str, view: str) -> str:
        """The same message for every subscriber of a tick: built once, not per socket."""
        if self._last[0] != head or self._last[1] is not view:
            self._last = (head, view, head + view + "}")
        return self._last[2]

    def console_context(
        self, state: RoomState, online: frozenset[str], dirty: Collection[str] | None = None
    ) -> dict[str, Any]:
        fields = self.activity_views.fields(state, "moderator", dirty)
        people = self.activity_views.people(state, online, CONSOLE_PEOPLE_LIMIT, dirty)
        return {
            "ev": views.moderator_view(state, online, CONSOLE_PEOPLE_LIMIT, fields, people),
            "seq": state.seq,
        }

    def context(
        self,
        kind: str,
        state: RoomState,
        online: frozenset[str],
        dirty: Collection[str] | None = None,
    ) -> dict[str, Any]:
        """What the fragments of ``kind`` read; ``dirty`` what changed since its last render."""
        if kind == "console":
            return self.console_context(state, online, dirty)
        audience = AUDIENCES[kind]
        fields = self.activity_views.fields(state, audience, dirty)
        ctx = page_context(state, online, audience, fields)
        if kind == "screen":
            ctx["join_url"] = self.join_url(state.lobby.code)
        return ctx

    def shared(
        self,
        kind: str,
        lang: str,
        state: RoomState,
        online: frozenset[str],
        dirty: Collection[str] | None = None,
        previous: Mapping[str, str] | None = None,
    ) -> dict[str, str]:
        """Every shared part of ``kind`` in ``lang``, by part name, and the ``seq`` marker.

        ``previous`` is what this (room, kind, language) was last rendered as,
        and ``dirty`` what changed since (activity names, ``online``): a page
        fragment that reads none of it keeps its previous text. Without both,
        everything is rendered.
        """
        if previous is None:
            dirty = None  # nothing to compare with: everything afresh
        elif dirty:  # what changed makes kept views stale
            self.activity_views.forget(state, AUDIENCES[kind], dirty)
        if kind in PAGE_PARTS:
            ctx: dict[str, Any] | None = None
            parts: dict[str, str] = {}
            for name, template in PAGE_PARTS[kind].items():
                if (
                    previous is not None
                    and dirty is not None
                    and name in previous
                    and not self._stale(kind, name, state, dirty)
                ):
                    parts[name] = previous[name]
                    continue
                if ctx is None:  # the views are built only if a fragment shows them
                    ctx = self.context(kind, state, online, dirty)
                if kind == "console" and name in CACHED_CONSOLE_PARTS:
                    parts[name] = self._cached_part(name, lang, template, ctx)
                else:
                    parts[name] = self.renderer.render(lang, template, oob=True, **ctx)
                    self.renders += 1
            # The seq marker goes with every message, so it is its own part
            # that always changes with the log.
            parts["seq"] = self.renderer.render(lang, "partials/seq.html", oob=True, seq=state.seq)
            return parts
        # JSON views: the view and the seq are separate parts, so a view that
        # did not change is not sent again just because the log moved on (a
        # phone's view does not change when someone else votes).
        match kind:
            case "api:screen":
                fields = self.activity_views.fields(state, "screen", dirty)
                view = _json.encode(
                    views.public_view(state, len(online), "screen", fields)
                ).decode()
            case "api:moderator":
                fields = self.activity_views.fields(state, "moderator", dirty)
                people = self.activity_views.people(state, online, None, dirty)
                full = views.moderator_view(state, online, None, fields, people)
                view = _json.encode(full).decode()
            case "api:participant":
                fields = self.activity_views.fields(state, "participant", dirty)
                whole = _json.encode(views.public_view(state, len(online), "participant", fields))
                view = whole.decode()[:-1]  # open: '{…"polls":[…]' + ',"me":…}'
            case "api:participant+patch":  # PATCH_KIND: also its shape, and the patch to it
                fields = self.activity_views.fields(state, "participant", dirty)
                public = views.public_view(state, len(online), "participant", fields)
                view = _json.encode(public).decode()[:-1]
                shape, base = self.shapes.seen(state.lobby.code, state.seq, public)
                patch = patch_text(public, state.seq, base)
                return {"view": view, "seq": str(state.seq), "shape": shape.hex(), "patch": patch}
            case _:
                raise ValueError(f"unknown subscriber kind {kind!r}")
        return {"view": view, "seq": str(state.seq)}

    @staticmethod
    def _stale(kind: str, name: str, state: RoomState, dirty: Collection[str]) -> bool:
        """Whether a fragment reads something that changed.

        The projector's stage also reads the activity whose mode is on: a
        vote changes the stage while the poll is shown, not while a board
        is. A switch of mode is the lobby's event, which the stage reads.
        """
        reads, follows_screen = PART_READS[kind][name]
        if not reads.isdisjoint(dirty):
            return True
        return follows_screen and not screen_reads(state.lobby.screen).isdisjoint(dirty)

    def _cached_part(self, name: str, lang: str, template: str, ctx: dict[str, Any]) -> str:
        """Render a big console part again only when what it shows changed.

        Asked only when something the part reads changed; its reads are per
        activity, coarser than what it shows: the agenda panel at 40 phases
        renders in 9-29 ms and reads the polls only for their questions, so
        without this every vote re-rendered it (docs/benchmarks.md).
        """
        ev = ctx["ev"]
        shown = (*(getattr(ev, field) for field in CACHED_CONSOLE_PARTS[name]), ev.screen, ev.code)
        digest = hashlib.blake2b(_json.encode(shown), digest_size=16).digest()
        key = (ev.code, lang, name)
        cached = self._parts.get(key)
        if cached is not None and cached[0] == digest:
            return cached[1]
        text = self.renderer.render(lang, template, oob=True, **ctx)
        self.renders += 1
        self._parts[key] = (digest, text)
        self._parts.move_to_end(key)
        while len(self._parts) > 256:
            self._parts.popitem(last=False)
        return text

    def _participant_public(self, state: RoomState) -> views.View:
        cached = self._public
        if cached is not None and cached[0] is state and cached[1] == state.seq:
            return cached[2]
        view = views.public_view(state, 0, "participant")
        self._public = (state, state.seq, view)
        return view

    def personal(
        self, kind: str, lang: str, state: RoomState, online: frozenset[str], participant: str
    ) -> str | None:
        if kind not in PARTICIPANT_KINDS:
            return None
        pseudonyms = (
            self.keys.pseudonyms(state.lobby.code, state.polls, participant) if self.keys else None
        )
        if kind == "phone":
            me = views.me_view(state, participant, pseudonyms)
            ev = self._participant_public(state)
            return "".join(
                self.renderer.render(lang, template, oob=True, me=me, ev=ev)
                for template in PERSONAL_PARTS
            )
        return _json.encode(views.me_view(state, participant, pseudonyms)).decode()

    def frames(
        self,
        kind: str,
        changed: dict[str, str],
        personal: str | None,
        current: tuple[dict[str, str], str | None],
    ) -> Sequence[tuple[str, Message]]:
        if kind.startswith("api:"):
            if "view" not in changed and personal is None:
                return []
            shared = current[0]
            if kind == PATCH_KIND and personal is None and "shape" not in changed:
                return [("state", shared["patch"])]  # only counts changed since the last push
            if kind in PARTICIPANT_KINDS:
                return [
                    ("state", self._participant_state(shared["seq"], shared["view"], current[1]))
                ]
            head = f'{{"type":"state","seq":{shared["seq"]},"state":'
            return [("state", self._once(head, shared["view"]))]
        # The seq marker alone is not worth a message: a page whose parts did
        # not change shows the same thing, and resumes by re-rendering anyway.
        out = [(f"shared:{part}", text) for part, text in changed.items() if part != "seq"]
        if personal is not None:
            out.append(("personal", personal))
        if out:
            out.append(("shared:seq", current[0]["seq"]))
        return out
