"""Undo on idea boards: accepting a suggestion, a drag, deleting a cluster.

All three change only where cards are (and, for a deleted cluster, the dots
on it), so one restore serves them: ``apply`` remembers the board's layout
before the move and its clusters right after (:class:`IdeasUndo`), and
``ideas.restored`` puts the layout back. It may while the clusters are still
exactly as the move left them; anything later that touched the clusters
(another drag, a rename, a new cluster) must be undone first, newest first,
so an undo never tears a later move apart. Cards posted since stay loose,
cards deleted since stay gone. See rooms/undo.py for the common design.
"""

from __future__ import annotations

from typing import Any

import msgspec

from rooms.base import Actor, Rejected, Role
from rooms.ideas.domain import (
    Board,
    Boards,
    Cluster,
    ClusterDeleted,
    IdeaAssigned,
    IdeaStatus,
    IdeasUndo,
    Layout,
    Proposal,
    ProposalAccepted,
    dot_items,
)
from rooms.ideas.dots import check_ballot
from rooms.undo import UndoCommand, UndoView, find, remember


class UndoBoard(UndoCommand, tag="ideas.undo", frozen=True):
    """Undo a move on a board, named by its log position."""


class BoardRestored(msgspec.Struct, tag="ideas.restored", frozen=True):
    """The move at log position ``seq`` is undone (the layout is in :attr:`Boards.undo`)."""

    seq: int


UNDOABLE = (ProposalAccepted, IdeaAssigned, ClusterDeleted)


def moved_board(boards: Boards, event: Any) -> Board | None:
    """The board an undoable event changes, or None for every other event."""
    if isinstance(event, ProposalAccepted):
        return boards.by_id.get(event.board)
    if isinstance(event, IdeaAssigned):
        return boards.board_of_idea(event.idea)
    if isinstance(event, ClusterDeleted):
        return boards.board_of_cluster(event.cluster)
    return None


def _clusters(clusters: dict[str, Cluster]) -> dict[str, Cluster]:
    """A copy that shares no list with the board (plain copies: 10× cheaper than msgpack)."""
    return {cid: Cluster(c.id, c.name, list(c.ideas)) for cid, c in clusters.items()}


def layout(board: Board) -> Layout:
    # A proposal is frozen and replaced, never changed in place: no copy needed.
    return Layout(list(board.loose), _clusters(board.clusters), board.proposal)


def _label(board: Board, event: Any, before: Layout) -> tuple[str, str]:
    if isinstance(event, ProposalAccepted):
        return "proposal_accepted", board.id
    if isinstance(event, IdeaAssigned):
        card = board.ideas.get(event.idea)
        return "card_moved", card.text if card else event.idea
    return "cluster_deleted", before.clusters[event.cluster].name or event.cluster


def before_move(board: Board, event: Any) -> tuple[Layout, dict[str, int]]:
    """What to keep before an undoable event is applied: the layout, and for a
    cluster about to be deleted the points each voter gave it."""
    dots: dict[str, int] = {}
    if isinstance(event, ClusterDeleted):
        dots = {
            pid: ballot[event.cluster]
            for pid, ballot in board.ballots.items()
            if ballot.get(event.cluster)
        }
    return layout(board), dots


def record(
    boards: Boards,
    board: Board,
    event: Any,
    kept: tuple[Layout, dict[str, int]],
    seq: int,
    at: int,
) -> None:
    """After an undoable event: remember the move if it changed where cards are."""
    before, dots = kept
    after = _clusters(board.clusters)
    if (board.loose, after, board.proposal) == (before.loose, before.clusters, before.proposal):
        return  # a drag to where the card already was, a race that changed nothing
    what, label = _label(board, event, before)
    # A proposal is frozen and replaced, never changed in place: no copy needed.
    entry = IdeasUndo(seq, at, what, board.id, label, before, after, board.proposal, dots)
    remember(boards.undo, entry)


def blocked(boards: Boards, entry: IdeasUndo) -> str | None:
    """Why a move can no longer be undone (a reason key), or None if it can."""
    board = boards.by_id.get(entry.board)
    if board is None:
        return "undo_board_gone"
    return None if board.clusters == entry.after else "undo_board_changed"


def decide(boards: Boards, command: UndoBoard, actor: Actor) -> list[Any] | Rejected:
    if actor.role is not Role.MODERATOR:
        return Rejected("not_allowed")
    entry = find(boards.undo, command.seq)
    if entry is None:
        return Rejected("undo_gone")
    reason = blocked(boards, entry)
    return Rejected(reason) if reason else [BoardRestored(command.seq)]


def restore(boards: Boards, event: BoardRestored) -> set[str]:
    """Put a board's layout back as it was before the move; whose dots came back."""
    entry = find(boards.undo, event.seq)
    if entry is None or blocked(boards, entry):
        return set()  # undone already, or the board changed first in log order
    boards.undo.remove(entry)
    board = boards.by_id[entry.board]
    before = entry.before  # the entry leaves the history: its lists may become the board's
    for cid in board.clusters:
        boards.cluster_board.pop(cid, None)
    clusters = {
        cid: Cluster(cid, c.name, [i for i in c.ideas if i in board.ideas])
        for cid, c in before.clusters.items()
    }
    placed = {i for c in clusters.values() for i in c.ideas}
    loose = [i for i in before.loose if i in board.ideas and i not in placed]
    kept = set(loose)
    # Cards posted since (and any card the layout does not name) stay loose, in their order.
    loose += [i for i in [*board.loose, *board.ideas] if i not in placed and i not in kept]
    board.loose = list(dict.fromkeys(loose))
    board.clusters = clusters
    for cid in clusters:
        boards.cluster_board[cid] = board.id
    for cid, cluster in clusters.items():
        for idea in cluster.ideas:
            board.ideas[idea].cluster = cid
    for idea in board.loose:
        board.ideas[idea].cluster = None
    if board.proposal == entry.after_proposal:
        board.proposal = _still_valid(board, before.proposal)
    touched = set()
    gone = [c for c in before.clusters if c not in entry.after]  # the deleted cluster
    for pid, points in entry.dots.items():
        ballot = board.ballots.get(pid)
        if ballot is None or len(gone) != 1:
            continue  # the voter's ballot was voided since: they vote again
        checked = check_ballot({**ballot, gone[0]: points}, dot_items(board), board.dots)
        if not isinstance(checked, Rejected):  # else: they spent those dots elsewhere since
            board.ballots[pid] = checked
            touched.add(pid)
    return touched


def _still_valid(board: Board, proposal: Proposal | None) -> Proposal | None:
    """A restored suggestion without the cards that were deleted, hidden or placed since."""
    if proposal is None:
        return None
    ok = {i for i in board.loose if i in board.ideas and board.ideas[i].status is IdeaStatus.PUBLIC}
    groups = [[i for i in g if i in ok] for g in proposal.groups]
    keep = [n for n, g in enumerate(groups) if g]
    unsure = [i for i in proposal.unsure if i in ok]
    if not keep and not unsure:
        return None
    return Proposal(
        [groups[n] for n in keep],
        [proposal.names[n] for n in keep],
        [proposal.target(n) for n in keep] if proposal.targets else [],
        {i: c for i, c in proposal.confidence.items() if i in ok},
        unsure,
    )


def undo_views(boards: Boards, audience: str) -> list[UndoView]:
    """The moderator's undoable board moves, newest first."""
    if audience != "moderator":
        return []
    return [
        UndoView(e.seq, e.at, "ideas.undo", e.what, e.label, blocked(boards, e))
        for e in reversed(boards.undo)
    ]
