"""A text message given as UTF-8 parts, so that a socket write never builds it as a str.

Why: a participant's whole state is the room's view (the same for every
phone of a tick) and the participant's own part ("me"). Spliced as a str
per phone and encoded again for each socket, a 4 KB view with one non-ASCII
character (a "–" makes CPython store the str two bytes a character) cost
about 4 µs per delivery, a sixth of what a delivery costs in the ``ceiling``
benchmark (docs/benchmarks.md). Here the view is encoded once per tick and
each phone's message is a join of bytes, written as one frame
(server/framesend.py). Where a str is needed (the ASGI ``send`` fallback,
the test client), :func:`text_of` builds it.
"""

from __future__ import annotations


class Spliced:
    """The message whose UTF-8 is the concatenation of ``parts``."""

    __slots__ = ("parts",)

    def __init__(self, *parts: bytes) -> None:
        self.parts = parts

    def utf8(self) -> bytes:
        return b"".join(self.parts)

    def __str__(self) -> str:
        return self.utf8().decode()

    def __repr__(self) -> str:
        return f"Spliced({self.utf8()[:60]!r}…)"


Message = str | Spliced
"""What an outbox holds: a text message, as a str or in UTF-8 parts."""


def text_of(message: Message) -> str:
    """The message as a str (the ASGI send and tests read it so)."""
    return message if isinstance(message, str) else str(message)
