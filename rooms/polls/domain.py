"""Live polls: single and multiple choice, scale, ranking, points, open text.

A poll goes draft → open → closed and may be re-opened, until the moderator
closes it for good (``poll.seal``). Each participant has at most one ballot
per poll (a dict keyed by who cast it), which they may change until close.
The rules that must hold across workers — no vote after close, one ballot
per person, only present participants — are checked again in :func:`apply`,
in log order.

In an anonymous poll the log does not name the voter: the ballot is keyed
by the voter's pseudonym in that poll (``poll.voted_anonymously``), an HMAC
of their id under the poll's secret, which the transport keeps outside the
log and hands in as :attr:`rooms.base.Actor.alias` (rooms/polls/pseudonyms.py).
The same person always gets the same pseudonym in one poll, so changing a
vote still replaces the ballot. Once the secret is deleted (the poll is
sealed), nothing links a stored ballot to a person. ``apply`` cannot check
that such a voter is still present (it does not know who they are); decide
does, and a ballot that lands just after its author left counts, as it would
have a moment earlier.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, TypeVar

import msgspec

from rooms.base import Actor, Rejected, Role
from rooms.lobby.domain import Lobby
from rooms.polls.limits import PollLimits
from rooms.text import one_line
from rooms.undo import UndoCommand, copy, find, remember

if TYPE_CHECKING:
    from rooms.activities import Limits


class PollKind(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE = "scale"
    RANKING = "ranking"
    POINTS = "points"
    TEXT = "text"


CHOICE_KINDS = frozenset({PollKind.SINGLE, PollKind.MULTIPLE, PollKind.RANKING, PollKind.POINTS})


class PollStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Option(msgspec.Struct, frozen=True):
    id: str
    label: str


class PollSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Per-kind settings; the ones that do not apply to a kind are ignored."""

    max_choices: int = 0  # multiple: at most k choices, 0 = as many as there are options
    scale_min: int = 1
    scale_max: int = 5
    min_label: str = ""
    max_label: str = ""
    budget: int = 100  # points to spread
    max_per_option: int = 0  # 0 = the whole budget
    hide_results: bool = False  # until the poll closes
    results_on_phones: bool = False
    anonymous: bool = True


class Ballot(msgspec.Struct, frozen=True, omit_defaults=True):
    """One participant's current vote; exactly the field of the poll's kind is set."""

    choice: str | None = None
    choices: list[str] | None = None
    value: int | None = None
    ranking: list[str] | None = None
    points: dict[str, int] | None = None
    text: str | None = None


# --- commands ---------------------------------------------------------------


class _PollFields(msgspec.Struct, frozen=True, kw_only=True):
    kind: PollKind = PollKind.SINGLE
    question: str = ""
    options: list[str] = msgspec.field(default_factory=list)
    max_choices: int = 0
    scale_min: int = 1
    scale_max: int = 5
    min_label: str = ""
    max_label: str = ""
    budget: int = 100
    max_per_option: int = 0
    hide_results: bool = False
    results_on_phones: bool = False
    anonymous: bool = True


class CreatePoll(_PollFields, tag="poll.create", frozen=True, kw_only=True):
    pass


class UpdatePoll(_PollFields, tag="poll.update", frozen=True, kw_only=True):
    poll: str


class DuplicatePoll(msgspec.Struct, tag="poll.duplicate", frozen=True):
    poll: str


class MovePoll(msgspec.Struct, tag="poll.move", frozen=True):
    poll: str
    to: int


class DeletePoll(msgspec.Struct, tag="poll.delete", frozen=True):
    poll: str


class OpenPoll(msgspec.Struct, tag="poll.open", frozen=True):
    poll: str


class ClosePoll(msgspec.Struct, tag="poll.close", frozen=True):
    poll: str


class ResetPoll(msgspec.Struct, tag="poll.reset", frozen=True):
    poll: str


class SealPoll(msgspec.Struct, tag="poll.seal", frozen=True):
    """Close a poll for good: no re-opening, no reset, and its secret is deleted."""

    poll: str


class Vote(msgspec.Struct, tag="poll.vote", frozen=True, kw_only=True):
    poll: str
    choice: str | None = None
    choices: list[str] | None = None
    value: int | None = None
    ranking: list[str] | None = None
    points: dict[str, int] | None = None
    text: str | None = None


class HideAnswer(msgspec.Struct, tag="poll.hide_answer", frozen=True):
    poll: str
    answer: int
    hidden: bool = True


class HideWord(msgspec.Struct, tag="poll.hide_word", frozen=True):
    poll: str
    word: str
    hidden: bool = True


class UndoPoll(UndoCommand, tag="poll.undo", frozen=True):
    """Undo a deleted draft or a reset, named by the log position of that move."""


POLL_COMMAND_TYPES = (
    CreatePoll,
    UpdatePoll,
    DuplicatePoll,
    MovePoll,
    DeletePoll,
    OpenPoll,
    ClosePoll,
    ResetPoll,
    Vote,
    HideAnswer,
    HideWord,
    UndoPoll,
    SealPoll,
)

PollCommand = (
    CreatePoll
    | UpdatePoll
    | DuplicatePoll
    | MovePoll
    | DeletePoll
    | OpenPoll
    | ClosePoll
    | ResetPoll
    | Vote
    | HideAnswer
    | HideWord
    | UndoPoll
    | SealPoll
)

# --- events -----------------------------------------------------------------


class PollCreated(msgspec.Struct, tag="poll.created", frozen=True):
    poll: str
    kind: PollKind
    question: str
    options: list[Option]
    settings: PollSettings


class PollUpdated(msgspec.Struct, tag="poll.updated", frozen=True):
    poll: str
    kind: PollKind
    question: str
    options: list[Option]
    settings: PollSettings


class PollMoved(msgspec.Struct, tag="poll.moved", frozen=True):
    poll: str
    to: int


class PollDeleted(msgspec.Struct, tag="poll.deleted", frozen=True):
    poll: str


class PollOpened(msgspec.Struct, tag="poll.opened", frozen=True):
    poll: str


class PollClosed(msgspec.Struct, tag="poll.closed", frozen=True):
    poll: str


class PollReset(msgspec.Struct, tag="poll.reset_done", frozen=True):
    poll: str


class VoteCast(msgspec.Struct, tag="poll.voted", frozen=True):
    """A ballot under the voter's participant id: named polls (and anonymous ones
    in logs written before pseudonyms, which replay as they were)."""

    poll: str
    participant: str
    ballot: Ballot


class AnonymousVoteCast(msgspec.Struct, tag="poll.voted_anonymously", frozen=True):
    """A ballot in an anonymous poll, under the voter's pseudonym in that poll.

    ``voter`` is ``rooms.polls.pseudonyms.pseudonym(secret, participant id)``;
    the secret is not in the log, so the entry names nobody.
    """

    poll: str
    voter: str
    ballot: Ballot


class PollSealed(msgspec.Struct, tag="poll.sealed", frozen=True):
    """The poll is closed for good; the transport deletes its secret once this is stored."""

    poll: str


class AnswerHidden(msgspec.Struct, tag="poll.answer_hidden", frozen=True):
    poll: str
    answer: int
    hidden: bool


class WordHidden(msgspec.Struct, tag="poll.word_hidden", frozen=True):
    poll: str
    word: str
    hidden: bool


class PollRestored(msgspec.Struct, tag="poll.restored", frozen=True):
    """The move at log position ``seq`` (a delete or a reset) is undone.

    The poll as it was is the tombstone in :attr:`Polls.undo`, not in this
    event (see rooms/undo.py for why).
    """

    seq: int


POLL_EVENT_TYPES = (
    PollCreated,
    PollUpdated,
    PollMoved,
    PollDeleted,
    PollOpened,
    PollClosed,
    PollReset,
    VoteCast,
    AnswerHidden,
    WordHidden,
    PollRestored,
    AnonymousVoteCast,
    PollSealed,
)

PollEvent = (
    PollCreated
    | PollUpdated
    | PollMoved
    | PollDeleted
    | PollOpened
    | PollClosed
    | PollReset
    | VoteCast
    | AnswerHidden
    | WordHidden
    | PollRestored
    | AnonymousVoteCast
    | PollSealed
)

# --- state ------------------------------------------------------------------


class Poll(msgspec.Struct, dict=True):
    """One poll's state.

    ``dict=True`` lets the views keep the poll's results on the poll itself
    (:func:`rooms.polls.tally.cached_tally`), outside its fields: never
    encoded, never compared, and dropped by :meth:`changed` whenever an
    event touches the poll. A room of twenty polls then counts only the one
    being voted on at each fan-out tick, not all twenty for every audience.
    """

    id: str
    kind: PollKind
    question: str
    options: list[Option]
    settings: PollSettings
    status: PollStatus = PollStatus.DRAFT
    ballots: dict[str, Ballot] = msgspec.field(default_factory=dict)
    # Text answers get numbers in the order they first came in, so the
    # moderator can hide one without any view naming its author.
    answer_numbers: dict[str, int] = msgspec.field(default_factory=dict)
    next_answer: int = 1
    hidden_answers: set[int] = msgspec.field(default_factory=set)
    hidden_words: set[str] = msgspec.field(default_factory=set)
    resets: int = 0
    sealed: bool = False  # closed for good: never open again, its secret is gone

    def changed(self) -> None:
        """Forget everything computed from the poll as it was (its cached results)."""
        self.__dict__.clear()


class PollUndo(msgspec.Struct):
    """A move that may be undone: the poll as it was before (a tombstone) and its place."""

    seq: int
    at: int
    what: str  # "poll_deleted" or "poll_reset"
    poll: Poll
    position: int


class Polls(msgspec.Struct):
    order: list[str] = msgspec.field(default_factory=list)
    by_id: dict[str, Poll] = msgspec.field(default_factory=dict)
    created: int = 0
    undo: list[PollUndo] = msgspec.field(default_factory=list)  # the last few, oldest first

    def in_order(self) -> list[Poll]:
        return [self.by_id[p] for p in self.order]


# --- decide -----------------------------------------------------------------


def _clean(text: str) -> str:
    return one_line(text)


def _definition(
    fields: _PollFields, limits: PollLimits
) -> tuple[str, list[Option], PollSettings] | Rejected:
    """Check a poll's question, options and settings; the shared part of create and update."""
    question = _clean(fields.question)
    if not question:
        return Rejected("question_missing")
    if len(question) > limits.question_length:
        return Rejected("question_too_long")
    labels = [_clean(o) for o in fields.options if _clean(o)]
    options: list[Option] = []
    if fields.kind in CHOICE_KINDS:
        if len(labels) < 2:
            return Rejected("options_missing")
        if len(labels) > limits.max_options:
            return Rejected("too_many_options")
        if any(len(label) > limits.option_length for label in labels):
            return Rejected("option_too_long")
        options = [Option(f"o{i}", label) for i, label in enumerate(labels, start=1)]
    if fields.kind is PollKind.SCALE:
        steps = fields.scale_max - fields.scale_min + 1
        if steps < 2 or steps > limits.max_scale_steps:
            return Rejected("scale_invalid")
        if max(len(fields.min_label), len(fields.max_label)) > limits.option_length:
            return Rejected("option_too_long")
    if fields.kind is PollKind.POINTS:
        if not 1 <= fields.budget <= limits.max_budget:
            return Rejected("budget_invalid")
        if fields.max_per_option < 0 or fields.max_per_option > fields.budget:
            return Rejected("budget_invalid")
    if fields.kind is PollKind.MULTIPLE and not 0 <= fields.max_choices <= len(options):
        return Rejected("max_choices_invalid")
    settings = PollSettings(
        max_choices=fields.max_choices,
        scale_min=fields.scale_min,
        scale_max=fields.scale_max,
        min_label=_clean(fields.min_label),
        max_label=_clean(fields.max_label),
        budget=fields.budget,
        max_per_option=fields.max_per_option,
        hide_results=fields.hide_results,
        results_on_phones=fields.results_on_phones,
        anonymous=fields.anonymous,
    )
    return question, options, settings


def check_ballot(poll: Poll, vote: Vote, limits: PollLimits) -> Ballot | Rejected:
    """The ballot a vote stands for, normalised; or why it is not a valid vote."""
    ids = {o.id for o in poll.options}
    s = poll.settings
    match poll.kind:
        case PollKind.SINGLE:
            if vote.choice not in ids:
                return Rejected("invalid_choice")
            return Ballot(choice=vote.choice)
        case PollKind.MULTIPLE:
            chosen = list(dict.fromkeys(vote.choices or []))
            if not chosen or any(c not in ids for c in chosen):
                return Rejected("invalid_choice")
            if s.max_choices and len(chosen) > s.max_choices:
                return Rejected("too_many_choices")
            return Ballot(choices=sorted(chosen, key=[o.id for o in poll.options].index))
        case PollKind.SCALE:
            if vote.value is None or not s.scale_min <= vote.value <= s.scale_max:
                return Rejected("value_out_of_range")
            return Ballot(value=vote.value)
        case PollKind.RANKING:
            ranking = vote.ranking or []
            if sorted(ranking) != sorted(ids) or len(set(ranking)) != len(ranking):
                return Rejected("ranking_incomplete")
            return Ballot(ranking=list(ranking))
        case PollKind.POINTS:
            given = {k: v for k, v in (vote.points or {}).items() if v != 0}
            if any(k not in ids for k in given) or any(v < 0 for v in given.values()):
                return Rejected("invalid_choice")
            if not given:
                return Rejected("points_missing")
            if sum(given.values()) > s.budget:
                return Rejected("points_over_budget")
            if s.max_per_option and max(given.values()) > s.max_per_option:
                return Rejected("points_over_max")
            return Ballot(points=dict(sorted(given.items())))
        case PollKind.TEXT:
            text = _clean(vote.text or "")
            if not text:
                return Rejected("text_missing")
            if len(text) > limits.text_answer_length:
                return Rejected("text_too_long")
            return Ballot(text=text)
    raise AssertionError(poll.kind)  # pragma: no cover


def decide(
    polls: Polls, lobby: Lobby, command: PollCommand, actor: Actor, limits: Limits
) -> list[PollEvent] | Rejected:
    if isinstance(command, Vote):
        return _decide_vote(polls, lobby, command, actor, limits.polls)
    if actor.role is not Role.MODERATOR:
        return Rejected("not_allowed")
    if isinstance(command, UndoPoll):
        entry = find(polls.undo, command.seq)
        if entry is None:
            return Rejected("undo_gone")
        blocked = undo_blocked(polls, entry, limits.polls.max_polls)
        return Rejected(blocked) if blocked else [PollRestored(command.seq)]
    if isinstance(command, CreatePoll):
        if len(polls.order) >= limits.polls.max_polls:
            return Rejected("too_many_polls")
        checked = _definition(command, limits.polls)
        if isinstance(checked, Rejected):
            return checked
        question, options, settings = checked
        return [PollCreated(f"p{polls.created + 1}", command.kind, question, options, settings)]
    poll = polls.by_id.get(command.poll)
    if poll is None:
        return Rejected("poll_not_found")
    match command:
        case UpdatePoll():
            if poll.status is not PollStatus.DRAFT:
                return Rejected("poll_not_draft")
            checked = _definition(command, limits.polls)
            if isinstance(checked, Rejected):
                return checked
            question, options, settings = checked
            return [PollUpdated(poll.id, command.kind, question, options, settings)]
        case DuplicatePoll():
            if len(polls.order) >= limits.polls.max_polls:
                return Rejected("too_many_polls")
            copy = PollCreated(
                f"p{polls.created + 1}", poll.kind, poll.question, poll.options, poll.settings
            )
            return [copy, PollMoved(copy.poll, polls.order.index(poll.id) + 1)]
        case MovePoll(to=to):
            target = max(0, min(to, len(polls.order) - 1))
            return [] if polls.order.index(poll.id) == target else [PollMoved(poll.id, target)]
        case DeletePoll():
            if poll.status is not PollStatus.DRAFT:
                return Rejected("poll_not_draft")
            return [PollDeleted(poll.id)]
        case OpenPoll():
            if poll.sealed:
                return Rejected("poll_sealed")
            return [] if poll.status is PollStatus.OPEN else [PollOpened(poll.id)]
        case ClosePoll():
            if poll.status is PollStatus.DRAFT:
                return Rejected("poll_not_open")
            return [] if poll.status is PollStatus.CLOSED else [PollClosed(poll.id)]
        case ResetPoll():
            if poll.sealed:
                return Rejected("poll_sealed")
            return [PollReset(poll.id)] if poll.ballots else []
        case SealPoll():
            if poll.status is PollStatus.DRAFT:
                return Rejected("poll_not_open")
            return [] if poll.sealed else [PollSealed(poll.id)]
        case HideAnswer(answer=answer, hidden=hidden):
            if poll.kind is not PollKind.TEXT:
                return Rejected("poll_not_text")
            if (answer in poll.hidden_answers) is hidden:
                return []
            return [AnswerHidden(poll.id, answer, hidden)]
        case HideWord(word=word, hidden=hidden):
            if poll.kind is not PollKind.TEXT:
                return Rejected("poll_not_text")
            word = word.strip().lower()
            if not word or (word in poll.hidden_words) is hidden:
                return []
            return [WordHidden(poll.id, word, hidden)]
    raise AssertionError(f"unhandled poll command {command!r}")  # pragma: no cover


def _decide_vote(
    polls: Polls, lobby: Lobby, vote: Vote, actor: Actor, limits: PollLimits
) -> list[PollEvent] | Rejected:
    if actor.role is not Role.PARTICIPANT or actor.participant is None:
        return Rejected("not_allowed")
    me = lobby.participants.get(actor.participant)
    if me is None or me.left:
        return Rejected("not_joined")
    if lobby.closed:
        return Rejected("event_closed")
    poll = polls.by_id.get(vote.poll)
    if poll is None or poll.status is PollStatus.DRAFT:
        return Rejected("poll_not_found")
    if poll.sealed:
        # Not "poll_closed" ("your vote was not counted"): this may be the resend of
        # a vote that did count, which nobody can match to its ballot any more.
        return Rejected("poll_sealed")
    if poll.status is PollStatus.CLOSED:
        return Rejected("poll_closed")
    ballot = check_ballot(poll, vote, limits)
    if isinstance(ballot, Rejected):
        return ballot
    if poll.settings.anonymous and me.id not in poll.ballots:
        # (A ballot under the id was cast before pseudonyms, by an older
        # release: it is replaced in place below, so it stays one ballot.)
        if actor.alias is None:
            return Rejected("pseudonym_missing", transient=True)
        if poll.ballots.get(actor.alias) == ballot:
            return []
        return [AnonymousVoteCast(poll.id, actor.alias, ballot)]
    if poll.ballots.get(me.id) == ballot:
        return []
    return [VoteCast(poll.id, me.id, ballot)]


# --- undo -------------------------------------------------------------------


def undo_blocked(polls: Polls, entry: PollUndo, max_polls: int) -> str | None:
    """Why this move can no longer be undone (a reason key), or None if it can."""
    if entry.what == "poll_deleted":
        if entry.poll.id in polls.by_id:  # pragma: no cover - ids are never reused
            return "undo_gone"
        return "too_many_polls" if len(polls.order) >= max_polls else None
    poll = polls.by_id.get(entry.poll.id)
    if poll is None:
        return "undo_poll_gone"
    return "undo_votes_since" if poll.ballots else None


def _voters(poll: Poll, lobby: Lobby) -> set[str]:
    """Whose own view changes when these ballots go or come back.

    Ballots under ids name their voters; a pseudonym names nobody, so if the
    poll has any, everyone in the room is touched (a reset of a well-attended
    poll touched about as many before pseudonyms).
    """
    keys = set(poll.ballots)
    if all(key in lobby.participants for key in keys):
        return keys
    return set(lobby.participants)


def _restore(polls: Polls, lobby: Lobby, entry: PollUndo) -> set[str]:
    """Put the tombstone back: the deleted draft at its place, or the ballots a reset cleared."""
    before = entry.poll
    if entry.what == "poll_deleted":
        before.changed()
        polls.by_id[before.id] = before
        polls.order.insert(min(entry.position, len(polls.order)), before.id)
        return set()
    poll = polls.by_id[before.id]
    poll.changed()
    poll.ballots = before.ballots
    poll.answer_numbers = before.answer_numbers
    poll.hidden_answers = before.hidden_answers
    poll.resets = before.resets
    return _voters(poll, lobby)


# --- apply ------------------------------------------------------------------


# One Ballot object for each plain choice or value: ballots are immutable, so the
# thousand voters of a single-choice poll can share a handful of them instead of
# keeping a thousand (a ballot and its choice string cost 130 bytes each).
# Option ids are o1, o2 … in every poll, so this stays small; bounded all the same.
_PLAIN: dict[tuple[str | None, int | None], Ballot] = {}
_PLAIN_MAX = 4096


# One string for each option id that ballots name (o1, o2 … again): a multiple
# choice, ranking or points ballot decoded from the log has its own copies, 50
# bytes each, 0.9 MB in a three-hour event of 1,000 phones. Bounded all the same.
_OPTION_IDS: dict[str, str] = {}


_K = TypeVar("_K")
_V = TypeVar("_V")


def _kept(table: dict[_K, _V], key: _K, value: _V) -> _V:
    """What ``table`` already holds under ``key``, else ``value``, kept there while it has room."""
    found = table.get(key)
    if found is not None:
        return found
    if len(table) < _PLAIN_MAX:
        table[key] = value
    return value


def _option_id(option: str) -> str:
    return _kept(_OPTION_IDS, option, option)


def _shared(ballot: Ballot) -> Ballot:
    """An equal ballot that holds as little of its own as it can: one that may already
    be held elsewhere if it is a plain choice or value, else one that names its
    options by the strings every ballot shares."""
    if ballot.choices is not None:
        return msgspec.structs.replace(ballot, choices=[_option_id(o) for o in ballot.choices])
    if ballot.ranking is not None:
        return msgspec.structs.replace(ballot, ranking=[_option_id(o) for o in ballot.ranking])
    if ballot.points is not None:
        points = {_option_id(o): n for o, n in ballot.points.items()}
        return msgspec.structs.replace(ballot, points=points)
    if ballot.text is not None:
        return ballot
    return _kept(_PLAIN, (ballot.choice, ballot.value), ballot)


def _cast(poll: Poll, key: str, ballot: Ballot) -> None:
    """``key``'s ballot (a participant id or a pseudonym) replaces any earlier one."""
    poll.ballots[key] = _shared(ballot)
    if poll.kind is PollKind.TEXT and key not in poll.answer_numbers:
        poll.answer_numbers[key] = poll.next_answer
        poll.next_answer += 1


def apply(
    polls: Polls,
    lobby: Lobby,
    event: PollEvent,
    *,
    seq: int = 0,
    at: int = 0,
    max_polls: int = 0,
    author: str | None = None,
) -> set[str]:
    """Fold one poll event in; returns the participants whose own view changed.

    ``seq`` and ``at`` are the entry's log position and time: a delete or a
    reset is remembered under them so that it can be undone. ``author`` is
    the entry's author's pseudonym, if it has one: an anonymous ballot is
    filed under that string (it equals ``voter``), the same object the room
    files the ballot's cid outcome under, so the two share one key
    (``rooms.room.outcomes_key``).
    """
    if isinstance(event, PollRestored):
        entry = find(polls.undo, event.seq)
        if entry is None or undo_blocked(polls, entry, max_polls or len(polls.order) + 1):
            return set()  # undone already, or something came first in log order
        polls.undo.remove(entry)
        return _restore(polls, lobby, entry)
    if isinstance(event, PollCreated):
        if event.poll in polls.by_id:
            return set()
        polls.created += 1
        polls.by_id[event.poll] = Poll(
            event.poll, event.kind, event.question, event.options, event.settings
        )
        polls.order.append(event.poll)
        return set()
    poll = polls.by_id.get(event.poll)
    if poll is None:
        return set()
    poll.changed()  # every event below may change what the poll's results are
    match event:
        case PollUpdated():
            if poll.status is PollStatus.DRAFT:
                poll.kind = event.kind
                poll.question = event.question
                poll.options = event.options
                poll.settings = event.settings
        case PollMoved(to=to):
            polls.order.remove(poll.id)
            polls.order.insert(max(0, min(to, len(polls.order))), poll.id)
        case PollDeleted():
            if poll.status is PollStatus.DRAFT:
                remember(
                    polls.undo,
                    PollUndo(seq, at, "poll_deleted", poll, polls.order.index(poll.id)),
                )
                polls.order.remove(poll.id)
                del polls.by_id[poll.id]
        case PollOpened():
            if not poll.sealed:  # a re-open decided before the seal lands after it
                poll.status = PollStatus.OPEN
        case PollSealed():
            if poll.status is not PollStatus.DRAFT and not poll.sealed:
                poll.status = PollStatus.CLOSED
                poll.sealed = True
                # Phones' own views: no "your vote" here any more (the transport
                # stops handing in this poll's pseudonyms).
                return _voters(poll, lobby)
        case PollClosed():
            if poll.status is PollStatus.OPEN:
                poll.status = PollStatus.CLOSED
        case PollReset():
            if poll.sealed:
                return set()
            kept = copy(poll, Poll)
            remember(polls.undo, PollUndo(seq, at, "poll_reset", kept, polls.order.index(poll.id)))
            voters = _voters(poll, lobby)
            poll.ballots.clear()
            poll.answer_numbers.clear()
            poll.hidden_answers.clear()
            poll.resets += 1
            return voters
        case VoteCast(participant=pid, ballot=ballot):
            me = lobby.participants.get(pid)
            if poll.status is not PollStatus.OPEN or me is None or me.left or lobby.closed:
                return set()  # late: the poll closed first in log order
            _cast(poll, pid, ballot)
            return {pid}
        case AnonymousVoteCast(voter=voter, ballot=ballot):
            if poll.status is not PollStatus.OPEN or lobby.closed:
                return set()  # late: the poll closed first in log order
            _cast(poll, author if author == voter and author is not None else voter, ballot)
            return set()  # nobody by name: the room's handle touches the author
        case AnswerHidden(answer=answer, hidden=hidden):
            if hidden:
                poll.hidden_answers.add(answer)
            else:
                poll.hidden_answers.discard(answer)
        case WordHidden(word=word, hidden=hidden):
            if hidden:
                poll.hidden_words.add(word)
            else:
                poll.hidden_words.discard(word)
    return set()
