"""A room driven the way the hub drives it, minus the I/O."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence

from rooms import room
from rooms.activities import DEFAULT_LIMITS, Limits
from rooms.base import Actor, Role
from rooms.lobby.domain import CreateEvent, Format, Language
from rooms.polls.domain import Ballot
from rooms.polls.pseudonyms import pseudonym, pseudonyms, voter
from rooms.room import Command, Envelope, Handled, RoomState

T0 = 1_700_000_000_000


class _TestSecrets(Mapping[str, bytes]):
    """Every poll's secret, as the transport would hold it (derived from the poll id here,
    so tests need not create them; the server's are random and deleted at the seal)."""

    def __init__(self, polls: Sequence[str] = ()) -> None:
        self._polls = tuple(polls)

    def __getitem__(self, poll: str) -> bytes:
        return hashlib.sha256(b"test secret of " + poll.encode()).digest()

    def __iter__(self) -> Iterator[str]:
        return iter(self._polls)

    def __len__(self) -> int:
        return len(self._polls)


SECRETS: Mapping[str, bytes] = _TestSecrets()


def handle(
    state: RoomState,
    command: Command,
    actor: Actor,
    cid: str | None,
    now: int,
    limits: Limits = DEFAULT_LIMITS,
) -> Handled:
    """:func:`rooms.room.handle` as the transport calls it: a ballot in an anonymous
    poll is decided as the voter's pseudonym there (``server/writer.py``)."""
    return room.handle(
        state, command, voter(state.polls, command, actor, SECRETS), cid, now, limits
    )


def my_pseudonyms(state: RoomState, participant: str) -> dict[str, str]:
    """The participant's pseudonym in every poll, as the pages hand them to ``me_view``."""
    return pseudonyms(state.polls, participant, _TestSecrets(list(state.polls.by_id)))


def ballot_of(state: RoomState, poll: str, participant: str) -> Ballot | None:
    """The participant's current ballot in a poll, under their id or their pseudonym."""
    ballots = state.polls.by_id[poll].ballots
    found = ballots.get(participant)
    return found if found is not None else ballots.get(pseudonym(SECRETS[poll], participant))


def new_room(code: str = "ABCDEF") -> tuple[RoomState, list[Envelope]]:
    state = RoomState()
    created = handle(
        state,
        CreateEvent(code, "Zukunft der Industrie", Format.WORLD_CAFE, Language.DE, None, "h"),
        Actor(Role.ADMIN),
        None,
        T0,
    )
    assert created.ok
    return state, list(created.envelopes)


def run(
    state: RoomState, log: list[Envelope], steps: Sequence[tuple[Actor, Command, str | None]]
) -> list[Handled]:
    results = []
    for i, (actor, command, cid) in enumerate(steps):
        handled = handle(state, command, actor, cid, T0 + 1000 * (i + 1))
        log.extend(handled.envelopes)
        results.append(handled)
    return results
