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

    ``alias`` is set for a ballot in an anonymous poll: the voter's pseudonym
    in that poll, which the transport derives from the participant id under
    the poll's secret (rooms/polls/pseudonyms.py). The log then names the
    author only by it (:attr:`log_key`), so a stored ballot carries no
    participant id; the rate limit still counts the person (:attr:`key`).
    """

    role: Role
    participant: str | None = None
    client: str | None = None
    alias: str | None = None

    @property
    def key(self) -> str:
        if self.participant is not None:
            return f"p:{self.participant}"
        if self.client is not None:
            return f"{self.role.value}:{self.client}"
        return self.role.value

    @property
    def log_key(self) -> str:
        """Whom the log names as the author (and scopes the cids by): the alias, if any."""
        return f"v:{self.alias}" if self.alias is not None else self.key

    @classmethod
    def from_key(cls, key: str) -> Actor:
        """The actor a log entry names by its :attr:`log_key` (old or odd keys read as a guest)."""
        if key.startswith("p:"):
            return cls(Role.PARTICIPANT, key[2:])
        if key.startswith("v:"):
            return cls(Role.PARTICIPANT, alias=key[2:])
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
