"""What each audience sees of the polls: results only where that audience may see them."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from rooms.lobby.domain import Lobby
from rooms.polls.domain import (
    Ballot,
    Option,
    Poll,
    Polls,
    PollSettings,
    PollStatus,
    undo_blocked,
)
from rooms.polls.tally import Results, cached_tally, tally
from rooms.undo import UndoView


class PollView(msgspec.Struct, frozen=True, omit_defaults=True):
    """One poll as a role sees it; ``results`` only where that role may see them."""

    id: str
    kind: str
    question: str
    status: str
    options: list[Option]
    settings: PollSettings
    voters: int | None = None  # left out where results are: phones would change with every vote
    results: Results | None = None
    sealed: bool = False  # closed for good: no re-opening; anonymous ballots are unlinkable


def results_visible(poll: Poll, audience: str) -> bool:
    """Who sees results when: the moderator always; the screen unless held back
    until close; phones only when the moderator shares them."""
    if audience == "moderator":
        return True
    held_back = poll.settings.hide_results and poll.status is not PollStatus.CLOSED
    if audience == "screen":
        return not held_back
    return poll.settings.results_on_phones and not held_back


def poll_view(lobby: Lobby, poll: Poll, audience: str) -> PollView:
    moderator = audience == "moderator"
    results = None
    if results_visible(poll, audience):
        if moderator and not poll.settings.anonymous:
            # People who left (or deleted their data) are no longer named.
            names = {pid: p.name for pid, p in lobby.participants.items() if not p.left}
            results = tally(poll, moderator=moderator, names=names)
        else:
            results = cached_tally(poll, moderator=moderator)
    return PollView(
        id=poll.id,
        kind=poll.kind.value,
        question=poll.question,
        status=poll.status.value,
        options=poll.options,
        settings=poll.settings,
        voters=len(poll.ballots) if audience != "participant" or results else None,
        results=results,
        sealed=poll.sealed,
    )


def poll_views(polls: Polls, lobby: Lobby, audience: str) -> list[PollView]:
    """Drafts are the moderator's alone."""
    return [
        poll_view(lobby, poll, audience)
        for poll in polls.in_order()
        if audience == "moderator" or poll.status is not PollStatus.DRAFT
    ]


def my_ballots(
    polls: Polls, participant: str, pseudonyms: Mapping[str, str] | None = None
) -> dict[str, Ballot]:
    """Poll id → this participant's current ballot, for polls past their draft.

    A ballot in an anonymous poll is keyed by the participant's pseudonym
    there (``pseudonyms``, from the transport, which holds the secrets); once
    a poll's secret is gone, nothing finds it, and the phone no longer shows it.
    """
    mine: dict[str, Ballot] = {}
    for poll in polls.in_order():
        if poll.status is PollStatus.DRAFT:
            continue
        ballot = poll.ballots.get(participant)
        if ballot is None and pseudonyms and poll.id in pseudonyms:
            ballot = poll.ballots.get(pseudonyms[poll.id])
        if ballot is not None:
            mine[poll.id] = ballot
    return mine


def poll_undo_views(polls: Polls, audience: str, max_polls: int) -> list[UndoView]:
    """The moderator's undoable poll moves, newest first (the view cannot read the
    configured limits; a refusal by the configured ones still comes from ``decide``)."""
    if audience != "moderator":
        return []
    return [
        UndoView(
            e.seq,
            e.at,
            "poll.undo",
            e.what,
            e.poll.question,
            undo_blocked(polls, e, max_polls),
        )
        for e in reversed(polls.undo)
    ]
