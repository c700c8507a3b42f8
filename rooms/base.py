"""Types every activity shares: who acts, what a refusal looks like, the limits.

The core never trusts a role claimed inside a message: the transport resolves
the role from a cookie or token and hands it in as an :class:`Actor`.
"""

from __future__ import annotations

import enum

import msgspec


class Role(enum.StrEnum):
    """Who is asking. Ordered from most to least powerful only by convention."""

    ADMIN = "admin"
    MODERATOR = "moderator"
    PARTICIPANT = "participant"
    GUEST = "guest"  # knows the join code, has not joined yet
    SCREEN = "screen"


class Actor(msgspec.Struct, frozen=True):
    """The authenticated author of a command.

    ``participant`` is set for participants only; ``key`` scopes client ids
    (``cid``), so that two phones choosing the same cid never collide.
    ``client`` scopes a guest's cids (a join) to one client: an opaque value
    the transport derives from something only that client holds. Without
    it every joiner would share one scope, and a resent join cid would hand
    the first joiner's identity to whoever sent it.
    """

    role: Role
    participant: str | None = None
    client: str | None = None

    @property
    def key(self) -> str:
        if self.participant is not None:
            return f"p:{self.participant}"
        if self.client is not None:
            return f"{self.role.value}:{self.client}"
        return self.role.value

    @classmethod
    def from_key(cls, key: str) -> Actor:
        """The actor a log entry names by its :attr:`key` (old or odd keys read as a guest)."""
        if key.startswith("p:"):
            return cls(Role.PARTICIPANT, key[2:])
        try:
            return cls(Role(key))
        except ValueError:
            return cls(Role.GUEST)


class Rejected(msgspec.Struct, frozen=True):
    """A refusal. ``reason`` is a stable key that the UI translates.

    ``transient`` refusals (rate limit, storage trouble) are not remembered
    for their ``cid``: resending later may succeed.
    """

    reason: str
    transient: bool = False


def N_(message: str) -> str:
    """Mark a text for translation without translating it: the core has no language.

    An activity's refusal texts are English msgids (``Activity.reasons``); the
    transport translates them into the reader's language with Babel.
    """
    return message
