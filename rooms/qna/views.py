"""What each audience sees of the Q&A: counts of votes, never the voters.

Phones and the screen see the questions that are visible, live or answered,
ranked by votes. The console sees every question, pending and hidden ones
too, with the edit log. A participant's own questions and votes are their
personal view (``MyQna``), so the shared list is rendered once for everyone.
"""

from __future__ import annotations

import msgspec

from rooms.qna.domain import (
    SHOWN,
    Edit,
    Qna,
    Question,
    QuestionStatus,
    Session,
    live_question,
    place,
    ranked,
    stage_session,
    votes,
)


class QuestionView(msgspec.Struct, frozen=True, omit_defaults=True):
    id: str
    text: str
    name: str | None
    votes: int
    status: str
    at: int
    starred: bool = False
    merged_into: str | None = None  # moderator only
    edits: list[Edit] | None = None  # moderator only


class SessionView(msgspec.Struct, frozen=True, omit_defaults=True):
    """One Q&A session, its questions ranked by votes (ties: the older first)."""

    id: str
    title: str
    mode: str
    open: bool
    questions: list[QuestionView]
    speaker: str | None = None
    waiting: int = 0  # visible, not yet answered
    pending: int = 0  # moderator only: waiting for approval
    on_stage: bool = False  # the session the screen shows
    live: str | None = None  # the id of the question "jetzt dran"


class MyQuestion(msgspec.Struct, frozen=True):
    """One of my questions: its text (pending ones are in no shared view) and its place."""

    id: str
    session: str
    text: str
    status: str
    rank: int | None  # among the waiting questions, by votes
    merged_into: str | None


class MyQna(msgspec.Struct, frozen=True):
    """My questions (pending ones too, which no shared view shows) and what I upvoted."""

    asked: list[MyQuestion]
    voted: list[str]


def question_view(q: Question, moderator: bool) -> QuestionView:
    return QuestionView(
        id=q.id,
        text=q.text,
        name=q.name,
        votes=votes(q),
        status=q.status.value,
        at=q.at,
        starred=q.starred,
        merged_into=q.merged_into if moderator else None,
        edits=(q.edits or None) if moderator else None,
    )


def session_view(qna: Qna, session: Session, audience: str, stage: bool) -> SessionView:
    moderator = audience == "moderator"
    questions = [q for q in qna.of(session) if moderator or q.status in SHOWN]
    live = live_question(qna, session)
    return SessionView(
        id=session.id,
        title=session.title,
        mode=session.mode.value,
        open=session.open,
        speaker=session.speaker,
        questions=[question_view(q, moderator) for q in ranked(questions)],
        waiting=sum(1 for q in questions if q.status is QuestionStatus.VISIBLE),
        pending=(
            sum(1 for q in questions if q.status is QuestionStatus.PENDING) if moderator else 0
        ),
        on_stage=stage,
        live=live.id if live else None,
    )


def qna_views(qna: Qna, audience: str) -> list[SessionView]:
    stage = stage_session(qna)
    return [session_view(qna, s, audience, s is stage) for s in qna.in_order()]


def my_qna(qna: Qna, participant: str) -> MyQna:
    mine = [q for q in qna.questions.values() if q.participant == participant]
    asked = [
        MyQuestion(q.id, q.session, q.text, q.status.value, place(qna, q), q.merged_into)
        for q in mine
    ]
    voted = [q.id for q in qna.questions.values() if participant in q.voters]
    return MyQna(asked, voted)
