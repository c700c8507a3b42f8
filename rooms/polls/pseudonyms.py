"""Voters' pseudonyms in anonymous polls: what the log names a ballot by instead of a person.

A ballot must be linkable to its voter as long as the one-ballot rule needs
it (changing a vote replaces the ballot, the phone shows "your vote"), and
not a moment longer. So an anonymous poll's ballot is stored under

    pseudonym = HMAC-SHA-256(poll secret, participant id), first 12 bytes in hex

where the poll's secret is 32 random bytes that the transport creates on the
poll's first vote and keeps *outside the log* (a small secret store beside the
event store, ``server/ballot_keys.py``). The same person gets the same
pseudonym in one poll and unrelated ones in different polls, so ballots of
one person cannot be joined across polls either. When the poll is sealed
(closed for good), the event is deleted or everyone's data is erased, the
transport deletes the secret; from then on the stored ballots are a list of
random-looking keys, and nobody (the operator included) can tell whose is
whose.

The core never sees a secret in ``decide`` or ``apply``: the transport
computes the pseudonym before deciding (:func:`voter`) and hands it in as
:attr:`rooms.base.Actor.alias`, as it hands in a guest's client scope. The
functions here are pure (a keyed hash is a function of its inputs), so the
tests use them with secrets of their own.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

import msgspec

from rooms.base import Actor
from rooms.polls.domain import Polls, PollStatus, Vote

SECRET_BYTES = 32
PSEUDONYM_BYTES = 12  # 96 bits: two of 5,000 voters collide with odds of about 1 in 10^21


def pseudonym(secret: bytes, participant: str) -> str:
    """The participant's pseudonym in the poll whose secret this is."""
    return hmac.digest(secret, participant.encode(), "sha256")[:PSEUDONYM_BYTES].hex()


def pseudonymous_poll(polls: Polls, command: object) -> str | None:
    """The poll whose secret ``command`` needs: a vote in an anonymous poll past its
    draft and not sealed (a vote in a draft is refused anyway, so no secret is made)."""
    if not isinstance(command, Vote):
        return None
    poll = polls.by_id.get(command.poll)
    if poll is None or not poll.settings.anonymous or poll.sealed:
        return None
    return None if poll.status is PollStatus.DRAFT else poll.id


def voter(polls: Polls, command: object, actor: Actor, secrets: Mapping[str, bytes]) -> Actor:
    """``actor`` with its pseudonym as ``alias`` if ``command`` is a ballot that needs one.

    Without the poll's secret the actor comes back as it was, and ``decide``
    refuses the vote (``pseudonym_missing``, transient): a ballot is never
    stored under an id because a secret could not be had.
    """
    poll = pseudonymous_poll(polls, command)
    if poll is None or actor.participant is None:
        return actor
    secret = secrets.get(poll)
    if secret is None:
        return actor
    return msgspec.structs.replace(actor, alias=pseudonym(secret, actor.participant))


def pseudonyms(polls: Polls, participant: str, secrets: Mapping[str, bytes]) -> dict[str, str]:
    """Poll id → this participant's pseudonym there, for the polls whose secret is given.

    What a phone's own view needs to find "your vote" (``views.me_view``).
    A sealed poll has none: its secret is gone, or about to be.
    """
    out: dict[str, str] = {}
    for poll_id, secret in secrets.items():
        poll = polls.by_id.get(poll_id)
        if poll is not None and not poll.sealed:
            out[poll_id] = pseudonym(secret, participant)
    return out
