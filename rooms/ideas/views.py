"""What each audience sees of idea boards and actions.

- screen: public cards (all of them: the wall), clusters, the dot ranking,
  actions with how many joined. Never a hidden or queued card, never a
  card of a blind board before the reveal, never a contact.
- participant: the same, but bounded, because this view is sent to every
  phone whenever it changes: the newest cards only (``latest``), the
  clusters once published, every card only while dots go on cards.
  One's own cards, dots and sign-ups are personal (:func:`my_ideas`).
- moderator: everything, including the queue, hidden cards, the edit log,
  the pending suggestion and the people (and contacts) of each action.
"""

from __future__ import annotations

import msgspec

from rooms.actions.domain import Action, Actions, Member
from rooms.ideas.domain import (
    MODERATOR,
    Board,
    Boards,
    Edit,
    IdeaStatus,
    Proposal,
    dot_items,
    placed,
)
from rooms.ideas.dots import DotSettings, DotsOn, ranking
from rooms.lobby.domain import Lobby

PHONE_LATEST = 12


class CardView(msgspec.Struct, frozen=True, omit_defaults=True):
    id: str
    text: str
    name: str | None = None
    category: str | None = None
    cluster: str | None = None
    at: int = 0
    merged: int = 0  # how many duplicates were merged into this card
    edited: bool = False
    status: str = "public"  # moderator only: pending / hidden
    mine: bool = False
    edits: list[Edit] | None = None  # moderator only
    merged_texts: list[str] | None = None  # moderator only


class ClusterView(msgspec.Struct, frozen=True):
    id: str
    name: str
    ideas: list[str]


class RankedItem(msgspec.Struct, frozen=True):
    item: str
    label: str
    points: int
    rank: int
    voters: int


class DotsView(msgspec.Struct, frozen=True):
    open: bool
    on: str
    per_person: int
    per_item: int
    voters: int
    ranking: list[RankedItem]


class BoardView(msgspec.Struct, frozen=True, omit_defaults=True):
    id: str
    prompt: str
    categories: list[str]
    mode: str
    locked: bool
    revealed: bool
    published: bool
    count: int  # public cards, also while a blind board is not revealed yet
    ideas: list[CardView]
    clusters: list[ClusterView]
    loose: list[str]
    dots: DotsView
    queue: int = 0  # moderator only
    on_screen: str | None = None  # "wall" / "clusters" / "dots" while the screen shows it
    proposal: Proposal | None = None  # moderator only


class ActionMember(msgspec.Struct, frozen=True):
    name: str
    contact: str | None
    at: int


class ActionView(msgspec.Struct, frozen=True, omit_defaults=True):
    id: str
    title: str
    what: str
    owner: str
    due: str | None
    source: str | None
    joined: int
    members: list[ActionMember] | None = None  # moderator only: names and contacts


class MyIdeas(msgspec.Struct, frozen=True):
    """One participant's own part: their cards, their dots, their sign-ups."""

    ideas: dict[str, list[CardView]]  # board id -> my cards, newest first
    dots: dict[str, dict[str, int]]  # board id -> my ballot
    actions: dict[str, str]  # action id -> the name I signed up with


def present(lobby: Lobby | None, author: str) -> bool:
    """Whether an author's name may still be shown: leaving an event removes it everywhere."""
    if lobby is None or author == MODERATOR:
        return True
    person = lobby.participants.get(author)
    return person is not None and not person.left


def _card(board: Board, idea: str, moderator: bool, lobby: Lobby | None = None) -> CardView:
    c = board.ideas[idea]
    return CardView(
        id=c.id,
        text=c.text,
        name=c.name if present(lobby, c.author) else None,
        category=c.category,
        cluster=c.cluster,
        at=c.at,
        merged=len(c.merged),
        edited=bool(c.edits),
        status=c.status.value,
        edits=list(c.edits) if moderator and c.edits else None,
        merged_texts=list(c.merged) if moderator and c.merged else None,
    )


def public_ids(board: Board) -> list[str]:
    """Cards anyone may see, in place order: public, and revealed if the board is blind."""
    if board.mode.value == "blind" and not board.revealed:
        return []
    return [i for i in placed(board) if board.ideas[i].status is IdeaStatus.PUBLIC]


def _dots(
    board: Board, labels: dict[str, str], s: DotSettings, visible: set[str] | None
) -> DotsView:
    """``visible``: the cards this audience may see (None: all); dots on others are left out."""
    ranked = ranking(board.ballots, dot_items(board))
    if visible is not None and s.on.value == "ideas":
        ranked = [r for r in ranked if r.item in visible]
    return DotsView(
        open=s.open,
        on=s.on.value,
        per_person=s.per_person,
        per_item=s.per_item,
        voters=sum(1 for b in board.ballots.values() if b),
        ranking=[
            RankedItem(r.item, labels.get(r.item, r.item), r.points, r.rank, r.voters)
            for r in ranked
        ],
    )


def board_view(
    board: Board, audience: str, on_screen: str | None = None, lobby: Lobby | None = None
) -> BoardView:
    moderator = audience == "moderator"
    phone = audience == "participant"
    visible = placed(board) if moderator else public_ids(board)
    shown = set(visible)
    dots_on_cards = board.dots.on is DotsOn.IDEAS and board.dots.open
    dots_on_clusters = board.dots.on is DotsOn.CLUSTERS and board.dots.open
    clusters_shown = moderator or not phone or board.published or dots_on_clusters
    cards = visible
    if phone and not dots_on_cards:
        wanted = set(sorted(visible, key=lambda i: board.ideas[i].at)[-PHONE_LATEST:])
        if clusters_shown:
            wanted |= {i for i in visible if board.ideas[i].cluster is not None}
        cards = [i for i in visible if i in wanted]
    clusters = [
        ClusterView(c.id, c.name, [i for i in c.ideas if i in shown])
        for c in board.clusters.values()
    ]
    labels = {c.id: c.name for c in board.clusters.values()}
    labels.update({i: board.ideas[i].text for i in visible})
    return BoardView(
        id=board.id,
        prompt=board.prompt,
        categories=board.categories,
        mode=board.mode.value,
        locked=board.locked,
        revealed=board.revealed,
        published=board.published,
        count=sum(1 for c in board.ideas.values() if c.status is IdeaStatus.PUBLIC),
        ideas=[_card(board, i, moderator, lobby) for i in cards],
        clusters=clusters if clusters_shown else [],
        loose=[i for i in board.loose if i in shown] if not phone else [],
        dots=_dots(board, labels, board.dots, None if moderator else set(public_ids(board))),
        queue=sum(1 for c in board.ideas.values() if c.status is IdeaStatus.PENDING)
        if moderator
        else 0,
        proposal=board.proposal if moderator else None,
        on_screen=on_screen,
    )


def board_views(boards: Boards, audience: str, lobby: Lobby | None = None) -> list[BoardView]:
    def shown(b: Board) -> str | None:
        return boards.screen_view.value if boards.screen_board == b.id else None

    return [board_view(b, audience, shown(b), lobby) for b in boards.by_id.values()]


def action_views(actions: Actions, audience: str, lobby: Lobby | None = None) -> list[ActionView]:
    """People who left the event are no longer counted or listed (nor exported)."""
    moderator = audience == "moderator"

    def members(a: Action) -> list[Member]:
        return [m for pid, m in a.members.items() if present(lobby, pid)]

    return [
        ActionView(
            id=a.id,
            title=a.title,
            what=a.what,
            owner=a.owner,
            due=a.due,
            source=a.source,
            joined=len(members(a)),
            members=[ActionMember(m.name, m.contact, m.at) for m in members(a)]
            if moderator
            else None,
        )
        for a in actions.in_order()
    ]


def my_ideas(boards: Boards, actions: Actions, participant: str) -> MyIdeas:
    mine: dict[str, list[CardView]] = {}
    for board in boards.by_id.values():
        own = [c.id for c in board.ideas.values() if c.author == participant]
        if own:
            mine[board.id] = [
                msgspec.structs.replace(_card(board, i, False), mine=True) for i in reversed(own)
            ]
    ballots = {
        b.id: dict(b.ballots[participant])
        for b in boards.by_id.values()
        if b.ballots.get(participant)
    }
    signed = {
        a.id: a.members[participant].name for a in actions.in_order() if participant in a.members
    }
    return MyIdeas(mine, ballots, signed)
