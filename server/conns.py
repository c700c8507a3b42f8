"""How many live sockets one client may hold: per address, per event, per participant.

Every open socket costs memory (an outbox, a subscriber, the server's
buffers) and a share of each fan-out, so one client must not open thousands
(the review of issue 15 opened 2,000 screen sockets: RSS from 133 to 368 MB,
and a command took 0.95 s instead of 10 ms). The bounds, all settings:

- **anonymous sockets per address** (screens, and API sockets without a
  token): a venue has a few projectors, not hundreds, so this is small.
- **sockets per participant**: a phone, perhaps a second tab. A new socket
  beyond the bound closes that participant's *oldest*: on venue Wi-Fi a
  reconnecting phone often still has a dead socket the server has not
  noticed yet, and it must not be locked out by it.
- **sockets per address**: a backstop above what a whole venue behind one
  NAT address holds (see docs/security.md for the numbers).
- **sockets per event**: a backstop above the event's participant cap.

A refused socket is closed with 1013 (try again later) before it is accepted.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SocketLimits:
    per_address: int = 4000
    anonymous_per_address: int = 20
    per_participant: int = 4
    per_event: int = 12_000


@dataclass
class Ticket:
    """One admitted socket; hand it back with :meth:`Sockets.release`."""

    address: str
    code: str
    anonymous: bool
    participant: str | None
    close: Callable[[], None] = field(default=lambda: None)
    released: bool = False


class Sockets:
    """Counts of open sockets, kept by the worker that holds them."""

    def __init__(self, limits: SocketLimits) -> None:
        self.limits = limits
        self.by_address: dict[str, int] = {}
        self.anonymous_by_address: dict[str, int] = {}
        self.by_event: dict[str, int] = {}
        # (event, participant) -> its open sockets, oldest first
        self.by_participant: dict[tuple[str, str], OrderedDict[int, Ticket]] = {}

    def admit(
        self, address: str, code: str, participant: str | None, anonymous: bool
    ) -> Ticket | None:
        """A ticket for one more socket, or None if a bound says no."""
        lim = self.limits
        if self.by_address.get(address, 0) >= lim.per_address:
            return None
        if self.by_event.get(code, 0) >= lim.per_event:
            return None
        if anonymous and self.anonymous_by_address.get(address, 0) >= lim.anonymous_per_address:
            return None
        ticket = Ticket(address, code, anonymous, participant)
        _bump(self.by_address, address, 1)
        _bump(self.by_event, code, 1)
        if anonymous:
            _bump(self.anonymous_by_address, address, 1)
        if participant is not None:
            mine = self.by_participant.setdefault((code, participant), OrderedDict())
            mine[id(ticket)] = ticket
            while len(mine) > lim.per_participant:
                _, oldest = mine.popitem(last=False)
                oldest.close()  # its session releases it when the socket ends
        return ticket

    def identify(self, ticket: Ticket, participant: str | None, anonymous: bool) -> bool:
        """An API socket said who it is in its hello: count it as that from now on.

        Until then it counts only towards the address and the event: a hall of
        phones connecting at once must not trip the small bound on screens in
        the moment between connecting and saying hello. False if it turns out
        to be one anonymous socket too many.
        """
        if anonymous and not ticket.anonymous:
            if (
                self.anonymous_by_address.get(ticket.address, 0)
                >= self.limits.anonymous_per_address
            ):
                return False
            ticket.anonymous = True
            _bump(self.anonymous_by_address, ticket.address, 1)
        if participant is not None and ticket.participant is None:
            ticket.participant = participant
            mine = self.by_participant.setdefault((ticket.code, participant), OrderedDict())
            mine[id(ticket)] = ticket
            while len(mine) > self.limits.per_participant:
                _, oldest = mine.popitem(last=False)
                oldest.close()
        return True

    def release(self, ticket: Ticket) -> None:
        if ticket.released:
            return
        ticket.released = True
        _bump(self.by_address, ticket.address, -1)
        _bump(self.by_event, ticket.code, -1)
        if ticket.anonymous:
            _bump(self.anonymous_by_address, ticket.address, -1)
        if ticket.participant is not None:
            key = (ticket.code, ticket.participant)
            mine = self.by_participant.get(key)
            if mine is not None:
                mine.pop(id(ticket), None)
                if not mine:
                    del self.by_participant[key]

    @property
    def open(self) -> int:
        return sum(self.by_event.values())


def _bump(counts: dict[str, int], key: str, by: int) -> None:
    value = counts.get(key, 0) + by
    if value > 0:
        counts[key] = value
    else:
        counts.pop(key, None)
