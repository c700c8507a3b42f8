"""Q&A: participants ask and upvote, moderators steer the questions to the stage.

An event may hold several Q&A sessions (one per input talk, say), each with a
title, optionally the speaker the questions are addressed to, and a mode:
``open`` (a question appears at once) or ``moderated`` (it waits in a queue
only moderators see until one approves it).

A question's upvoters are a set of participant ids: one vote per person, an
upvote can be taken back, and merging a duplicate into another question
unites the two sets, so the votes add up and nobody counts twice. Who voted
is never part of any view, the moderator's included; views carry counts.

A question goes ``pending`` → ``visible`` → ``live`` ("jetzt dran", on the
screen now) → ``answered``; moderators may also hide (and restore), archive
or merge it. The rules that must hold across workers — one vote per person,
no vote on a hidden or merged question, one live question per session — are
checked again in :func:`apply`, in log order, so a late event is a no-op.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import msgspec

from rooms.base import Actor, Rejected, Role
from rooms.lobby.domain import Lobby

if TYPE_CHECKING:
    from rooms.activities import Limits


class QnaMode(enum.StrEnum):
    OPEN = "open"
    MODERATED = "moderated"


class QuestionStatus(enum.StrEnum):
    PENDING = "pending"  # waits for a moderator (moderated sessions)
    VISIBLE = "visible"  # approved, waiting to be answered
    LIVE = "live"  # "jetzt dran": being answered now
    ANSWERED = "answered"
    HIDDEN = "hidden"
    ARCHIVED = "archived"
    MERGED = "merged"  # its votes went to ``merged_into``


VOTABLE = frozenset({QuestionStatus.VISIBLE, QuestionStatus.LIVE})
SHOWN = frozenset({QuestionStatus.VISIBLE, QuestionStatus.LIVE, QuestionStatus.ANSWERED})
"""What phones and the screen see; pending, hidden, archived and merged are the moderators'."""


class SortOrder(enum.StrEnum):
    VOTES = "votes"  # most votes first, the older first among equals
    NEWEST = "newest"


# --- state ------------------------------------------------------------------


class Edit(msgspec.Struct, frozen=True):
    """One moderator's correction of a question's text, kept for the log's readers."""

    at: int
    before: str
    after: str


class Question(msgspec.Struct):
    id: str
    session: str
    participant: str  # the asker; never in a public view
    name: str | None  # None: asked anonymously
    text: str
    at: int
    number: int  # the order of asking in the room, for ties and "newest"
    status: QuestionStatus
    voters: set[str] = msgspec.field(default_factory=set)
    starred: bool = False
    merged_into: str | None = None
    edits: list[Edit] = msgspec.field(default_factory=list)


class Session(msgspec.Struct):
    id: str
    title: str
    mode: QnaMode
    speaker: str | None
    open: bool = True
    questions: list[str] = msgspec.field(default_factory=list)  # in order of asking


class Qna(msgspec.Struct):
    order: list[str] = msgspec.field(default_factory=list)
    sessions: dict[str, Session] = msgspec.field(default_factory=dict)
    questions: dict[str, Question] = msgspec.field(default_factory=dict)
    created: int = 0  # sessions made, for ids
    asked: int = 0  # questions asked, for ids and numbers

    def in_order(self) -> list[Session]:
        return [self.sessions[s] for s in self.order]

    def of(self, session: Session) -> list[Question]:
        return [self.questions[q] for q in session.questions]


def votes(question: Question) -> int:
    return len(question.voters)


def ranked(questions: list[Question], order: SortOrder = SortOrder.VOTES) -> list[Question]:
    """Questions by votes (ties: the older first) or newest first; stable and total."""
    if order is SortOrder.NEWEST:
        return sorted(questions, key=lambda q: -q.number)
    return sorted(questions, key=lambda q: (-len(q.voters), q.number))


def live_question(qna: Qna, session: Session) -> Question | None:
    return next((q for q in qna.of(session) if q.status is QuestionStatus.LIVE), None)


def stage_session(qna: Qna) -> Session | None:
    """The session the screen shows: the one with a live question, else the newest open
    one, else the newest. Derived from the state, so every worker shows the same."""
    sessions = qna.in_order()
    for s in reversed(sessions):
        if live_question(qna, s) is not None:
            return s
    return next((s for s in reversed(sessions) if s.open), sessions[-1] if sessions else None)


# --- commands ---------------------------------------------------------------


class CreateQna(msgspec.Struct, tag="qna.create", frozen=True, kw_only=True):
    title: str
    mode: QnaMode = QnaMode.OPEN
    speaker: str | None = None


class CloseQna(msgspec.Struct, tag="qna.close", frozen=True):
    session: str


class ReopenQna(msgspec.Struct, tag="qna.reopen", frozen=True):
    session: str


class AskQuestion(msgspec.Struct, tag="question.ask", frozen=True, kw_only=True):
    session: str
    text: str
    anonymous: bool = False


class Upvote(msgspec.Struct, tag="question.upvote", frozen=True):
    question: str


class Unvote(msgspec.Struct, tag="question.unvote", frozen=True):
    question: str


class ApproveQuestion(msgspec.Struct, tag="question.approve", frozen=True):
    question: str


class HideQuestion(msgspec.Struct, tag="question.hide", frozen=True):
    question: str


class RestoreQuestion(msgspec.Struct, tag="question.restore", frozen=True):
    question: str


class EditQuestion(msgspec.Struct, tag="question.edit", frozen=True):
    question: str
    text: str


class MergeQuestion(msgspec.Struct, tag="question.merge", frozen=True):
    question: str
    into: str


class StarQuestion(msgspec.Struct, tag="question.star", frozen=True):
    question: str
    starred: bool = True


class LiveQuestion(msgspec.Struct, tag="question.live", frozen=True):
    question: str


class AnswerQuestion(msgspec.Struct, tag="question.answered", frozen=True):
    question: str


class ArchiveQuestion(msgspec.Struct, tag="question.archive", frozen=True):
    question: str


QNA_COMMAND_TYPES = (
    CreateQna,
    CloseQna,
    ReopenQna,
    AskQuestion,
    Upvote,
    Unvote,
    ApproveQuestion,
    HideQuestion,
    RestoreQuestion,
    EditQuestion,
    MergeQuestion,
    StarQuestion,
    LiveQuestion,
    AnswerQuestion,
    ArchiveQuestion,
)

QnaCommand = (
    CreateQna
    | CloseQna
    | ReopenQna
    | AskQuestion
    | Upvote
    | Unvote
    | ApproveQuestion
    | HideQuestion
    | RestoreQuestion
    | EditQuestion
    | MergeQuestion
    | StarQuestion
    | LiveQuestion
    | AnswerQuestion
    | ArchiveQuestion
)

# --- events -----------------------------------------------------------------


class QnaCreated(msgspec.Struct, tag="qna.created", frozen=True):
    session: str
    title: str
    mode: QnaMode
    speaker: str | None


class QnaClosed(msgspec.Struct, tag="qna.closed", frozen=True):
    session: str


class QnaReopened(msgspec.Struct, tag="qna.reopened", frozen=True):
    session: str


class QuestionAsked(msgspec.Struct, tag="question.asked", frozen=True):
    question: str
    session: str
    participant: str
    name: str | None
    text: str
    at: int
    approved: bool  # an open session's questions appear at once


class QuestionUpvoted(msgspec.Struct, tag="question.upvoted", frozen=True):
    question: str
    participant: str


class QuestionUnvoted(msgspec.Struct, tag="question.unvoted", frozen=True):
    question: str
    participant: str


class QuestionStatusSet(msgspec.Struct, tag="question.status", frozen=True):
    """Approve, hide, restore, archive, answered: the status it goes to, and from which."""

    question: str
    status: QuestionStatus


class QuestionEdited(msgspec.Struct, tag="question.edited", frozen=True):
    question: str
    text: str
    at: int


class QuestionMerged(msgspec.Struct, tag="question.merged", frozen=True):
    question: str
    into: str


class QuestionStarred(msgspec.Struct, tag="question.starred", frozen=True):
    question: str
    starred: bool


class QuestionLive(msgspec.Struct, tag="question.went_live", frozen=True):
    """The question is "jetzt dran"; a question live before it in its session is answered."""

    question: str


QNA_EVENT_TYPES = (
    QnaCreated,
    QnaClosed,
    QnaReopened,
    QuestionAsked,
    QuestionUpvoted,
    QuestionUnvoted,
    QuestionStatusSet,
    QuestionEdited,
    QuestionMerged,
    QuestionStarred,
    QuestionLive,
)

QnaEvent = (
    QnaCreated
    | QnaClosed
    | QnaReopened
    | QuestionAsked
    | QuestionUpvoted
    | QuestionUnvoted
    | QuestionStatusSet
    | QuestionEdited
    | QuestionMerged
    | QuestionStarred
    | QuestionLive
)

# Which moderator command moves a question to which status, and from where.
_MOVES: dict[type, tuple[QuestionStatus, frozenset[QuestionStatus]]] = {
    ApproveQuestion: (QuestionStatus.VISIBLE, frozenset({QuestionStatus.PENDING})),
    HideQuestion: (
        QuestionStatus.HIDDEN,
        frozenset({QuestionStatus.PENDING, QuestionStatus.VISIBLE, QuestionStatus.LIVE}),
    ),
    RestoreQuestion: (
        QuestionStatus.VISIBLE,
        frozenset({QuestionStatus.HIDDEN, QuestionStatus.ARCHIVED, QuestionStatus.ANSWERED}),
    ),
    AnswerQuestion: (
        QuestionStatus.ANSWERED,
        frozenset({QuestionStatus.VISIBLE, QuestionStatus.LIVE}),
    ),
    ArchiveQuestion: (
        QuestionStatus.ARCHIVED,
        frozenset(
            {
                QuestionStatus.PENDING,
                QuestionStatus.VISIBLE,
                QuestionStatus.ANSWERED,
                QuestionStatus.HIDDEN,
            }
        ),
    ),
}
_ALLOWED_FROM = {to: sources for to, sources in _MOVES.values()}
# Restore and approve both lead to "visible"; apply accepts the union of their sources.
_ALLOWED_FROM[QuestionStatus.VISIBLE] = _MOVES[ApproveQuestion][1] | _MOVES[RestoreQuestion][1]


# --- decide -----------------------------------------------------------------


def clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _participant(lobby: Lobby, actor: Actor) -> str | Rejected:
    if actor.role is not Role.PARTICIPANT or actor.participant is None:
        return Rejected("not_allowed")
    me = lobby.participants.get(actor.participant)
    if me is None or me.left:
        return Rejected("not_joined")
    if lobby.closed:
        return Rejected("event_closed")
    return me.id


def decide(
    qna: Qna, lobby: Lobby, command: QnaCommand, actor: Actor, now: int, limits: Limits
) -> list[QnaEvent] | Rejected:
    if isinstance(command, AskQuestion | Upvote | Unvote):
        pid = _participant(lobby, actor)
        if isinstance(pid, Rejected):
            return pid
        if isinstance(command, AskQuestion):
            return _decide_ask(qna, lobby, command, pid, now, limits)
        return _decide_vote(qna, command, pid)
    if actor.role is not Role.MODERATOR:
        return Rejected("not_allowed")
    if isinstance(command, CreateQna):
        return _decide_create(qna, command, limits)
    if isinstance(command, CloseQna | ReopenQna):
        session = qna.sessions.get(command.session)
        if session is None:
            return Rejected("qna_not_found")
        if isinstance(command, CloseQna):
            return [QnaClosed(session.id)] if session.open else []
        return [] if session.open else [QnaReopened(session.id)]
    question = qna.questions.get(command.question)
    if question is None:
        return Rejected("question_not_found")
    if question.status is QuestionStatus.MERGED:
        return Rejected("question_merged")
    match command:
        case EditQuestion(text=raw):
            text = clean(raw)
            if not text:
                return Rejected("question_text_missing")
            if len(text) > limits.qna.question_length:
                return Rejected("question_text_too_long")
            return [] if text == question.text else [QuestionEdited(question.id, text, now)]
        case MergeQuestion(into=into):
            target = qna.questions.get(into)
            if (
                target is None
                or target.id == question.id
                or target.session != question.session
                or target.status is QuestionStatus.MERGED
            ):
                return Rejected("question_merge_invalid")
            return [QuestionMerged(question.id, target.id)]
        case StarQuestion(starred=starred):
            return [] if question.starred is starred else [QuestionStarred(question.id, starred)]
        case LiveQuestion():
            if question.status is QuestionStatus.LIVE:
                return []
            if question.status is not QuestionStatus.VISIBLE:
                return Rejected("question_not_visible")
            return [QuestionLive(question.id)]
    to, sources = _MOVES[type(command)]
    if question.status is to:
        return []
    if question.status not in sources:
        return Rejected("question_status_invalid")
    return [QuestionStatusSet(question.id, to)]


def _decide_create(qna: Qna, command: CreateQna, limits: Limits) -> list[QnaEvent] | Rejected:
    title = clean(command.title)
    if not title:
        return Rejected("qna_title_missing")
    speaker = clean(command.speaker) or None
    if len(title) > limits.qna.title_length or len(speaker or "") > limits.qna.speaker_length:
        return Rejected("qna_title_too_long")
    if len(qna.order) >= limits.qna.max_sessions:
        return Rejected("too_many_sessions")
    return [QnaCreated(f"s{qna.created + 1}", title, command.mode, speaker)]


def _decide_ask(
    qna: Qna, lobby: Lobby, command: AskQuestion, pid: str, now: int, limits: Limits
) -> list[QnaEvent] | Rejected:
    session = qna.sessions.get(command.session)
    if session is None:
        return Rejected("qna_not_found")
    if not session.open:
        return Rejected("qna_closed")
    text = clean(command.text)
    if not text:
        return Rejected("question_text_missing")
    if len(text) > limits.qna.question_length:
        return Rejected("question_text_too_long")
    if len(session.questions) >= limits.qna.max_questions:
        return Rejected("qna_full")
    mine = sum(1 for q in qna.of(session) if q.participant == pid)
    if mine >= limits.qna.questions_per_person:
        return Rejected("too_many_questions")
    name = None if command.anonymous else lobby.participants[pid].name
    approved = session.mode is QnaMode.OPEN
    return [QuestionAsked(f"q{qna.asked + 1}", session.id, pid, name, text, now, approved)]


def _decide_vote(qna: Qna, command: Upvote | Unvote, pid: str) -> list[QnaEvent] | Rejected:
    question = qna.questions.get(command.question)
    if question is None or question.status is QuestionStatus.PENDING:
        return Rejected("question_not_found")
    if question.status is QuestionStatus.MERGED:
        return Rejected("question_merged")
    if question.status is QuestionStatus.HIDDEN:
        return Rejected("question_hidden")
    if isinstance(command, Unvote):
        return [QuestionUnvoted(question.id, pid)] if pid in question.voters else []
    if question.status not in VOTABLE:
        return Rejected("question_done")
    return [] if pid in question.voters else [QuestionUpvoted(question.id, pid)]


# --- apply ------------------------------------------------------------------


def apply(qna: Qna, lobby: Lobby, event: QnaEvent) -> set[str]:
    """Fold one Q&A event in; returns the participants whose own view changed."""
    match event:
        case QnaCreated():
            if event.session not in qna.sessions:
                qna.created += 1
                qna.sessions[event.session] = Session(
                    event.session, event.title, event.mode, event.speaker
                )
                qna.order.append(event.session)
            return set()
        case QnaClosed() | QnaReopened():
            session = qna.sessions.get(event.session)
            if session is not None:
                session.open = isinstance(event, QnaReopened)
            return set()
        case QuestionAsked():
            return _apply_ask(qna, lobby, event)
    question = qna.questions.get(event.question)
    if question is None:
        return set()
    match event:
        case QuestionUpvoted(participant=pid):
            me = lobby.participants.get(pid)
            if question.status not in VOTABLE or me is None or me.left or lobby.closed:
                return set()  # late: hidden, merged or answered first in log order
            if pid in question.voters:
                return set()
            passed = _passed(qna, question, up=True)
            question.voters.add(pid)
            return {pid} | passed
        case QuestionUnvoted(participant=pid):
            if question.status is QuestionStatus.MERGED or pid not in question.voters:
                return set()
            passed = _passed(qna, question, up=False)
            question.voters.discard(pid)
            return {pid} | passed
        case QuestionStatusSet(status=to):
            if question.status is QuestionStatus.MERGED or question.status not in _ALLOWED_FROM[to]:
                return set()
            question.status = to
            return _askers(qna, question.session)
        case QuestionEdited(text=text, at=at):
            if question.status is not QuestionStatus.MERGED and text != question.text:
                question.edits.append(Edit(at, question.text, text))
                question.text = text
                return {question.participant}
            return set()
        case QuestionMerged(into=into):
            return _apply_merge(qna, question, into)
        case QuestionStarred(starred=starred):
            if question.status is not QuestionStatus.MERGED:
                question.starred = starred
            return set()
        case QuestionLive():
            if question.status is not QuestionStatus.VISIBLE:
                return set()
            touched = {question.participant}
            for other in qna.of(qna.sessions[question.session]):
                if other.status is QuestionStatus.LIVE:
                    other.status = QuestionStatus.ANSWERED
                    touched.add(other.participant)
            question.status = QuestionStatus.LIVE
            return touched | _askers(qna, question.session)
    return set()  # pragma: no cover


def _apply_ask(qna: Qna, lobby: Lobby, event: QuestionAsked) -> set[str]:
    session = qna.sessions.get(event.session)
    me = lobby.participants.get(event.participant)
    if event.question in qna.questions or session is None or not session.open:
        return set()
    if me is None or me.left or lobby.closed:
        return set()
    qna.asked += 1
    status = QuestionStatus.VISIBLE if event.approved else QuestionStatus.PENDING
    qna.questions[event.question] = Question(
        event.question,
        session.id,
        event.participant,
        event.name,
        event.text,
        event.at,
        qna.asked,
        status,
    )
    session.questions.append(event.question)
    return {event.participant}


def _askers(qna: Qna, session: str) -> set[str]:
    """Everyone with a question in the session: a moderator's move may change their rank."""
    return {qna.questions[q].participant for q in qna.sessions[session].questions}


def _passed(qna: Qna, question: Question, up: bool) -> set[str]:
    """The askers whose rank one vote changes: the vote's own, and those it overtakes
    (an upvote) or falls behind (an unvote). Only these phones render again, so a
    thousand upvotes do not re-render every asker's card each time."""
    if question.status is not QuestionStatus.VISIBLE:
        return set()
    n = len(question.voters)
    passed = {question.participant}
    for other_id in qna.sessions[question.session].questions:
        other = qna.questions[other_id]
        if other.status is not QuestionStatus.VISIBLE or other is question:
            continue
        overtaken = up and len(other.voters) == n and other.number < question.number
        overtakes = not up and len(other.voters) == n - 1 and other.number > question.number
        if overtaken or overtakes:
            passed.add(other.participant)
    return passed


def ranks(qna: Qna, session: Session) -> dict[str, int]:
    """Question id → its place (1, 2, …) among the session's waiting questions, by votes."""
    waiting = [q for q in qna.of(session) if q.status is QuestionStatus.VISIBLE]
    return {q.id: place for place, q in enumerate(ranked(waiting), start=1)}


def place(qna: Qna, question: Question) -> int | None:
    """One question's place in :func:`ranks`, by counting who is ahead instead of sorting.

    An asker's card asks for one place; sorting the session for each of them,
    on every flush that re-rendered askers, was a third of an upvote's CPU
    (docs/benchmarks.md, "Upvotes").
    """
    if question.status is not QuestionStatus.VISIBLE:
        return None
    n, number = len(question.voters), question.number
    ahead = 0
    for other_id in qna.sessions[question.session].questions:
        other = qna.questions[other_id]
        if other.status is QuestionStatus.VISIBLE and other is not question:
            m = len(other.voters)
            if m > n or (m == n and other.number < number):
                ahead += 1
    return ahead + 1


def _apply_merge(qna: Qna, question: Question, into: str) -> set[str]:
    """The duplicate's voters join the target's: a set union, so nobody counts twice."""
    target = qna.questions.get(into)
    if (
        question.status is QuestionStatus.MERGED
        or target is None
        or target.id == question.id
        or target.session != question.session
        or target.status is QuestionStatus.MERGED
    ):
        return set()
    touched = question.voters | target.voters | _askers(qna, question.session)
    target.voters |= question.voters
    question.voters = set()
    question.status = QuestionStatus.MERGED
    question.merged_into = target.id
    question.starred = False
    return touched
