"""Idea boards: collect cards, moderate them, cluster them, dot-vote on them.

A board has a prompt, optional categories and a mode:
- open: every card is public as soon as it is posted;
- blind: each participant sees only their own cards until the moderator reveals;
- moderated: cards wait in a queue until the moderator approves them.

Every card that exists is in exactly one *place*: the board's loose list or
one cluster's list (a merged card lives on only inside the card it was merged
into, a deleted one is gone). The property tests hold ``apply`` to that, so
the moderator's drag-and-drop can never duplicate or lose a card.

Cluster suggestions are computed by the server (they are too slow for
``decide``, and not pure numpy-free code); the server submits the result as
a :class:`ProposeClusters` command, so replay never recomputes anything.
Who may ask for one, and which cards it covers, is decided here
(rooms/ideas/sort.py).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import msgspec

from rooms.base import Actor, Rejected, Role
from rooms.ideas.dots import DotSettings, DotsOn, check_ballot, settings_valid
from rooms.lobby.domain import Lobby
from rooms.text import one_line

if TYPE_CHECKING:
    from rooms.activities import Limits


class BoardMode(enum.StrEnum):
    OPEN = "open"
    BLIND = "blind"
    MODERATED = "moderated"


class IdeaStatus(enum.StrEnum):
    PENDING = "pending"  # in the moderation queue
    PUBLIC = "public"
    HIDDEN = "hidden"


class ScreenView(enum.StrEnum):
    WALL = "wall"
    CLUSTERS = "clusters"
    DOTS = "dots"


MODERATOR = "moderator"  # the author of cards the moderator writes


class Edit(msgspec.Struct, frozen=True):
    """A moderator's fix of someone else's card: kept, so the change is visible."""

    at: int
    before: str
    after: str


class Idea(msgspec.Struct):
    id: str
    board: str
    author: str  # participant id, or MODERATOR
    name: str | None  # shown with the card; None = anonymous
    text: str
    category: str | None
    status: IdeaStatus
    at: int
    edits: list[Edit] = msgspec.field(default_factory=list)
    merged: list[str] = msgspec.field(default_factory=list)  # texts merged into this one
    cluster: str | None = None  # mirrors the place; kept in step by _move


class Cluster(msgspec.Struct):
    id: str
    name: str
    ideas: list[str] = msgspec.field(default_factory=list)


class Proposal(msgspec.Struct, frozen=True):
    """A pending suggestion: groups of loose cards, each for a new cluster or an existing one.

    ``targets[n]`` is the existing cluster group n goes into (sorting under
    headings), or None for a new cluster named ``names[n]``. ``confidence``
    is 0–100 per card; ``unsure`` are the cards near no heading, which stay
    loose on accept.
    """

    groups: list[list[str]]
    names: list[str]
    targets: list[str | None] = msgspec.field(default_factory=list)
    confidence: dict[str, int] = msgspec.field(default_factory=dict)
    unsure: list[str] = msgspec.field(default_factory=list)

    def target(self, n: int) -> str | None:
        return self.targets[n] if n < len(self.targets) else None


class Board(msgspec.Struct):
    id: str
    prompt: str
    categories: list[str]
    mode: BoardMode
    locked: bool = False
    revealed: bool = False
    published: bool = False  # clusters shown on phones
    dots: DotSettings = msgspec.field(default_factory=DotSettings)
    ideas: dict[str, Idea] = msgspec.field(default_factory=dict)
    loose: list[str] = msgspec.field(default_factory=list)
    clusters: dict[str, Cluster] = msgspec.field(default_factory=dict)
    proposal: Proposal | None = None
    ballots: dict[str, dict[str, int]] = msgspec.field(default_factory=dict)


class Layout(msgspec.Struct):
    """Where a board's cards were: what undoing a drag, an accept or a cluster deletion restores."""

    loose: list[str]
    clusters: dict[str, Cluster]
    proposal: Proposal | None


class IdeasUndo(msgspec.Struct):
    """One undoable move on a board (rooms/ideas/undo.py): the layout before and after.

    ``after`` is the clusters right after the move: the move may be undone
    while the board's clusters are still exactly these. ``dots`` are the
    points a deleted cluster had, by voter, to give back.
    """

    seq: int
    at: int
    what: str  # "proposal_accepted", "card_moved" or "cluster_deleted"
    board: str
    label: str
    before: Layout
    after: dict[str, Cluster]
    after_proposal: Proposal | None
    dots: dict[str, int] = msgspec.field(default_factory=dict)


class Boards(msgspec.Struct):
    by_id: dict[str, Board] = msgspec.field(default_factory=dict)
    idea_board: dict[str, str] = msgspec.field(default_factory=dict)  # idea id -> board id
    cluster_board: dict[str, str] = msgspec.field(default_factory=dict)
    created: int = 0
    ideas_created: int = 0
    clusters_created: int = 0
    screen_board: str | None = None
    screen_view: ScreenView = ScreenView.WALL
    undo: list[IdeasUndo] = msgspec.field(default_factory=list)  # the last few, oldest first

    def board_of_idea(self, idea: str) -> Board | None:
        board = self.idea_board.get(idea)
        return None if board is None else self.by_id.get(board)

    def board_of_cluster(self, cluster: str) -> Board | None:
        board = self.cluster_board.get(cluster)
        return None if board is None else self.by_id.get(board)


# --- commands ---------------------------------------------------------------


class CreateBoard(msgspec.Struct, tag="ideas.create_board", frozen=True, kw_only=True):
    prompt: str
    categories: list[str] = msgspec.field(default_factory=list)
    mode: BoardMode = BoardMode.OPEN
    dots: int = 5
    dots_per_item: int = 3
    dots_on: DotsOn = DotsOn.CLUSTERS


class BoardSettings(msgspec.Struct, tag="ideas.settings", frozen=True, kw_only=True):
    """Change any of a board's switches; fields left out stay as they are."""

    board: str
    locked: bool | None = None
    revealed: bool | None = None
    published: bool | None = None
    dots_open: bool | None = None
    dots: int | None = None
    dots_per_item: int | None = None
    dots_on: DotsOn | None = None


class ShowBoard(msgspec.Struct, tag="ideas.show", frozen=True, kw_only=True):
    board: str
    view: ScreenView = ScreenView.WALL


class PostIdea(msgspec.Struct, tag="idea.post", frozen=True, kw_only=True):
    board: str
    text: str
    category: str | None = None
    anonymous: bool = False


class EditIdea(msgspec.Struct, tag="idea.edit", frozen=True, kw_only=True):
    idea: str
    text: str
    category: str | None = None


class DeleteIdea(msgspec.Struct, tag="idea.delete", frozen=True):
    idea: str


class HideIdea(msgspec.Struct, tag="idea.hide", frozen=True):
    idea: str
    hidden: bool = True


class ApproveIdea(msgspec.Struct, tag="idea.approve", frozen=True):
    idea: str


class MergeIdea(msgspec.Struct, tag="idea.merge", frozen=True):
    idea: str
    into: str


class CreateCluster(msgspec.Struct, tag="cluster.create", frozen=True, kw_only=True):
    board: str
    name: str = ""
    ideas: list[str] = msgspec.field(default_factory=list)


class RenameCluster(msgspec.Struct, tag="cluster.rename", frozen=True):
    cluster: str
    name: str


class DeleteCluster(msgspec.Struct, tag="cluster.delete", frozen=True):
    cluster: str


class AssignIdea(msgspec.Struct, tag="cluster.assign", frozen=True, kw_only=True):
    """Move a card into a cluster (or back to the loose cards with ``cluster`` None)."""

    idea: str
    cluster: str | None = None
    position: int | None = None  # index in the target list; None = at the end


class ProposeClusters(msgspec.Struct, tag="cluster.propose", frozen=True, kw_only=True):
    """A suggestion, computed by the server for ``cluster.suggest`` or ``cluster.sort``.

    See server/suggest.py and :class:`Proposal` for the fields; ``targets``,
    ``confidence`` and ``unsure`` come from sorting under headings.
    """

    board: str
    groups: list[list[str]]
    names: list[str] = msgspec.field(default_factory=list)
    targets: list[str | None] = msgspec.field(default_factory=list)
    confidence: dict[str, int] = msgspec.field(default_factory=dict)
    unsure: list[str] = msgspec.field(default_factory=list)


class AcceptProposal(msgspec.Struct, tag="cluster.accept", frozen=True):
    board: str


class DiscardProposal(msgspec.Struct, tag="cluster.discard", frozen=True):
    board: str


class VoteDots(msgspec.Struct, tag="dots.vote", frozen=True):
    board: str
    points: dict[str, int]


IDEAS_COMMAND_TYPES = (
    CreateBoard,
    BoardSettings,
    ShowBoard,
    PostIdea,
    EditIdea,
    DeleteIdea,
    HideIdea,
    ApproveIdea,
    MergeIdea,
    CreateCluster,
    RenameCluster,
    DeleteCluster,
    AssignIdea,
    ProposeClusters,
    AcceptProposal,
    DiscardProposal,
    VoteDots,
)

IdeasCommand = (
    CreateBoard
    | BoardSettings
    | ShowBoard
    | PostIdea
    | EditIdea
    | DeleteIdea
    | HideIdea
    | ApproveIdea
    | MergeIdea
    | CreateCluster
    | RenameCluster
    | DeleteCluster
    | AssignIdea
    | ProposeClusters
    | AcceptProposal
    | DiscardProposal
    | VoteDots
)

# --- events -----------------------------------------------------------------


class BoardCreated(msgspec.Struct, tag="ideas.board_created", frozen=True):
    board: str
    prompt: str
    categories: list[str]
    mode: BoardMode
    dots: DotSettings


class BoardChanged(msgspec.Struct, tag="ideas.board_changed", frozen=True):
    board: str
    locked: bool
    revealed: bool
    published: bool
    dots: DotSettings


class BoardShown(msgspec.Struct, tag="ideas.shown", frozen=True):
    board: str
    view: ScreenView


class IdeaPosted(msgspec.Struct, tag="idea.posted", frozen=True):
    idea: str
    board: str
    author: str
    name: str | None
    text: str
    category: str | None
    status: IdeaStatus
    at: int


class IdeaEdited(msgspec.Struct, tag="idea.edited", frozen=True):
    idea: str
    text: str
    category: str | None
    by_moderator: bool
    at: int


class IdeaDeleted(msgspec.Struct, tag="idea.deleted", frozen=True):
    idea: str


class IdeaStatusSet(msgspec.Struct, tag="idea.status", frozen=True):
    idea: str
    status: IdeaStatus


class IdeaMerged(msgspec.Struct, tag="idea.merged", frozen=True):
    idea: str
    into: str


class ClusterCreated(msgspec.Struct, tag="cluster.created", frozen=True):
    cluster: str
    board: str
    name: str


class ClusterRenamed(msgspec.Struct, tag="cluster.renamed", frozen=True):
    cluster: str
    name: str


class ClusterDeleted(msgspec.Struct, tag="cluster.deleted", frozen=True):
    cluster: str


class IdeaAssigned(msgspec.Struct, tag="cluster.assigned", frozen=True):
    idea: str
    cluster: str | None
    position: int | None


class ClustersProposed(msgspec.Struct, tag="cluster.proposed", frozen=True):
    board: str
    groups: list[list[str]]
    names: list[str]
    targets: list[str | None] = msgspec.field(default_factory=list)
    confidence: dict[str, int] = msgspec.field(default_factory=dict)
    unsure: list[str] = msgspec.field(default_factory=list)


class ProposalAccepted(msgspec.Struct, tag="cluster.accepted", frozen=True):
    board: str


class ProposalDiscarded(msgspec.Struct, tag="cluster.discarded", frozen=True):
    board: str


class DotsCast(msgspec.Struct, tag="dots.cast", frozen=True):
    board: str
    participant: str
    points: dict[str, int]


IDEAS_EVENT_TYPES = (
    BoardCreated,
    BoardChanged,
    BoardShown,
    IdeaPosted,
    IdeaEdited,
    IdeaDeleted,
    IdeaStatusSet,
    IdeaMerged,
    ClusterCreated,
    ClusterRenamed,
    ClusterDeleted,
    IdeaAssigned,
    ClustersProposed,
    ProposalAccepted,
    ProposalDiscarded,
    DotsCast,
)

IdeasEvent = (
    BoardCreated
    | BoardChanged
    | BoardShown
    | IdeaPosted
    | IdeaEdited
    | IdeaDeleted
    | IdeaStatusSet
    | IdeaMerged
    | ClusterCreated
    | ClusterRenamed
    | ClusterDeleted
    | IdeaAssigned
    | ClustersProposed
    | ProposalAccepted
    | ProposalDiscarded
    | DotsCast
)

# --- helpers ------------------------------------------------------------------


def clean(text: str) -> str:
    return one_line(text)


def dot_items(board: Board) -> list[str]:
    """What dots go on: clusters, or the public cards, in board order."""
    if board.dots.on is DotsOn.CLUSTERS:
        return list(board.clusters)
    return [i for i in placed(board) if board.ideas[i].status is IdeaStatus.PUBLIC]


def placed(board: Board) -> list[str]:
    """Every card's id in place order: clusters first, then the loose cards."""
    out: list[str] = []
    for cluster in board.clusters.values():
        out.extend(cluster.ideas)
    out.extend(board.loose)
    return out


def _category(board: Board, raw: str | None) -> str | Rejected | None:
    category = clean(raw or "") or None
    if category is not None and category not in board.categories:
        return Rejected("category_unknown")
    return category


def _text(raw: str, limits: Limits) -> str | Rejected:
    text = clean(raw)
    if not text:
        return Rejected("idea_missing")
    if len(text) > limits.ideas.idea_length:
        return Rejected("idea_too_long")
    return text


def _participant(lobby: Lobby, actor: Actor) -> str | Rejected:
    if actor.role is Role.MODERATOR:
        return MODERATOR
    if actor.role is not Role.PARTICIPANT or actor.participant is None:
        return Rejected("not_allowed")
    me = lobby.participants.get(actor.participant)
    if me is None or me.left:
        return Rejected("not_joined")
    if lobby.closed:
        return Rejected("event_closed")
    return me.id


# --- decide -----------------------------------------------------------------


def decide(
    boards: Boards, lobby: Lobby, command: IdeasCommand, actor: Actor, now: int, limits: Limits
) -> list[IdeasEvent] | Rejected:
    if isinstance(command, PostIdea | EditIdea | DeleteIdea | VoteDots):
        who = _participant(lobby, actor)
        if isinstance(who, Rejected):
            return who
        return _decide_own(boards, lobby, command, who, now, limits)
    if actor.role is not Role.MODERATOR:
        return Rejected("not_allowed")
    if isinstance(command, CreateBoard):
        return _decide_create(boards, command, limits)
    if isinstance(command, HideIdea | ApproveIdea | MergeIdea | AssignIdea):
        board = boards.board_of_idea(command.idea)
        if board is None:
            return Rejected("idea_not_found")
        return _decide_card(boards, board, command)
    if isinstance(command, RenameCluster | DeleteCluster):
        board = boards.board_of_cluster(command.cluster)
        if board is None:
            return Rejected("cluster_not_found")
        if isinstance(command, DeleteCluster):
            return [ClusterDeleted(command.cluster)]
        name = clean(command.name)
        if len(name) > limits.ideas.cluster_name_length:
            return Rejected("cluster_name_too_long")
        if name == board.clusters[command.cluster].name:
            return []
        return [ClusterRenamed(command.cluster, name)]
    board = boards.by_id.get(command.board)
    if board is None:
        return Rejected("board_not_found")
    match command:
        case BoardSettings():
            return _decide_settings(board, command)
        case ShowBoard(view=view):
            if boards.screen_board == board.id and boards.screen_view is view:
                return []
            return [BoardShown(board.id, view)]
        case CreateCluster(name=raw_name, ideas=ids):
            name = clean(raw_name)
            if len(name) > limits.ideas.cluster_name_length:
                return Rejected("cluster_name_too_long")
            if len(board.clusters) >= limits.ideas.max_clusters:
                return Rejected("too_many_clusters")
            if any(i not in board.ideas for i in ids):
                return Rejected("idea_not_found")
            cid = f"c{boards.clusters_created + 1}"
            out: list[IdeasEvent] = [ClusterCreated(cid, board.id, name)]
            out.extend(IdeaAssigned(i, cid, None) for i in dict.fromkeys(ids))
            return out
        case ProposeClusters():
            return _decide_proposal(board, command, limits)
        case AcceptProposal():
            if board.proposal is None:
                return Rejected("no_proposal")
            room = limits.ideas.max_clusters - len(board.clusters)
            new = sum(
                1 for n in range(len(board.proposal.groups)) if board.proposal.target(n) is None
            )
            if new > room:
                return Rejected("too_many_clusters")
            return [ProposalAccepted(board.id)]
        case DiscardProposal():
            return [] if board.proposal is None else [ProposalDiscarded(board.id)]
    raise AssertionError(f"unhandled ideas command {command!r}")  # pragma: no cover


def _decide_proposal(
    board: Board, command: ProposeClusters, limits: Limits
) -> list[IdeasEvent] | Rejected:
    """Check a computed proposal; cards placed, hidden or removed since are left out."""
    loose = {i for i in board.loose if board.ideas[i].status is IdeaStatus.PUBLIC}
    seen: set[str] = set()
    kept: list[list[str]] = []
    kept_names: list[str] = []
    kept_targets: list[str | None] = []
    padded = [*command.names, *[""] * len(command.groups)]
    targets = [*command.targets, *[None] * len(command.groups)]
    named = [t for t in targets if t is not None]
    if len(set(named)) != len(named):
        return Rejected("proposal_invalid")
    for group, name, target in zip(command.groups, padded, targets, strict=False):
        if any(i in seen for i in group) or len(set(group)) != len(group):
            return Rejected("proposal_invalid")
        if target is not None and target not in board.clusters:
            return Rejected("proposal_invalid")  # a heading went away meanwhile: ask again
        seen.update(group)
        members = [i for i in group if i in loose]
        if members:
            kept.append(members)
            kept_names.append(clean(name)[: limits.ideas.cluster_name_length])
            kept_targets.append(target)
    if any(i in seen for i in command.unsure):
        return Rejected("proposal_invalid")
    unsure = [i for i in dict.fromkeys(command.unsure) if i in loose]
    if not kept and not unsure:
        return Rejected("nothing_to_cluster")
    shown = seen | set(unsure)
    confidence = {
        i: max(0, min(100, int(c))) for i, c in command.confidence.items() if i in shown & loose
    }
    sorting = any(t is not None for t in kept_targets)
    return [
        ClustersProposed(
            board.id,
            kept,
            kept_names,
            kept_targets if sorting else [],
            confidence,
            unsure,
        )
    ]


def _decide_create(
    boards: Boards, command: CreateBoard, limits: Limits
) -> list[IdeasEvent] | Rejected:
    prompt = clean(command.prompt)
    if not prompt:
        return Rejected("prompt_missing")
    if len(prompt) > limits.ideas.prompt_length:
        return Rejected("prompt_too_long")
    if len(boards.by_id) >= limits.ideas.max_boards:
        return Rejected("too_many_boards")
    categories = list(dict.fromkeys(c for c in map(clean, command.categories) if c))
    if len(categories) > limits.ideas.max_categories or any(
        len(c) > limits.ideas.category_length for c in categories
    ):
        return Rejected("categories_invalid")
    settings = DotSettings(
        on=command.dots_on, per_person=command.dots, per_item=command.dots_per_item
    )
    if not settings_valid(settings):
        return Rejected("dots_settings_invalid")
    board = f"b{boards.created + 1}"
    return [BoardCreated(board, prompt, categories, command.mode, settings)]


def _decide_settings(board: Board, command: BoardSettings) -> list[IdeasEvent] | Rejected:
    def pick(new: bool | None, old: bool) -> bool:
        return old if new is None else new

    d = board.dots
    settings = DotSettings(
        open=pick(command.dots_open, d.open),
        on=command.dots_on or d.on,
        per_person=d.per_person if command.dots is None else command.dots,
        per_item=d.per_item if command.dots_per_item is None else command.dots_per_item,
    )
    if not settings_valid(settings):
        return Rejected("dots_settings_invalid")
    if board.ballots and (
        settings.on is not d.on
        or any(check_ballot(b, b, settings) != b for b in board.ballots.values())
    ):
        return Rejected("dots_already_cast")  # lowering the budget would void ballots
    event = BoardChanged(
        board.id,
        pick(command.locked, board.locked),
        pick(command.revealed, board.revealed),
        pick(command.published, board.published),
        settings,
    )
    same = (event.locked, event.revealed, event.published, event.dots) == (
        board.locked,
        board.revealed,
        board.published,
        board.dots,
    )
    return [] if same else [event]


def _decide_own(
    boards: Boards,
    lobby: Lobby,
    command: PostIdea | EditIdea | DeleteIdea | VoteDots,
    who: str,
    now: int,
    limits: Limits,
) -> list[IdeasEvent] | Rejected:
    moderator = who == MODERATOR
    if isinstance(command, PostIdea | VoteDots):
        board = boards.by_id.get(command.board)
        if board is None:
            return Rejected("board_not_found")
        if isinstance(command, VoteDots):
            if moderator:
                return Rejected("not_allowed")
            if not board.dots.open:
                return Rejected("dots_closed")
            ballot = check_ballot(command.points, dot_items(board), board.dots)
            if isinstance(ballot, Rejected):
                return ballot
            if board.ballots.get(who, {}) == ballot:
                return []
            return [DotsCast(board.id, who, ballot)]
        if board.locked:
            return Rejected("board_locked")
        text = _text(command.text, limits)
        if isinstance(text, Rejected):
            return text
        category = _category(board, command.category)
        if isinstance(category, Rejected):
            return category
        if len(board.ideas) >= limits.ideas.max_ideas_per_board:
            return Rejected("board_full")
        if (
            not moderator
            and sum(1 for i in board.ideas.values() if i.author == who)
            >= limits.ideas.max_ideas_per_person
        ):
            return Rejected("too_many_ideas")
        name = None
        if not command.anonymous and not moderator:
            name = lobby.participants[who].name
        status = IdeaStatus.PUBLIC
        if board.mode is BoardMode.MODERATED and not moderator:
            status = IdeaStatus.PENDING
        idea = f"i{boards.ideas_created + 1}"
        return [IdeaPosted(idea, board.id, who, name, text, category, status, now)]
    board = boards.board_of_idea(command.idea)
    if board is None:
        return Rejected("idea_not_found")
    card = board.ideas[command.idea]
    if card.author != who and not moderator:
        return Rejected("not_your_idea")
    if board.locked and not moderator:
        return Rejected("board_locked")
    if isinstance(command, DeleteIdea):
        if card.author != who:
            return Rejected("not_your_idea")  # moderators hide, they do not delete
        return [IdeaDeleted(card.id)]
    text = _text(command.text, limits)
    if isinstance(text, Rejected):
        return text
    category = _category(board, command.category) if command.category else card.category
    if isinstance(category, Rejected):
        return category
    if text == card.text and category == card.category:
        return []
    return [IdeaEdited(card.id, text, category, moderator and card.author != who, now)]


def _decide_card(
    boards: Boards, board: Board, command: HideIdea | ApproveIdea | MergeIdea | AssignIdea
) -> list[IdeasEvent] | Rejected:
    card = board.ideas[command.idea]
    match command:
        case HideIdea(hidden=hidden):
            status = IdeaStatus.HIDDEN if hidden else IdeaStatus.PUBLIC
            return [] if card.status is status else [IdeaStatusSet(card.id, status)]
        case ApproveIdea():
            if card.status is IdeaStatus.PUBLIC:
                return []
            return [IdeaStatusSet(card.id, IdeaStatus.PUBLIC)]
        case MergeIdea(into=into):
            if into == card.id or boards.idea_board.get(into) != board.id:
                return Rejected("merge_invalid")
            return [IdeaMerged(card.id, into)]
        case AssignIdea(cluster=cluster, position=position):
            if cluster is not None and cluster not in board.clusters:
                return Rejected("cluster_not_found")
            return [IdeaAssigned(card.id, cluster, position)]
    raise AssertionError(command)  # pragma: no cover


# --- apply ------------------------------------------------------------------


def _remove(board: Board, idea: str) -> None:
    card = board.ideas[idea]
    if card.cluster is None:
        board.loose.remove(idea)
    else:
        board.clusters[card.cluster].ideas.remove(idea)
    card.cluster = None


def _put(board: Board, idea: str, cluster: str | None, position: int | None) -> None:
    target = board.loose if cluster is None else board.clusters[cluster].ideas
    at = len(target) if position is None else max(0, min(position, len(target)))
    target.insert(at, idea)
    board.ideas[idea].cluster = cluster


def _drop_item(board: Board, item: str) -> set[str]:
    """Take an item that went away out of every dot ballot; returns whose ballot changed."""
    touched = set()
    for pid, ballot in board.ballots.items():
        if item in ballot:
            del ballot[item]
            touched.add(pid)
    return touched


def apply(boards: Boards, lobby: Lobby, event: IdeasEvent, limits: Limits) -> set[str]:
    """Fold one event in; returns the participants whose own view changed."""
    if isinstance(event, BoardCreated):
        if event.board not in boards.by_id:
            boards.created += 1
            boards.by_id[event.board] = Board(
                event.board, event.prompt, event.categories, event.mode, dots=event.dots
            )
        return set()
    if isinstance(event, IdeaPosted):
        board = boards.by_id.get(event.board)
        if board is None or event.idea in boards.idea_board:
            return set()
        author = event.author
        if author != MODERATOR and (
            board.locked or lobby.closed or author not in lobby.participants
        ):
            return set()  # late: the board was locked first in log order
        boards.ideas_created += 1
        boards.idea_board[event.idea] = board.id
        board.ideas[event.idea] = Idea(
            event.idea,
            board.id,
            author,
            event.name,
            event.text,
            event.category,
            event.status,
            event.at,
        )
        board.loose.append(event.idea)
        return {author}
    if isinstance(event, ClusterCreated):
        board = boards.by_id.get(event.board)
        if board is None or event.cluster in boards.cluster_board:
            return set()
        boards.clusters_created += 1
        boards.cluster_board[event.cluster] = board.id
        board.clusters[event.cluster] = Cluster(event.cluster, event.name)
        return set()
    if isinstance(event, IdeaEdited | IdeaDeleted | IdeaStatusSet | IdeaMerged | IdeaAssigned):
        return _apply_card(boards, event)
    if isinstance(event, ClusterRenamed | ClusterDeleted):
        board = boards.board_of_cluster(event.cluster)
        if board is None:
            return set()
        if isinstance(event, ClusterRenamed):
            board.clusters[event.cluster].name = event.name
            return set()
        for idea in list(board.clusters[event.cluster].ideas):
            _remove(board, idea)
            _put(board, idea, None, None)
        del board.clusters[event.cluster]
        del boards.cluster_board[event.cluster]
        return _drop_item(board, event.cluster)
    board = boards.by_id.get(event.board)
    if board is None:
        return set()
    match event:
        case BoardChanged():
            # A ballot that breaks the new rules (only in a race: decide refuses
            # such a change) is voided, and its voter asked again on the phone.
            touched = {
                pid
                for pid, b in board.ballots.items()
                if event.dots.on is not board.dots.on or check_ballot(b, b, event.dots) != b
            }
            for pid in touched:
                del board.ballots[pid]
            if event.locked is not board.locked:  # the authors' edit buttons come and go
                touched |= {c.author for c in board.ideas.values() if c.author != MODERATOR}
            board.locked = event.locked
            board.revealed = event.revealed
            board.published = event.published
            board.dots = event.dots
            return touched
        case BoardShown(view=view):
            boards.screen_board = board.id
            boards.screen_view = view
        case ClustersProposed():
            board.proposal = Proposal(
                event.groups, event.names, event.targets, event.confidence, event.unsure
            )
        case ProposalAccepted():
            proposal, board.proposal = board.proposal, None
            if proposal is None:
                return set()
            for n, (group, name) in enumerate(zip(proposal.groups, proposal.names, strict=True)):
                members = [i for i in group if i in board.loose]
                target = proposal.target(n)
                if target is not None:  # sorted under a heading: hand-placed cards stay put
                    if target in board.clusters:
                        for idea in members:
                            _remove(board, idea)
                            _put(board, idea, target, None)
                    continue
                if not members or len(board.clusters) >= limits.ideas.max_clusters:
                    continue
                boards.clusters_created += 1
                cid = f"c{boards.clusters_created}"
                boards.cluster_board[cid] = board.id
                board.clusters[cid] = Cluster(cid, name)
                for idea in members:
                    _remove(board, idea)
                    _put(board, idea, cid, None)
        case ProposalDiscarded():
            board.proposal = None
        case DotsCast(participant=pid, points=points):
            me = lobby.participants.get(pid)
            if me is None or me.left or lobby.closed or not board.dots.open:
                return set()
            if check_ballot(points, dot_items(board), board.dots) != points:
                return set()  # the rules changed first in log order
            board.ballots[pid] = dict(points)
            return {pid}
    return set()


def _apply_card(
    boards: Boards,
    event: IdeaEdited | IdeaDeleted | IdeaStatusSet | IdeaMerged | IdeaAssigned,
) -> set[str]:
    board = boards.board_of_idea(event.idea)
    if board is None:
        return set()
    card = board.ideas[event.idea]
    author = {card.author}
    match event:
        case IdeaEdited():
            if event.by_moderator:
                card.edits.append(Edit(event.at, card.text, event.text))
            card.text = event.text
            card.category = event.category
            return author
        case IdeaDeleted() | IdeaMerged():
            if isinstance(event, IdeaMerged):
                target = board.ideas.get(event.into)
                if target is None:
                    return set()
                target.merged.append(card.text)
                target.merged.extend(card.merged)
            _remove(board, card.id)
            del board.ideas[card.id]
            del boards.idea_board[card.id]
            _forget_proposal(board, card.id)
            return author | _drop_item(board, card.id)
        case IdeaStatusSet(status=status):
            card.status = status
            touched = author
            if status is not IdeaStatus.PUBLIC:
                touched = touched | _drop_item(board, card.id)
                _forget_proposal(board, card.id)  # a hidden card is never sorted
            return touched
        case IdeaAssigned(cluster=cluster, position=position):
            if cluster is not None and cluster not in board.clusters:
                return set()  # the cluster was deleted first in log order
            _remove(board, card.id)
            _put(board, card.id, cluster, position)
            _forget_proposal(board, card.id)
            return set()
    raise AssertionError(event)  # pragma: no cover


def _forget_proposal(board: Board, idea: str) -> None:
    """A card the moderator placed by hand (or hid) leaves the pending suggestion."""
    if board.proposal is None:
        return
    old = board.proposal
    groups = [[i for i in g if i != idea] for g in old.groups]
    keep = [n for n, g in enumerate(groups) if g]
    unsure = [i for i in old.unsure if i != idea]
    board.proposal = (
        Proposal(
            [groups[n] for n in keep],
            [old.names[n] for n in keep],
            [old.target(n) for n in keep] if old.targets else [],
            {i: c for i, c in old.confidence.items() if i != idea},
            unsure,
        )
        if keep or unsure
        else None
    )
