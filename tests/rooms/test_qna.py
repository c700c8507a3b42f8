"""Q&A: asking, upvotes against a plain reference model, moderation, merges."""

from __future__ import annotations

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from rooms.activities import Limits
from rooms.base import Actor, Role
from rooms.lobby.domain import CloseEvent, Join
from rooms.qna.domain import (
    AnswerQuestion,
    ApproveQuestion,
    ArchiveQuestion,
    AskQuestion,
    CloseQna,
    CreateQna,
    EditQuestion,
    HideQuestion,
    LiveQuestion,
    MergeQuestion,
    QnaMode,
    Question,
    QuestionStatus,
    ReopenQna,
    RestoreQuestion,
    SortOrder,
    StarQuestion,
    Unvote,
    Upvote,
    ranked,
    ranks,
)
from rooms.qna.limits import QnaLimits
from rooms.qna.views import my_qna, qna_views
from rooms.room import Command, Envelope, RoomState, handle, replay
from tests.rooms.helpers import T0, new_room

MOD = Actor(Role.MODERATOR)
PEOPLE = [f"p{i}" for i in range(5)]


def who(pid: str) -> Actor:
    return Actor(Role.PARTICIPANT, pid)


class Room:
    """A room with five participants; each step at a later time."""

    def __init__(self) -> None:
        self.state, self.log = new_room()
        self.clock = T0
        for pid in PEOPLE:
            self.do(Actor(Role.GUEST), Join(pid, f"Name {pid}"))

    def do(self, actor: Actor, command: Command, cid: str | None = None) -> object:
        self.clock += 1000
        handled = handle(self.state, command, actor, cid, self.clock)
        self.log.extend(handled.envelopes)
        return handled

    def ok(self, actor: Actor, command: Command) -> str | None:
        handled = self.do(actor, command)
        assert getattr(handled, "ok", False), getattr(handled, "reason", None)
        return getattr(handled, "id", None)

    def refused(self, actor: Actor, command: Command) -> str | None:
        handled = self.do(actor, command)
        assert not getattr(handled, "ok", True)
        return getattr(handled, "reason", None)

    def q(self, question: str) -> Question:
        return self.state.qna.questions[question]


def session(room: Room, mode: QnaMode = QnaMode.OPEN) -> str:
    sid = room.ok(MOD, CreateQna(title="Input 1: Wasserstoff", mode=mode, speaker="Dr. Roth"))
    assert sid is not None
    return sid


def ask(room: Room, sid: str, pid: str, text: str = "Wer zahlt das?", anon: bool = False) -> str:
    qid = room.ok(who(pid), AskQuestion(session=sid, text=text, anonymous=anon))
    assert qid is not None
    return qid


def test_an_open_session_shows_a_question_at_once_with_the_name_or_anonymously() -> None:
    room = Room()
    sid = session(room)
    named = ask(room, sid, "p0")
    anon = ask(room, sid, "p1", "Und die Netze?", anon=True)
    shown = qna_views(room.state.qna, "participant")[0]
    assert [(q.id, q.name, q.status) for q in shown.questions] == [
        (named, "Name p0", "visible"),
        (anon, None, "visible"),
    ]
    assert shown.speaker == "Dr. Roth" and shown.waiting == 2


def test_question_length_and_closed_sessions_are_refused_with_reasons() -> None:
    room = Room()
    sid = session(room)
    assert room.refused(who("p0"), AskQuestion(session=sid, text="x" * 281)) == (
        "question_text_too_long"
    )
    assert room.refused(who("p0"), AskQuestion(session=sid, text="   ")) == "question_text_missing"
    ask(room, sid, "p0", "y" * 280)
    room.ok(MOD, CloseQna(sid))
    assert room.refused(who("p0"), AskQuestion(session=sid, text="spät")) == "qna_closed"
    room.ok(MOD, ReopenQna(sid))
    ask(room, sid, "p0", "wieder offen")
    assert room.refused(who("p0"), CreateQna(title="x")) == "not_allowed"


def test_a_moderated_session_keeps_questions_from_phones_until_approved() -> None:
    room = Room()
    sid = session(room, QnaMode.MODERATED)
    qid = ask(room, sid, "p0")
    assert qna_views(room.state.qna, "participant")[0].questions == []
    assert qna_views(room.state.qna, "screen")[0].questions == []
    console = qna_views(room.state.qna, "moderator")[0]
    assert [q.status for q in console.questions] == ["pending"] and console.pending == 1
    assert my_qna(room.state.qna, "p0").asked[0].status == "pending"
    assert room.refused(who("p1"), Upvote(qid)) == "question_not_found"
    room.ok(MOD, ApproveQuestion(qid))
    assert [q.id for q in qna_views(room.state.qna, "participant")[0].questions] == [qid]


def test_upvote_once_take_it_back_and_refusals_on_hidden_and_merged() -> None:
    room = Room()
    sid = session(room)
    a, b = ask(room, sid, "p0"), ask(room, sid, "p1", "Doppelt?")
    room.ok(who("p2"), Upvote(a))
    room.ok(who("p2"), Upvote(a))  # again: nothing changes
    assert len(room.q(a).voters) == 1
    room.ok(who("p2"), Unvote(a))
    assert len(room.q(a).voters) == 0
    room.ok(MOD, HideQuestion(a))
    assert room.refused(who("p3"), Upvote(a)) == "question_hidden"
    room.ok(MOD, RestoreQuestion(a))
    room.ok(MOD, MergeQuestion(b, a))
    assert room.refused(who("p3"), Upvote(b)) == "question_merged"
    assert room.refused(who("p3"), Unvote(b)) == "question_merged"


def test_merging_adds_the_votes_and_nobody_counts_twice() -> None:
    room = Room()
    sid = session(room)
    a, b = ask(room, sid, "p0"), ask(room, sid, "p1", "Wer bezahlt das eigentlich?")
    for pid in ("p2", "p3"):
        room.ok(who(pid), Upvote(a))
    for pid in ("p3", "p4"):
        room.ok(who(pid), Upvote(b))
    room.ok(MOD, MergeQuestion(b, a))
    assert room.q(a).voters == {"p2", "p3", "p4"}
    assert room.q(b).status is QuestionStatus.MERGED and room.q(b).merged_into == a
    assert room.refused(MOD, MergeQuestion(a, a)) == "question_merge_invalid"
    views = qna_views(room.state.qna, "moderator")[0]
    assert {q.id: q.votes for q in views.questions} == {a: 3, b: 0}
    assert my_qna(room.state.qna, "p3").voted == [a]


def test_sorting_by_votes_ties_by_age_or_newest() -> None:
    room = Room()
    sid = session(room)
    first, second, third = (ask(room, sid, p, f"Frage {p}") for p in ("p0", "p1", "p2"))
    room.ok(who("p4"), Upvote(third))
    shown = qna_views(room.state.qna, "screen")[0].questions
    assert [q.id for q in shown] == [third, first, second]
    qs = list(room.state.qna.questions.values())
    assert [q.id for q in ranked(qs, SortOrder.NEWEST)] == [third, second, first]
    assert my_qna(room.state.qna, "p1").asked[0].rank == 3


def test_jetzt_dran_then_answered_and_the_asker_sees_it() -> None:
    room = Room()
    sid = session(room)
    a, b = ask(room, sid, "p0"), ask(room, sid, "p1", "Zweite Frage")
    handled = room.do(MOD, LiveQuestion(a))
    assert room.q(a).status is QuestionStatus.LIVE
    assert room.state.lobby.screen == "qna"  # the follow-up took the projector
    assert getattr(handled, "touched", set()) >= {"p0"}
    assert my_qna(room.state.qna, "p0").asked[0].status == "live"
    assert qna_views(room.state.qna, "screen")[0].live == a
    room.ok(MOD, LiveQuestion(b))  # the one before is answered
    assert room.q(a).status is QuestionStatus.ANSWERED
    room.ok(MOD, AnswerQuestion(b))
    assert room.q(b).status is QuestionStatus.ANSWERED
    assert room.refused(who("p2"), Upvote(b)) == "question_done"
    assert room.refused(MOD, LiveQuestion(b)) == "question_not_visible"
    room.ok(MOD, ArchiveQuestion(b))
    assert [q.id for q in qna_views(room.state.qna, "screen")[0].questions] == [a]


def test_edit_is_logged_and_star_is_kept() -> None:
    room = Room()
    sid = session(room)
    a = ask(room, sid, "p0", "Wer zalht das?")
    room.ok(MOD, EditQuestion(a, "Wer zahlt das?"))
    room.ok(MOD, StarQuestion(a))
    q = room.q(a)
    assert q.text == "Wer zahlt das?" and q.starred
    assert [(e.before, e.after) for e in q.edits] == [("Wer zalht das?", "Wer zahlt das?")]
    console = qna_views(room.state.qna, "moderator")[0].questions[0]
    assert console.edits is not None and len(console.edits) == 1
    public = qna_views(room.state.qna, "screen")[0].questions[0]
    assert public.edits is None
    assert room.refused(MOD, EditQuestion(a, "z" * 300)) == "question_text_too_long"


def test_no_view_names_an_upvoter_or_an_anonymous_asker() -> None:
    room = Room()
    sid = session(room)
    a = ask(room, sid, "p0", "Anonym?", anon=True)
    room.ok(who("p3"), Upvote(a))
    for audience in ("screen", "participant", "moderator"):
        raw = msgspec.json.encode(qna_views(room.state.qna, audience)).decode()
        assert "p3" not in raw and "p0" not in raw and "Name p0" not in raw


def test_limits_per_person_come_from_the_context() -> None:
    state, _log = new_room()
    limits = Limits(qna=QnaLimits(questions_per_person=1))
    handle(state, Join("p0", "A"), Actor(Role.GUEST), None, T0, limits)
    sid = handle(state, CreateQna(title="S"), MOD, None, T0, limits).id
    assert sid is not None
    assert handle(state, AskQuestion(session=sid, text="1"), who("p0"), None, T0, limits).ok
    again = handle(state, AskQuestion(session=sid, text="2"), who("p0"), None, T0, limits)
    assert again.reason == "too_many_questions"


def test_a_closed_event_takes_no_more_questions_or_votes() -> None:
    room = Room()
    sid = session(room)
    a = ask(room, sid, "p0")
    room.ok(MOD, CloseEvent())
    assert room.refused(who("p1"), Upvote(a)) == "event_closed"


# --- property: votes against a plain reference model --------------------------

QUESTIONS = [f"q{i}" for i in range(1, 5)]
person = st.sampled_from(PEOPLE)
qid = st.sampled_from(QUESTIONS)
step = st.one_of(
    st.tuples(st.just("ask"), person, st.booleans()),
    st.tuples(st.just("up"), person, qid),
    st.tuples(st.just("un"), person, qid),
    st.tuples(st.just("merge"), qid, qid),
    st.tuples(st.just("hide"), qid, st.just("")),
    st.tuples(st.just("restore"), qid, st.just("")),
    st.tuples(st.just("resend"), person, qid),
)


class Model:
    """The plain reference: sets of voters, a status per question, merges unite sets."""

    def __init__(self) -> None:
        self.voters: dict[str, set[str]] = {}
        self.status: dict[str, str] = {}
        self.sent: set[tuple[str, object]] = set()  # resent cids: only the first counts

    def run(self, kind: str, a: str, b: object) -> None:
        if kind == "ask":
            q = f"q{len(self.voters) + 1}"
            self.voters[q], self.status[q] = set(), "visible"
        elif kind == "resend" and (a, b) in self.sent:
            return
        elif kind in ("up", "resend"):
            if self.status.get(str(b)) not in ("visible", "hidden", "merged"):
                return  # refused as not found: the cid is not remembered
            if kind == "resend":
                self.sent.add((a, b))
            if self.status.get(str(b)) == "visible":
                self.voters[str(b)].add(a)
        elif kind == "un" and self.status.get(str(b)) == "visible":
            self.voters[str(b)].discard(a)
        elif kind == "merge":
            ok = a != b and self.status.get(a) not in (None, "merged")
            if ok and self.status.get(str(b)) not in (None, "merged"):
                self.voters[str(b)] |= self.voters[a]
                self.voters[a], self.status[a] = set(), "merged"
        elif kind == "hide" and self.status.get(a) == "visible":
            self.status[a] = "hidden"
        elif kind == "restore" and self.status.get(a) == "hidden":
            self.status[a] = "visible"


@settings(max_examples=200, deadline=None)
@given(st.lists(step, max_size=40))
def test_vote_counts_equal_a_plain_reference_model(script: list[tuple[str, str, object]]) -> None:
    room = Room()
    sid = session(room)
    model = Model()
    for i, (kind, a, b) in enumerate(script):
        model.run(kind, a, b)
        if kind == "ask":
            room.do(who(a), AskQuestion(session=sid, text=f"Frage von {a}", anonymous=bool(b)))
        elif kind == "up":
            room.do(who(a), Upvote(str(b)), cid=f"up-{i}")
        elif kind == "resend":  # the same cid again: answered with the first outcome
            room.do(who(a), Upvote(str(b)), cid=f"resend-{b}")
        elif kind == "un":
            room.do(who(a), Unvote(str(b)))
        elif kind == "merge":
            room.do(MOD, MergeQuestion(a, str(b)))
        elif kind == "hide":
            room.do(MOD, HideQuestion(a))
        else:
            room.do(MOD, RestoreQuestion(a))
    actual = {q.id: set(q.voters) for q in room.state.qna.questions.values()}
    assert actual == model.voters
    assert {q.id: q.status.value for q in room.state.qna.questions.values()} == model.status
    views = {q.id: q.votes for q in qna_views(room.state.qna, "moderator")[0].questions}
    assert views == {q: len(v) for q, v in model.voters.items()}
    # an asker's place, counted for one question, is its place in the sorted session
    sorted_places = ranks(room.state.qna, room.state.qna.sessions[sid])
    for p in PEOPLE:
        for mine in my_qna(room.state.qna, p).asked:
            assert mine.rank == sorted_places.get(mine.id)
    # one vote per person per question, also across merges: sets, and a merged one is empty
    assert all(not v for q, v in actual.items() if model.status[q] == "merged")
    assert msgspec.to_builtins(replay(room.log)) == msgspec.to_builtins(room.state)


@settings(max_examples=100, deadline=None)
@given(st.lists(step, max_size=30), st.randoms(use_true_random=False))
def test_a_duplicated_log_entry_never_counts_a_vote_twice(
    script: list[tuple[str, str, object]], rnd: object
) -> None:
    """Two workers may append the same upvote; applying it again changes nothing."""
    room = Room()
    sid = session(room)
    for kind, a, b in script:
        if kind == "ask":
            room.do(who(a), AskQuestion(session=sid, text="?"))
        elif kind in ("up", "resend"):
            room.do(who(a), Upvote(str(b)))
        elif kind == "merge":
            room.do(MOD, MergeQuestion(a, str(b)))
    doubled: list[Envelope] = []
    for e in room.log:
        doubled.append(msgspec.structs.replace(e, seq=len(doubled) + 1))
        if e.event.__class__.__name__ == "QuestionUpvoted":
            doubled.append(msgspec.structs.replace(e, seq=len(doubled) + 1, cid=None))
    again: RoomState = replay(doubled)
    assert {q.id: q.voters for q in again.qna.questions.values()} == {
        q.id: q.voters for q in room.state.qna.questions.values()
    }
