"""The URLs people are given: built from the public base URL, never from a request.

Phones at the venue must reach what the QR code says, so the base is the
configured public URL or the machine's LAN address (see :mod:`server.netinfo`).
"""

from __future__ import annotations

from urllib.parse import quote

import msgspec


class Links(msgspec.Struct, frozen=True):
    join: str
    screen: str
    console: str
    moderator: str | None = None


def links_for(base: str, code: str, moderator_key: str | None = None) -> Links:
    base = base.rstrip("/")
    moderator = None
    if moderator_key is not None:
        moderator = f"{base}/m/{code}?key={quote(moderator_key, safe='')}"
    return Links(
        join=f"{base}/j/{code}",
        screen=f"{base}/s/{code}",
        console=f"{base}/console/{code}",
        moderator=moderator,
    )
