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


def page_context(
    state: RoomState, online: frozenset[str], audience: str = "screen"
) -> dict[str, Any]:
    """What every page and fragment of a room can read."""
    return {
        "ev": views.public_view(state, len(online), audience),
        "seq": state.seq,
    }


# The fragments of each page, by part name; each template renders one ``id``.
PAGE_PARTS: dict[str, dict[str, str]] = {
    "phone": {
        "status": "partials/phone_status.html",
        "polls": "partials/phone_polls.html",
        "results": "partials/phone_results.html",
    },
    "console": {
        "status": "partials/console_status.html",
        "people": "partials/console_people.html",
        "polls": "partials/console_polls.html",
    },
    "screen": {"stage": "partials/screen_stage.html"},
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

    def context(self, kind: str, state: RoomState, online: frozenset[str]) -> dict[str, Any]:
        if kind == "console":
            return self.console_context(state, online)
        ctx = page_context(state, online, "participant" if kind == "phone" else "screen")
        if kind == "screen":
            ctx["join_url"] = self.join_url(state.lobby.code)
        return ctx

    def shared(
        self, kind: str, lang: str, state: RoomState, online: frozenset[str]
    ) -> dict[str, str]:
        if kind in PAGE_PARTS:
            ctx = self.context(kind, state, online)
            parts = {
                name: self.renderer.render(lang, template, oob=True, **ctx)
                for name, template in PAGE_PARTS[kind].items()
            }
            # The seq marker goes with every message, so it is its own part
            # that always changes with the log.
            parts["seq"] = self.renderer.render(lang, "partials/seq.html", oob=True, seq=state.seq)
            return parts
        match kind:
            case "api:screen":
                view = views.public_view(state, len(online))
                return {"state": _json.encode(StateMessage(state.seq, view)).decode()}
            case "api:moderator":
                full = views.moderator_view(state, online)
                return {"state": _json.encode(StateMessage(state.seq, full)).decode()}
            case "api:participant":
                view = views.public_view(state, len(online), "participant")
                whole = _json.encode(StateMessage(state.seq, view)).decode()
                return {"state": whole[:-2]}  # open: '…"polls":[…]' + ',"me":…}}'
        raise ValueError(f"unknown subscriber kind {kind!r}")

    def personal(
        self, kind: str, lang: str, state: RoomState, online: frozenset[str], participant: str
    ) -> str | None:
        if kind == "phone":
            me = views.me_view(state, participant)
            return self.renderer.render(
                lang,
                "partials/phone_me.html",
                oob=True,
                me=me,
                ev=views.public_view(state, 0, "participant"),
            )
        if kind == "api:participant":
            return _json.encode(views.me_view(state, participant)).decode()
        return None

    def frames(
        self,
        kind: str,
        changed: dict[str, str],
        personal: str | None,
        current: tuple[dict[str, str], str | None],
    ) -> list[tuple[str, str]]:
        if kind == "api:participant":
            return [("state", f'{current[0]["state"]},"me":{current[1] or "null"}}}}}')]
        if kind not in PAGE_PARTS:
            return [("state", current[0]["state"])] if changed else []
        # The seq marker alone is not worth a message: a page whose parts did
        # not change shows the same thing, and resumes by re-rendering anyway.
        out = [(f"shared:{part}", text) for part, text in changed.items() if part != "seq"]
        if personal is not None:
            out.append(("personal", personal))
        if out:
            out.append(("shared:seq", current[0]["seq"]))
        return out
