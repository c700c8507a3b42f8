"""Counts-only patches for the JSON API's participants that can apply them.

Why: the phones' 1 s tick sends every phone the whole shared view, 8 KB
with 50 questions, eleven times while a thousand phones upvote; nearly all
of it unchanged but for vote counts (docs/benchmarks.md, "Upvotes"). A
client that says ``"patches": true`` in its hello gets, when between two of
its pushes only counts changed, a ``patch`` (``server.wire.Patch``) with
who is online and every shown question's votes and place instead: a few
hundred bytes, the same text for every such phone.

Exactness rests on ``base``: the first seq from which every render of a
room's participant view had the same *shape* (the view with counts zeroed
and questions in a fixed order). A client whose state has a seq from
``base`` to the patch's ``seq`` has that shape, so setting the counts gives
it exactly the view at ``seq``. Every render of the patch kind passes
through :class:`Shapes`, the welcome of a patch client included, so a shape
that changed and changed back between two ticks moves ``base`` on, and a
client that saw the other shape asks for the whole state instead of
applying a patch that does not fit it.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

import msgspec

from rooms import views
from server.wire import Patch, SessionVotes

PATCH_KIND = "api:participant+patch"
"""The subscriber kind of participants that apply patches (their hello said ``patches``)."""

_json = msgspec.json.Encoder()


def shape_of(view: views.View) -> bytes:
    """A digest of everything in ``view`` but its counts: equal digests differ only in counts."""
    sessions = [
        msgspec.structs.replace(
            s,
            questions=sorted(
                (msgspec.structs.replace(q, votes=0) for q in s.questions), key=lambda q: q.id
            ),
        )
        for s in view.qna
    ]
    bare = msgspec.structs.replace(view, participants=views.Counts(0, 0), qna=sessions)
    return hashlib.blake2b(_json.encode(bare), digest_size=16).digest()


def patch_text(view: views.View, seq: int, base: int) -> str:
    """The ``patch`` message for ``view`` at ``seq``, valid for clients at ``base`` or later."""
    sessions = [
        SessionVotes(s.id, [q.id for q in s.questions], [q.votes for q in s.questions])
        for s in view.qna
    ]
    return _json.encode(Patch(seq, base, view.participants, sessions)).decode()


class Shapes:
    """Per room: the shape of its last rendered participant view, and since when it holds."""

    def __init__(self, rooms: int = 1024) -> None:
        self._rooms = rooms
        self._seen: OrderedDict[str, tuple[bytes, int]] = OrderedDict()

    def seen(self, code: str, seq: int, view: views.View) -> tuple[bytes, int]:
        """Note a render of ``view`` at ``seq``; its shape's digest and base."""
        digest = shape_of(view)
        last = self._seen.get(code)
        base = last[1] if last is not None and last[0] == digest and last[1] <= seq else seq
        self._seen[code] = (digest, base)
        self._seen.move_to_end(code)
        while len(self._seen) > self._rooms:
            self._seen.popitem(last=False)
        return digest, base
