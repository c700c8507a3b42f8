"""Asking for cluster suggestions: who may, and which cards a suggestion covers.

``cluster.suggest`` and ``cluster.sort`` never reach ``decide``: the server
computes the answer with a sentence encoder (server/suggest.py) and submits
it as a :class:`rooms.ideas.ProposeClusters`. What the computation may see is
decided here, in the pure core, so the rules live with the other board
rules and are tested without a model:

- only a moderator may spend the CPU;
- only loose **public** cards are grouped or sorted: a hidden, queued or
  deleted card is never sent to the model, and never shows up in a proposal;
- sorting needs headings: the board's clusters, each with its name and the
  public cards already in it (placed by hand: they never move, and they
  pull the heading's centre).
"""

from __future__ import annotations

import msgspec

from rooms.base import Actor, Rejected, Role
from rooms.ideas.domain import Board, Boards, IdeaStatus


class SuggestClusters(msgspec.Struct, tag="cluster.suggest", frozen=True):
    """Group the loose cards into new clusters (for a board without headings)."""

    board: str


class SortCards(msgspec.Struct, tag="cluster.sort", frozen=True):
    """Sort the loose cards under the board's existing clusters (its headings)."""

    board: str


class Card(msgspec.Struct, frozen=True):
    id: str
    text: str
    category: str | None = None


class Heading(msgspec.Struct, frozen=True):
    cluster: str
    name: str
    cards: list[str]  # texts of the public cards already in it


class ClusterJob(msgspec.Struct, frozen=True):
    """Everything the server's computation gets: no ids of hidden cards, no authors."""

    board: str
    sort: bool
    cards: list[Card]
    headings: list[Heading]
    categories: list[str]


def _public(board: Board, ids: list[str]) -> list[str]:
    return [i for i in ids if i in board.ideas and board.ideas[i].status is IdeaStatus.PUBLIC]


def job_for(
    boards: Boards, actor: Actor, command: SuggestClusters | SortCards
) -> ClusterJob | Rejected:
    """The cards and headings a suggestion may use, or why there is none."""
    if actor.role is not Role.MODERATOR:
        return Rejected("not_allowed")
    board = boards.by_id.get(command.board)
    if board is None:
        return Rejected("board_not_found")
    cards = [
        Card(i, board.ideas[i].text, board.ideas[i].category) for i in _public(board, board.loose)
    ]
    if not cards:
        return Rejected("nothing_to_cluster")
    headings: list[Heading] = []
    if isinstance(command, SortCards):
        for cluster in board.clusters.values():
            fixed = [board.ideas[i].text for i in _public(board, cluster.ideas)]
            if cluster.name or fixed:  # a nameless, empty cluster says nothing to sort by
                headings.append(Heading(cluster.id, cluster.name, fixed))
        if not headings:
            return Rejected("no_headings")
    return ClusterJob(
        board.id, isinstance(command, SortCards), cards, headings, list(board.categories)
    )
