"""What each kind of subscriber receives: HTML fragments for the pages, JSON for the API.

The hub calls this once per tick per (kind, language) for shared views and
once per changed participant for personal ones, then sends the same text
to everyone. The JSON participant state is spliced from a shared prefix and
a personal suffix, so even that is encoded once for the shared part.
"""

from __future__ import annotations

from typing import Any

import msgspec

from rooms import views
from rooms.room import RoomState
from server.render import Renderer

_json = msgspec.json.Encoder()

CONSOLE_PEOPLE_LIMIT = 100

PAGE_KINDS = ("phone", "console", "screen")
API_KINDS = {"participant": "api:participant", "moderator": "api:moderator", "screen": "api:screen"}


class StateMessage(msgspec.Struct, frozen=True, tag="state", tag_field="type"):
    seq: int
    state: views.PublicView | views.ModeratorView


def page_context(state: RoomState, online: frozenset[str]) -> dict[str, Any]:
    """What every page and fragment of a room can read."""
    return {
        "ev": views.public_view(state, len(online)),
        "seq": state.seq,
    }


class Presenter:
    def __init__(self, renderer: Renderer, join_url: Any) -> None:
        self.renderer = renderer
        self.join_url = join_url  # Callable[[str], str], the QR target for a code

    def console_context(self, state: RoomState, online: frozenset[str]) -> dict[str, Any]:
        return {
            "ev": views.moderator_view(state, online, limit=CONSOLE_PEOPLE_LIMIT),
            "seq": state.seq,
        }

    def shared(self, kind: str, lang: str, state: RoomState, online: frozenset[str]) -> str:
        match kind:
            case "screen":
                ctx = page_context(state, online)
                ctx["join_url"] = self.join_url(state.lobby.code)
                return self.renderer.render(lang, "screen/live.html", oob=True, **ctx)
            case "phone":
                ctx = page_context(state, online)
                return self.renderer.render(lang, "phone/live.html", oob=True, **ctx)
            case "console":
                ctx = self.console_context(state, online)
                return self.renderer.render(lang, "console/live.html", oob=True, **ctx)
            case "api:screen":
                view = views.public_view(state, len(online))
                return _json.encode(StateMessage(state.seq, view)).decode()
            case "api:moderator":
                full = views.moderator_view(state, online)
                return _json.encode(StateMessage(state.seq, full)).decode()
            case "api:participant":
                view = views.public_view(state, len(online))
                whole = _json.encode(StateMessage(state.seq, view)).decode()
                return whole[:-2]  # open: '…"participants":{…}' + ',"me":…}}'
        raise ValueError(f"unknown subscriber kind {kind!r}")

    def personal(
        self, kind: str, lang: str, state: RoomState, online: frozenset[str], participant: str
    ) -> str | None:
        if kind == "phone":
            me = views.me_view(state, participant)
            return self.renderer.render(
                lang, "partials/phone_me.html", oob=True, me=me, ev=views.public_view(state, 0)
            )
        if kind == "api:participant":
            return _json.encode(views.me_view(state, participant)).decode()
        return None

    def frames(
        self, kind: str, shared: str | None, personal: str | None, both: tuple[str, str | None]
    ) -> list[tuple[str, str]]:
        if kind == "api:participant":
            return [("state", f'{both[0]},"me":{both[1] or "null"}}}}}')]
        out: list[tuple[str, str]] = []
        if shared is not None:
            out.append(("shared", shared))
        if personal is not None:
            out.append(("personal", personal))
        return out
