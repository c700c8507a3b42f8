"""Hypothesis strategies for scripts of commands of every activity, from a small cast.

A script is a fixed set-up (people, one poll of each kind, boards, a café,
actions), then drawn commands. Drawn ids come from small sets that the
set-up creates, and each command usually comes from the actor who may send
it, so that many commands are accepted and the state goes somewhere (from a
quarter to two fifths write events, depending on the activity;
``python -m tests.rooms.strategy_stats`` measures it). Others are refused on
purpose: the wrong actor, an unknown id, a bad value, a person not joined.

``steps`` is set-up plus drawn commands, ``more_steps`` drawn commands only
(for a script that continues another).

An activity without hand-written strategies here is still drawn: its
commands are built from their field types (:func:`derived_commands`), so a
new activity is in the property tests the moment it is in the registry. The
hand-written ones below go further (ids the set-up made, the right actor,
values near the limits); write some when the derived ones are mostly refused
(``python -m tests.rooms.strategy_stats`` shows it).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from hypothesis import strategies as st

from rooms.actions.domain import CreateAction, DeleteAction, JoinAction, LeaveAction, UndoAction
from rooms.activities import ACTIVITIES, SCREEN_OWNERS
from rooms.activity import Activity
from rooms.agenda import domain as agenda
from rooms.base import Actor, Role
from rooms.cafe import solver as cafe_solver
from rooms.cafe.domain import (
    CheckIn,
    CreateCafe,
    EndRound,
    ExtendRound,
    MovePerson,
    PauseRound,
    Replan,
    ResumeRound,
    SetHost,
    StartRound,
    TableSpec,
    WriteNote,
)
from rooms.ideas.domain import (
    AcceptProposal,
    ApproveIdea,
    AssignIdea,
    BoardMode,
    BoardSettings,
    CreateBoard,
    CreateCluster,
    DeleteCluster,
    DeleteIdea,
    DiscardProposal,
    EditIdea,
    HideIdea,
    MergeIdea,
    PostIdea,
    ProposeClusters,
    RenameCluster,
    ScreenView,
    ShowBoard,
    VoteDots,
)
from rooms.ideas.dots import DotsOn
from rooms.ideas.undo import UndoBoard
from rooms.lobby.domain import (
    CloseEvent,
    Join,
    Leave,
    OrganisationType,
    Rename,
    ReopenEvent,
    ShowOnScreen,
)
from rooms.polls.domain import (
    ClosePoll,
    CreatePoll,
    DeletePoll,
    DuplicatePoll,
    HideAnswer,
    HideWord,
    MovePoll,
    OpenPoll,
    PollKind,
    ResetPoll,
    SealPoll,
    UndoPoll,
    UpdatePoll,
    Vote,
)
from rooms.privacy.domain import EraseAll, EraseMe
from rooms.qna import domain as qna
from rooms.room import Command
from rooms.speakers import domain as speakers

Step = tuple[Actor, Command, str | None]

undo_seqs = st.integers(30, 80)
"""Log positions an undo names: now and then a remembered move (the set-up ends near 35)."""

PEOPLE = [f"p{i}" for i in range(7)]  # p0…p3 join in the set-up
POLLS = [f"p{n}" for n in range(1, 9)]  # p1…p6 made by the set-up, one per kind
BOARDS = ["b1", "b2", "b3", "b4"]
IDEAS = [f"i{n}" for n in range(1, 9)]  # i1…i5 posted in the set-up
CLUSTERS = ["c1", "c2", "c3", "c4"]
TABLES = ["t1", "t2", "t3", "t4"]
ACTIONS = ["a1", "a2", "a3"]
OPTIONS = ["o1", "o2", "o3", "o4"]

GUEST = Actor(Role.GUEST)
MODERATOR = Actor(Role.MODERATOR)

names = st.one_of(
    st.none(), st.sampled_from(["Ada", " Ben  Ott ", "", "x" * 41]), st.text(max_size=8)
)
orgs = st.one_of(st.none(), st.sampled_from(list(OrganisationType)))
cids = st.one_of(st.none(), st.sampled_from([f"c{i}" for i in range(30)]))
"""Client ids: sometimes absent; now and then one an actor used before (a resend)."""
texts = st.sampled_from(["Mehr Radwege", "Bürokratie abbauen", "Kita", "  ", "x" * 300])

SCREEN = Actor(Role.SCREEN)
ADMIN = Actor(Role.ADMIN)
PARTICIPANTS = [Actor(Role.PARTICIPANT, p) for p in PEOPLE]
EVERYONE = [GUEST, MODERATOR, SCREEN, ADMIN, *PARTICIPANTS]

guest = [GUEST]
moderator = [MODERATOR]
participant = PARTICIPANTS
anyone = st.sampled_from(EVERYONE)


def by(usual: list[Actor]) -> st.SearchStrategy[Actor]:
    """Mostly (9 in 10) the actor who may send a command; else anyone, to be refused."""
    return st.integers(0, 9).flatmap(lambda k: anyone if k == 0 else st.sampled_from(usual))


def _step(
    actor: list[Actor], command: st.SearchStrategy[Command]
) -> st.SearchStrategy[tuple[Actor, Command]]:
    return st.tuples(by(actor), command)


SOLVER_BUDGET = 300
"""Evaluated swaps per café plan in the property tests (the default is 20,000 and more).

A plan is written into its event, so replay, resends and snapshots do not
depend on how good it is; but a tiny café with unavoidable repeats spends
the whole default budget, about 0.1 s per plan, and the scripts plan often.
"""


@contextlib.contextmanager
def cheap_plans() -> Iterator[None]:
    """Run the café solver with :data:`SOLVER_BUDGET` unless a budget is given."""
    full = cafe_solver.solve

    def solve(
        problem: cafe_solver.Problem, seed: int, budget: int | None = None
    ) -> list[list[int]]:
        return full(problem, seed, SOLVER_BUDGET if budget is None else budget)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cafe_solver, "solve", solve)
        yield


# --- the set-up every script starts from ---------------------------------------


def setup() -> list[Step]:
    """People, one poll of each kind (open), three boards with cards and a cluster, a
    café, two actions: the ids the drawn commands refer to exist."""
    mod: list[Command] = [
        CreatePoll(kind=PollKind.SINGLE, question="Ja?", options=["Ja", "Nein", "Egal"]),
        CreatePoll(
            kind=PollKind.MULTIPLE, question="Was?", options=["A", "B", "C", "D"], max_choices=2
        ),
        CreatePoll(kind=PollKind.SCALE, question="Wie sehr?", scale_min=1, scale_max=5),
        CreatePoll(kind=PollKind.RANKING, question="Reihenfolge?", options=["A", "B", "C"]),
        CreatePoll(
            kind=PollKind.POINTS,
            question="Punkte?",
            options=["A", "B", "C"],
            budget=10,
            max_per_option=6,
            anonymous=False,
        ),
        CreatePoll(kind=PollKind.TEXT, question="Ein Wort?", hide_results=True),
        *[OpenPoll(p) for p in POLLS[:6]],
        CreateBoard(prompt="Ideen?", categories=["A", "B"]),
        CreateBoard(prompt="Sorgen?", mode=BoardMode.MODERATED, dots_on=DotsOn.IDEAS),
        CreateBoard(prompt="Verrückt?", mode=BoardMode.BLIND),
        BoardSettings(board="b1", dots_open=True),
        BoardSettings(board="b2", dots_open=True),
        CreateAction(title="Radweg", due="2027-05-01", source="c1"),
        CreateAction(title="Kita-Gruppe"),
    ]
    people: list[Step] = [
        (GUEST, Join("p0", "Ada", OrganisationType.BUSINESS), None),
        (GUEST, Join("p1", None, OrganisationType.UNION), None),
        (GUEST, Join("p2", "Cem", None), None),
        (GUEST, Join("p3", "Dora", OrganisationType.PUBLIC), None),
    ]
    cards: list[Step] = [
        (Actor(Role.PARTICIPANT, "p0"), PostIdea(board="b1", text="Radwege", category="A"), None),
        (Actor(Role.PARTICIPANT, "p1"), PostIdea(board="b1", text="Kitas", anonymous=True), None),
        (MODERATOR, PostIdea(board="b1", text="Solar"), None),
        (Actor(Role.PARTICIPANT, "p2"), PostIdea(board="b2", text="Lärm"), None),
        (Actor(Role.PARTICIPANT, "p3"), PostIdea(board="b3", text="Seilbahn"), None),
        (MODERATOR, CreateCluster(board="b1", name="Verkehr", ideas=["i1"]), None),
        (
            MODERATOR,
            CreateCafe(
                tables=[TableSpec("Arbeit"), TableSpec("Energie", 2), TableSpec("Wohnen")],
                rounds=3,
                round_minutes=10.0,
            ),
            None,
        ),
    ]
    return people + [(MODERATOR, c, None) for c in mod] + cards


# --- lobby ------------------------------------------------------------------------

# Every projector mode an activity registered (the Q&A, the speaker list, the agenda …),
# not only the lobby's own enum: the stage of each must follow what it shows.
screen_modes = st.sampled_from(sorted(str(mode) for mode in SCREEN_OWNERS))

lobby_commands = st.one_of(
    _step(guest, st.builds(Join, st.sampled_from(PEOPLE[3:]), names, orgs)),
    _step(participant, st.builds(Rename, names, orgs)),
    _step(participant, st.just(Leave())),
    _step(
        moderator,
        st.builds(ShowOnScreen, screen_modes, st.sampled_from([None, *POLLS[:7]])),
    ),
    _step(moderator, st.just(CloseEvent())),
    _step(moderator, st.just(ReopenEvent())),
)

# --- polls --------------------------------------------------------------------------

poll_ids = st.sampled_from(POLLS[:6] * 3 + POLLS[6:])
options = st.sampled_from(OPTIONS)


votes = st.one_of(
    st.builds(lambda p, c: Vote(poll=p, choice=c), st.sampled_from(["p1", "p1", "p7"]), options),
    st.builds(lambda c: Vote(poll="p2", choices=c), st.lists(options, min_size=1, max_size=3)),
    st.builds(lambda v: Vote(poll="p3", value=v), st.integers(0, 6)),
    st.builds(
        lambda r: Vote(poll="p4", ranking=r),
        st.permutations(["o1", "o2", "o3"]) | st.lists(options, max_size=3),
    ),
    st.builds(
        lambda pts: Vote(poll="p5", points=pts),
        st.dictionaries(st.sampled_from(OPTIONS[:3]), st.integers(0, 7), min_size=1, max_size=3),
    ),
    st.builds(lambda t: Vote(poll="p6", text=t), texts),
    st.builds(lambda p: Vote(poll=p, choice="o1"), poll_ids),  # any poll, a choice: often wrong
)


def _create_poll(kind: PollKind, question: str, labels: list[str], hide: bool) -> CreatePoll:
    return CreatePoll(kind=kind, question=question, options=labels, hide_results=hide)


def _update_poll(
    poll: str, kind: PollKind, question: str, labels: list[str], named: bool
) -> UpdatePoll:
    return UpdatePoll(poll=poll, kind=kind, question=question, options=labels, anonymous=not named)


kinds = st.sampled_from(list(PollKind))
questions = st.sampled_from(["Noch eine Frage?", "", "Wie geht es weiter?"])
labels = st.lists(st.sampled_from(["Ja", "Nein", "Egal", " "]), max_size=4)

poll_commands = st.one_of(
    _step(participant, votes),
    _step(participant, votes),
    _step(participant, votes),
    _step(moderator, st.builds(_create_poll, kinds, questions, labels, st.booleans())),
    _step(moderator, st.builds(_update_poll, poll_ids, kinds, questions, labels, st.booleans())),
    _step(moderator, st.builds(DuplicatePoll, poll_ids)),
    _step(moderator, st.builds(MovePoll, poll_ids, st.integers(-1, 9))),
    _step(moderator, st.builds(DeletePoll, poll_ids)),
    _step(moderator, st.builds(OpenPoll, poll_ids)),
    _step(moderator, st.builds(ClosePoll, poll_ids)),
    _step(moderator, st.builds(ResetPoll, poll_ids)),
    _step(moderator, st.builds(UndoPoll, undo_seqs)),
    _step(moderator, st.builds(SealPoll, st.sampled_from(["p2", "p6", "p7"]))),
    _step(
        moderator,
        st.builds(
            HideAnswer, st.sampled_from(["p6", "p6", "p1"]), st.integers(1, 4), st.booleans()
        ),
    ),
    _step(
        moderator,
        st.builds(
            HideWord,
            st.sampled_from(["p6", "p6", "p2"]),
            st.sampled_from(["radwege", "Kita", " ", "bürokratie"]),
            st.booleans(),
        ),
    ),
)

# --- café -----------------------------------------------------------------------------

tables = st.sampled_from(TABLES[:3] * 3 + TABLES[3:])
table_specs = st.lists(
    st.builds(
        TableSpec,
        st.sampled_from(["Arbeit", "Energie", "Wohnen", " "]),
        st.sampled_from([None, None, 1, 2]),
        st.sampled_from([None, "green", "no-colour"]),
    ),
    min_size=1,
    max_size=4,
)

cafe_commands = st.one_of(
    _step(
        moderator,
        st.builds(
            lambda specs, rounds, apart: CreateCafe(
                tables=specs, rounds=rounds, round_minutes=10.0, keep_apart=apart
            ),
            table_specs,
            st.integers(1, 4),
            st.sampled_from([[], [["p0", "p1"]], [["Ada", "nobody"]]]),
        ),
    ),
    _step(moderator, st.builds(StartRound, st.sampled_from([None, PEOPLE[:3]]))),
    _step(moderator, st.just(StartRound())),
    _step(moderator, st.just(StartRound())),
    _step(moderator, st.just(EndRound())),
    _step(moderator, st.just(PauseRound())),
    _step(moderator, st.just(ResumeRound())),
    _step(moderator, st.builds(ExtendRound, st.sampled_from([1.0, 5.0, 0.0, 200.0]))),
    _step(moderator, st.builds(Replan, st.booleans(), st.sampled_from([None, PEOPLE[:2]]))),
    _step(moderator, st.builds(SetHost, tables, st.one_of(st.none(), st.sampled_from(PEOPLE)))),
    _step(
        moderator,
        st.builds(
            MovePerson, st.sampled_from(PEOPLE), tables, st.sampled_from([None, None, 1, 2, 3])
        ),
    ),
    _step(
        moderator + participant,
        st.builds(
            WriteNote,
            tables,
            st.sampled_from(["Notiz", "", "n" * 2001]),
            st.none() | st.integers(0, 4),  # the round the phone's form showed
        ),
    ),
    _step(participant, st.builds(CheckIn, tables)),
)

# --- idea boards --------------------------------------------------------------------------

boards = st.sampled_from(BOARDS[:3] * 3 + BOARDS[3:])
ideas = st.sampled_from(IDEAS)
clusters = st.sampled_from(["c1", "c1", *CLUSTERS[1:]])
maybe = st.one_of(st.none(), st.booleans())

ideas_commands = st.one_of(
    _step(
        participant * 2 + moderator,
        st.builds(
            lambda b, t, c, a: PostIdea(board=b, text=t, category=c, anonymous=a),
            boards,
            texts,
            st.sampled_from([None, None, "A", "Z"]),
            st.booleans(),
        ),
    ),
    _step(
        participant + moderator,
        st.builds(lambda i, t: EditIdea(idea=i, text=t), ideas, texts),
    ),
    _step(participant, st.builds(DeleteIdea, ideas)),
    _step(moderator, st.builds(HideIdea, ideas, st.booleans())),
    _step(moderator, st.builds(ApproveIdea, ideas)),
    _step(moderator, st.builds(MergeIdea, ideas, ideas)),
    _step(
        moderator,
        st.builds(
            lambda b, n, ids: CreateCluster(board=b, name=n, ideas=ids),
            boards,
            st.sampled_from(["Verkehr", "", "k" * 61]),
            st.lists(ideas, max_size=3),
        ),
    ),
    _step(moderator, st.builds(RenameCluster, clusters, st.sampled_from(["Neu", "Verkehr"]))),
    _step(moderator, st.builds(DeleteCluster, clusters)),
    _step(
        moderator,
        st.builds(
            lambda i, c, pos: AssignIdea(idea=i, cluster=c, position=pos),
            ideas,
            st.one_of(st.none(), clusters),
            st.one_of(st.none(), st.integers(-1, 4)),
        ),
    ),
    _step(
        moderator,
        st.builds(
            lambda b, groups: ProposeClusters(board=b, groups=groups, names=["Vorschlag"]),
            boards,
            st.lists(st.lists(ideas, min_size=1, max_size=3), min_size=1, max_size=2),
        ),
    ),
    _step(moderator, st.builds(AcceptProposal, boards)),
    _step(moderator, st.builds(DiscardProposal, boards)),
    _step(moderator, st.builds(UndoBoard, undo_seqs)),
    _step(
        moderator,
        st.builds(
            lambda b, lk, rv, pb, do, k: BoardSettings(
                board=b, locked=lk, revealed=rv, published=pb, dots_open=do, dots=k
            ),
            boards,
            maybe,
            maybe,
            maybe,
            maybe,
            st.sampled_from([None, None, 3, 0]),
        ),
    ),
    _step(
        moderator,
        st.builds(
            lambda b, v: ShowBoard(board=b, view=v), boards, st.sampled_from(list(ScreenView))
        ),
    ),
    _step(
        moderator,
        st.builds(
            lambda p, m, on: CreateBoard(prompt=p, mode=m, dots_on=on),
            st.sampled_from(["Noch ein Board?", ""]),
            st.sampled_from(list(BoardMode)),
            st.sampled_from(list(DotsOn)),
        ),
    ),
    _step(
        participant,
        st.builds(
            VoteDots,
            boards,
            st.dictionaries(
                st.sampled_from(CLUSTERS[:2] + IDEAS[:5]), st.integers(0, 4), max_size=3
            ),
        ),
    ),
)

# --- actions ----------------------------------------------------------------------------

action_ids = st.sampled_from(ACTIONS)

action_commands = st.one_of(
    _step(
        moderator,
        st.builds(
            lambda t, d, s: CreateAction(title=t, due=d, source=s),
            st.sampled_from(["Radweg", "Kita", " "]),
            st.sampled_from([None, "2027-01-31", "2027-02-30", "bald"]),
            st.sampled_from([None, "c1", "i2"]),
        ),
    ),
    _step(moderator, st.builds(DeleteAction, action_ids)),
    _step(moderator, st.builds(UndoAction, undo_seqs)),
    _step(
        participant,
        st.builds(
            lambda a, n, c, ok: JoinAction(action=a, name=n, contact=c, consent=ok),
            action_ids,
            st.sampled_from(["Ada", "Ben", " "]),
            st.sampled_from([None, "ada@example.org", "0171 555"]),
            st.sampled_from([True, True, True, False]),
        ),
    ),
    _step(participant, st.builds(LeaveAction, action_ids)),
)

# --- privacy ------------------------------------------------------------------------------

privacy_commands = st.one_of(
    _step(participant, st.just(EraseMe())),
    _step([MODERATOR, ADMIN], st.just(EraseAll())),
)

# --- Q&A and the speaker list ---------------------------------------------------------

sessions = st.sampled_from(["s1", "s1", "s2"])
questions = st.sampled_from(["q1", "q2", "q3", "q4"])
entries = st.sampled_from(["e1", "e2", "e3", "e4"])

qna_commands = st.one_of(
    _step(
        moderator,
        st.builds(
            lambda t, m: qna.CreateQna(title=t, mode=m),
            st.sampled_from(["Input 1", "", "Input 2"]),
            st.sampled_from(list(qna.QnaMode)),
        ),
    ),
    _step(moderator, st.builds(qna.CloseQna, sessions)),
    _step(moderator, st.builds(qna.ReopenQna, sessions)),
    _step(
        participant,
        st.builds(
            lambda s, t, a: qna.AskQuestion(session=s, text=t, anonymous=a),
            sessions,
            texts,
            st.booleans(),
        ),
    ),
    _step(participant, st.builds(qna.Upvote, questions)),
    _step(participant, st.builds(qna.Upvote, questions)),
    _step(participant, st.builds(qna.Unvote, questions)),
    _step(moderator, st.builds(qna.ApproveQuestion, questions)),
    _step(moderator, st.builds(qna.HideQuestion, questions)),
    _step(moderator, st.builds(qna.RestoreQuestion, questions)),
    _step(moderator, st.builds(qna.EditQuestion, questions, texts)),
    _step(moderator, st.builds(qna.MergeQuestion, questions, questions)),
    _step(moderator, st.builds(qna.StarQuestion, questions, st.booleans())),
    _step(moderator, st.builds(qna.LiveQuestion, questions)),
    _step(moderator, st.builds(qna.AnswerQuestion, questions)),
    _step(moderator, st.builds(qna.ArchiveQuestion, questions)),
)

speaker_commands = st.one_of(
    _step(
        participant,
        st.builds(
            lambda s, d: speakers.RequestToSpeak(subject=s, direct=d),
            st.sampled_from(["", "Zur Finanzierung", "x" * 81]),
            st.booleans(),
        ),
    ),
    _step(participant, st.just(speakers.Withdraw())),
    _step(
        moderator,
        st.builds(
            lambda n, o: speakers.AddSpeaker(name=n, organisation_type=o),
            st.sampled_from(["Frau Keller", "frau keller", " "]),
            orgs,
        ),
    ),
    _step(moderator, st.builds(speakers.MoveSpeaker, entries, st.integers(-1, 4))),
    _step(moderator, st.just(speakers.NextSpeaker())),
    _step(moderator, st.just(speakers.NextSpeaker())),
    _step(moderator, st.builds(speakers.RemoveSpeaker, entries)),
    _step(moderator, st.builds(speakers.AllowDirect, entries)),
    _step(moderator, st.sampled_from([speakers.PauseTimer(), speakers.ResumeTimer()])),
    _step(
        moderator,
        st.builds(
            lambda sec, alt: speakers.SpeakerSettings(seconds=sec, alternate=alt),
            st.sampled_from([0, 60, 120, -1]),
            st.sampled_from(list(speakers.Alternate)),
        ),
    ),
    _step(moderator, st.sampled_from([speakers.CloseSpeakers(), speakers.OpenSpeakers()])),
)

phases = st.sampled_from(["a1", "a1", "a2", "a3", "a4"])

add_phase = _step(
    moderator,
    st.builds(
        lambda t, m, a, pos: agenda.AddPhase(title=t, minutes=m, activities=a, position=pos),
        st.sampled_from(["Begrüßung", "Kritikphase", "Fantasie", "Abschluss", "", "x" * 121]),
        st.sampled_from([10, 20, 30, 1, 0]),
        st.sampled_from([[], ["board:b1"], ["poll:p1", "qna:s1"], ["actions"], ["nonsense"]]),
        st.sampled_from([None, None, None, 0, 1]),
    ),
)
"""A phase, sometimes a bad one (refused)."""

good_phase = _step(
    moderator,
    st.builds(
        lambda t, m, a, auto: agenda.AddPhase(title=t, minutes=m, activities=a, auto_polls=auto),
        st.sampled_from(["Kritikphase", "Fantasiephase", "Verwirklichung"]),
        st.sampled_from([5, 15, 30]),
        st.sampled_from(
            [[], ["board:b1"], ["cafe", "speakers"], ["poll:p1"], ["poll:p1", "poll:p2"]]
        ),
        st.sampled_from(list(agenda.AutoPolls)),
    ),
)
"""A phase that is accepted: drawn often, since every other agenda command needs phases."""

agenda_commands = st.one_of(
    add_phase,
    good_phase,
    _step(
        moderator,
        st.builds(
            lambda p, m: agenda.UpdatePhase(phase=p, minutes=m),
            phases,
            st.sampled_from([5, 30, -1]),
        ),
    ),
    _step(
        moderator,
        st.builds(
            lambda p, auto: agenda.UpdatePhase(phase=p, auto_polls=auto),
            phases,
            st.sampled_from(list(agenda.AutoPolls)),
        ),
    ),
    _step(
        moderator,
        st.builds(lambda p, to: agenda.MovePhase(phase=p, to=to), phases, st.integers(-1, 4)),
    ),
    _step(moderator, st.builds(lambda p: agenda.RemovePhase(phase=p), phases)),
    _step(moderator, st.builds(lambda p: agenda.StartPhase(phase=p), phases)),
    _step(
        moderator, st.sampled_from([agenda.NextPhase(), agenda.NextPhase(), agenda.PreviousPhase()])
    ),
    _step(
        moderator, st.builds(lambda m: agenda.ExtendPhase(minutes=m), st.sampled_from([5, -3, 0]))
    ),
    _step(moderator, st.sampled_from([agenda.PausePhase(), agenda.ResumePhase()])),
    _step(
        moderator,
        st.builds(
            lambda b, p, n: agenda.Carry(from_board=b, to_phase=p, top=n),
            st.sampled_from(["b1", "b1", *BOARDS]),
            phases,
            st.sampled_from([1, 3, 0]),
        ),
    ),
    _step(
        moderator,
        st.builds(lambda a, b: agenda.BoardsFromPrompts(from_phase=a, to_phase=b), phases, phases),
    ),
    _step(
        moderator,
        st.builds(
            lambda p, image: agenda.SetImage(phase=p, image=image),
            phases,
            st.sampled_from(["", "0123456789abcdef0123456789abcdef.png", "../x.png"]),
        ),
    ),
    _step(
        moderator,
        st.builds(
            lambda p, k, t: agenda.EditPrompt(phase=p, prompt=k, text=t),
            phases,
            st.sampled_from(["k1", "k2"]),
            texts,
        ),
    ),
)

# --- any other activity: drawn from its command types -----------------------------

DERIVED_IDS = sorted({*PEOPLE, *POLLS[:2], *BOARDS[:2], *IDEAS[:2], *TABLES[:2], *ACTIONS[:2]})
"""Strings a derived command draws: ids the set-up made (people, polls, boards …)."""


def derived_value(info: msgspec.inspect.Type) -> st.SearchStrategy[Any]:
    """Plausible values of a field's type, a little beyond its bounds now and then.

    Raises TypeError for a type it cannot draw, so that a new activity whose
    command has one gets a clear message (and writes its strategies by hand).
    """
    t = msgspec.inspect
    if isinstance(info, t.BoolType):
        return st.booleans()
    if isinstance(info, t.IntType):
        low = -1 if info.ge is None else info.ge - 1
        return st.integers(low, max(low + 2, 6 if info.le is None else info.le + 1))
    if isinstance(info, t.FloatType):
        return st.floats(-1, 6, allow_nan=False)
    if isinstance(info, t.StrType):
        return st.one_of(st.sampled_from(DERIVED_IDS), texts)
    if isinstance(info, t.EnumType):
        return st.sampled_from([member.value for member in info.cls])
    if isinstance(info, t.LiteralType):
        return st.sampled_from(list(info.values))
    if isinstance(info, t.NoneType):
        return st.none()
    if isinstance(info, t.UnionType):
        return st.one_of([derived_value(member) for member in info.types])
    if isinstance(info, t.ListType | t.SetType | t.FrozenSetType | t.VarTupleType):
        return st.lists(derived_value(info.item_type), max_size=3)
    if isinstance(info, t.DictType):
        keys, values = derived_value(info.key_type), derived_value(info.value_type)
        return st.dictionaries(keys, values, max_size=3)
    if isinstance(info, t.StructType):
        return derived_struct(info)
    raise TypeError(f"no derived strategy for a field of type {info!r}")


def derived_struct(info: msgspec.inspect.StructType) -> st.SearchStrategy[Any]:
    """One Struct of this type: every required field drawn, each optional one sometimes."""
    fields = {f.encode_name: derived_value(f.type) for f in info.fields if f.required}
    optional = {f.encode_name: derived_value(f.type) for f in info.fields if not f.required}
    return st.fixed_dictionaries(fields, optional=optional).map(
        lambda values: msgspec.convert(values, info.cls)
    )


def derived_commands(activity: Activity) -> st.SearchStrategy[tuple[Actor, Command]]:
    """Any of the activity's commands, from a participant or the moderator (now and then
    anyone else): enough for replay, resends and snapshots to cover a new activity."""
    drawn: list[st.SearchStrategy[Any]] = []
    for command in activity.commands:
        info = msgspec.inspect.type_info(command)
        assert isinstance(info, msgspec.inspect.StructType)
        drawn.append(derived_struct(info))
    return _step([*participant, MODERATOR], st.one_of(drawn))


DRAWN_BY_HAND = {
    "lobby": lobby_commands,
    "polls": poll_commands,
    "ideas": ideas_commands,
    "actions": action_commands,
    "cafe": cafe_commands,
    "qna": qna_commands,
    "speakers": speaker_commands,
    "agenda": agenda_commands,
    "privacy": privacy_commands,
}
"""The activities whose drawn commands are written by hand above."""

ACTIVITY_COMMANDS = {
    a.name: DRAWN_BY_HAND[a.name] if a.name in DRAWN_BY_HAND else derived_commands(a)
    for a in ACTIVITIES
    if a.commands
}
"""The drawn commands of each activity in the registry: by hand, else derived."""

WEIGHTS = {
    "lobby": 3,
    "polls": 4,
    "ideas": 5,
    "actions": 2,
    "cafe": 4,
    "qna": 4,
    "speakers": 3,
    "agenda": 4,
    "privacy": 1,
}
"""How often each activity's commands are drawn (2 unless listed): erasing everyone's
data closes the event, so it comes rarely; boards have the most commands."""

commands = st.sampled_from(
    [name for name in ACTIVITY_COMMANDS for _ in range(WEIGHTS.get(name, 2))]
).flatmap(lambda name: ACTIVITY_COMMANDS[name])

more_steps: st.SearchStrategy[list[Step]] = st.lists(
    st.builds(lambda step, cid: (step[0], step[1], cid), commands, cids),
    min_size=8,  # Hypothesis's lists average min_size + 5 otherwise: too short to go far
    max_size=40,
)

steps: st.SearchStrategy[list[Step]] = more_steps.map(lambda drawn: setup() + drawn)
