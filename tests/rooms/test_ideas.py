"""Idea boards, clusters, dots and actions: the rules, and the invariants under any sequence."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rooms import views
from rooms.actions.domain import CreateAction, JoinAction, LeaveAction
from rooms.base import Actor, Rejected, Role
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
    VoteDots,
    placed,
)
from rooms.ideas.dots import DotsOn
from rooms.lobby.domain import Join, Leave
from rooms.room import Envelope, Handled, RoomState, apply, decide, handle, replay
from tests.rooms.helpers import T0, new_room

MOD = Actor(Role.MODERATOR)
PEOPLE = [f"p{i}" for i in range(4)]


def person(pid: str) -> Actor:
    return Actor(Role.PARTICIPANT, pid)


def room(mode: BoardMode = BoardMode.OPEN, **board: Any) -> tuple[RoomState, list[Envelope]]:
    state, log = new_room()
    for pid in PEOPLE:
        log += handle(state, Join(pid, pid.upper(), None), Actor(Role.GUEST), None, T0).envelopes
    made = handle(
        state, CreateBoard(prompt="Was hemmt Innovation?", mode=mode, **board), MOD, None, T0
    )
    assert made.ok and made.id == "b1", made.reason
    log += made.envelopes
    return state, log


def do(
    state: RoomState, log: list[Envelope], actor: Actor, command: Any, cid: str | None = None
) -> Handled:
    handled = handle(state, command, actor, cid, T0 + len(log))
    log += handled.envelopes
    return handled


def post(state: RoomState, log: list[Envelope], pid: str, text: str, **kw: Any) -> str:
    handled = do(state, log, person(pid), PostIdea(board="b1", text=text, **kw))
    assert handled.ok, handled.reason
    assert handled.id is not None
    return handled.id


def public_ids(state: RoomState, audience: str = "screen") -> set[str]:
    """Every card id a public view names anywhere: cards, clusters, loose list, ranking."""
    pub = views.public_view(state, 0, audience)
    out: set[str] = set()
    for b in pub.boards:
        out |= {c.id for c in b.ideas} | set(b.loose)
        for cl in b.clusters:
            out |= set(cl.ideas)
        out |= {r.item for r in b.dots.ranking if r.item.startswith("i")}
    return out


# --- collect ------------------------------------------------------------------


def test_post_edit_delete_own_cards_until_locked() -> None:
    state, log = room(categories=["Energie", "Verkehr"])
    i1 = post(state, log, "p0", "  Glasfaser   fehlt ", category="Energie")
    card = state.ideas.by_id["b1"].ideas[i1]
    assert (card.text, card.name, card.category) == ("Glasfaser fehlt", "P0", "Energie")
    anon = post(state, log, "p1", "Busse zu selten", anonymous=True)
    assert state.ideas.by_id["b1"].ideas[anon].name is None
    assert do(state, log, person("p1"), EditIdea(idea=i1, text="x")).reason == "not_your_idea"
    assert do(state, log, person("p0"), PostIdea(board="b1", text="a" * 281)).reason == (
        "idea_too_long"
    )
    assert do(state, log, person("p0"), PostIdea(board="b1", text="a", category="Nope")).reason == (
        "category_unknown"
    )
    assert do(state, log, person("p0"), EditIdea(idea=i1, text="Glasfaser fehlt!")).ok
    assert not state.ideas.by_id["b1"].ideas[i1].edits  # one's own edit is not a moderator fix
    assert do(state, log, MOD, BoardSettings(board="b1", locked=True)).ok
    assert do(state, log, person("p0"), EditIdea(idea=i1, text="y")).reason == "board_locked"
    assert do(state, log, person("p0"), DeleteIdea(i1)).reason == "board_locked"
    assert do(state, log, person("p0"), PostIdea(board="b1", text="z")).reason == "board_locked"
    assert do(state, log, MOD, BoardSettings(board="b1", locked=False)).ok
    assert do(state, log, person("p0"), DeleteIdea(i1)).ok
    assert i1 not in state.ideas.by_id["b1"].ideas
    assert replay(log) == state


def test_moderator_fix_is_logged_and_shown_as_edited() -> None:
    state, log = room()
    i1 = post(state, log, "p0", "Fachkräfte felhen")
    assert do(state, log, MOD, EditIdea(idea=i1, text="Fachkräfte fehlen")).ok
    card = state.ideas.by_id["b1"].ideas[i1]
    assert [(e.before, e.after) for e in card.edits] == [("Fachkräfte felhen", "Fachkräfte fehlen")]
    screen = views.public_view(state, 0).boards[0].ideas[0]
    assert screen.edited and screen.edits is None  # the log is the moderator's
    console = views.moderator_view(state, frozenset()).boards[0].ideas[0]
    assert console.edits is not None and console.edits[0].before == "Fachkräfte felhen"


def test_blind_board_shows_own_cards_only_until_reveal() -> None:
    state, log = room(BoardMode.BLIND)
    i1 = post(state, log, "p0", "Strom zu teuer")
    assert public_ids(state) == set() and public_ids(state, "participant") == set()
    mine = views.participant_view(state, "p0", 0).me
    assert mine is not None and [c.id for c in mine.ideas.ideas["b1"]] == [i1]
    other = views.participant_view(state, "p1", 0).me
    assert other is not None and other.ideas.ideas == {}
    assert views.public_view(state, 0).boards[0].count == 1  # the count is not secret
    assert do(state, log, MOD, BoardSettings(board="b1", revealed=True)).ok
    assert public_ids(state) == {i1}


def test_moderated_board_queues_until_approved_and_hide_restores() -> None:
    state, log = room(BoardMode.MODERATED)
    i1 = post(state, log, "p0", "Mehr Radwege")
    assert public_ids(state) == set()
    assert views.moderator_view(state, frozenset()).boards[0].queue == 1
    assert views.public_view(state, 0, "screen").boards[0].queue == 0  # moderators' business
    assert views.public_view(state, 0, "participant").boards[0].queue == 0
    assert do(state, log, MOD, ApproveIdea(i1)).ok
    assert public_ids(state) == {i1}
    assert do(state, log, MOD, HideIdea(i1)).ok
    assert public_ids(state) == set()
    assert do(state, log, MOD, HideIdea(i1, hidden=False)).ok
    assert public_ids(state) == {i1}
    assert do(state, log, person("p0"), HideIdea(i1)).reason == "not_allowed"


def test_merge_keeps_the_duplicate_text_with_the_survivor() -> None:
    state, log = room()
    a = post(state, log, "p0", "Bürokratie abbauen")
    b = post(state, log, "p1", "Weniger Bürokratie")
    assert do(state, log, MOD, MergeIdea(b, a)).ok
    board = state.ideas.by_id["b1"]
    assert b not in board.ideas and board.ideas[a].merged == ["Weniger Bürokratie"]
    assert views.public_view(state, 0).boards[0].ideas[0].merged == 1
    assert do(state, log, MOD, MergeIdea(a, a)).reason == "merge_invalid"


# --- cluster ------------------------------------------------------------------


def test_clusters_assign_rename_delete_and_proposals() -> None:
    state, log = room()
    ids = [post(state, log, f"p{n % 4}", f"Karte {n}") for n in range(6)]
    made = do(state, log, MOD, CreateCluster(board="b1", name="Energie", ideas=ids[:2]))
    assert made.ok and made.id == "c1"
    board = state.ideas.by_id["b1"]
    assert board.clusters["c1"].ideas == ids[:2] and board.loose == ids[2:]
    assert do(state, log, MOD, AssignIdea(idea=ids[2], cluster="c1", position=0)).ok
    assert board.clusters["c1"].ideas == [ids[2], *ids[:2]]
    assert do(state, log, MOD, RenameCluster("c1", "Energie & Klima")).ok
    assert do(state, log, MOD, AssignIdea(idea=ids[0], cluster="c9")).reason == "cluster_not_found"
    assert do(state, log, MOD, ProposeClusters(board="b1", groups=[[ids[0]]])).reason == (
        "nothing_to_cluster"  # only loose cards can be suggested
    )
    twice = ProposeClusters(board="b1", groups=[[ids[3]], [ids[3]]])
    assert do(state, log, MOD, twice).reason == "proposal_invalid"
    proposed = ProposeClusters(board="b1", groups=[ids[3:5], [ids[5]]], names=["A", "B"])
    assert do(state, log, MOD, proposed).ok
    assert do(state, log, MOD, DiscardProposal("b1")).ok and board.proposal is None
    assert do(state, log, MOD, proposed).ok
    assert do(state, log, MOD, AcceptProposal("b1")).ok
    assert [c.name for c in board.clusters.values()] == ["Energie & Klima", "A", "B"]
    assert board.loose == []
    assert do(state, log, MOD, DeleteCluster("c1")).ok
    assert sorted(board.loose) == sorted([ids[2], *ids[:2]])
    assert replay(log) == state


def test_phones_see_clusters_only_once_published() -> None:
    state, log = room()
    i1 = post(state, log, "p0", "Karte")
    do(state, log, MOD, CreateCluster(board="b1", name="Thema", ideas=[i1]))
    assert views.participant_view(state, "p0", 0).boards[0].clusters == []
    assert views.public_view(state, 0).boards[0].clusters[0].ideas == [i1]
    do(state, log, MOD, BoardSettings(board="b1", published=True))
    assert views.participant_view(state, "p0", 0).boards[0].clusters[0].name == "Thema"


# --- dots -------------------------------------------------------------------


def test_dots_budget_per_item_max_one_ballot_and_ties() -> None:
    state, log = room(dots=3, dots_per_item=2, dots_on=DotsOn.IDEAS)
    a, b, c = (post(state, log, "p0", t) for t in ("A", "B", "C"))
    assert do(state, log, person("p1"), VoteDots("b1", {a: 1})).reason == "dots_closed"
    do(state, log, MOD, BoardSettings(board="b1", dots_open=True))
    assert do(state, log, person("p1"), VoteDots("b1", {a: 2, b: 2})).reason == "dots_over_budget"
    assert do(state, log, person("p1"), VoteDots("b1", {a: 3})).reason == "dots_over_max"
    assert do(state, log, person("p1"), VoteDots("b1", {"i99": 1})).reason == "dots_invalid_item"
    assert do(state, log, person("p1"), VoteDots("b1", {a: 2, b: 1}), cid="v1").ok
    # a resend changes nothing; a new ballot replaces the old one
    assert do(state, log, person("p1"), VoteDots("b1", {a: 1}), cid="v1").ok
    assert state.ideas.by_id["b1"].ballots["p1"] == {a: 2, b: 1}
    assert do(state, log, person("p1"), VoteDots("b1", {b: 2, c: 1})).ok
    assert do(state, log, person("p2"), VoteDots("b1", {a: 2})).ok
    ranked = views.public_view(state, 0).boards[0].dots.ranking
    assert [(r.item, r.points, r.rank) for r in ranked] == [(a, 2, 1), (b, 2, 1), (c, 1, 3)]
    assert do(state, log, MOD, VoteDots("b1", {a: 1})).reason == "not_allowed"


# --- actions ----------------------------------------------------------------


def test_actions_join_needs_consent_and_contacts_stay_with_the_moderator() -> None:
    state, log = room()
    made = do(state, log, MOD, CreateAction(title="Azubi-Bus", owner="Landkreis", due="2027-03-01"))
    assert made.ok and made.id == "a1"
    assert do(state, log, MOD, CreateAction(title="x", due="bald")).reason == "due_invalid"
    assert do(state, log, MOD, CreateAction(title="x", due="2026-02-30")).reason == "due_invalid"
    join = JoinAction(action="a1", name="Eva", contact="eva@example.org")
    assert do(state, log, person("p0"), join).reason == "consent_missing"
    assert do(state, log, person("p0"), msgspec.structs.replace(join, consent=True)).ok
    assert do(state, log, person("p1"), JoinAction(action="a1", name="Jo", consent=True)).ok
    pub = msgspec.json.encode(views.public_view(state, 0))
    phone = msgspec.json.encode(views.participant_view(state, "p0", 0))
    assert b"eva@example.org" not in pub and b"eva@example.org" not in phone
    assert views.public_view(state, 0).actions[0].joined == 2
    members = views.moderator_view(state, frozenset()).actions[0].members
    assert members is not None and [(m.name, m.contact) for m in members] == [
        ("Eva", "eva@example.org"),
        ("Jo", None),
    ]
    assert do(state, log, person("p0"), LeaveAction("a1")).ok
    assert views.public_view(state, 0).actions[0].joined == 1
    assert do(state, log, person("p0"), CreateAction(title="x")).reason == "not_allowed"


# --- properties ---------------------------------------------------------------

ideas_ = st.sampled_from([f"i{n}" for n in range(1, 9)])
clusters_ = st.sampled_from(["c1", "c2", "c3"])
who = st.sampled_from(PEOPLE)

card_ops = st.one_of(
    st.builds(lambda p, t: (person(p), PostIdea(board="b1", text=t)), who, st.sampled_from("abc")),
    st.builds(lambda p, i: (person(p), DeleteIdea(i)), who, ideas_),
    st.builds(lambda p, i: (person(p), EditIdea(idea=i, text="e")), who, ideas_),
    st.builds(lambda i, h: (MOD, HideIdea(i, h)), ideas_, st.booleans()),
    st.builds(lambda i: (MOD, ApproveIdea(i)), ideas_),
    st.builds(lambda i, j: (MOD, MergeIdea(i, j)), ideas_, ideas_),
    st.builds(
        lambda ids: (MOD, CreateCluster(board="b1", name="k", ideas=ids)),
        st.lists(ideas_, max_size=3),
    ),
    st.builds(lambda c: (MOD, DeleteCluster(c)), clusters_),
    st.builds(
        lambda i, c, pos: (MOD, AssignIdea(idea=i, cluster=c, position=pos)),
        ideas_,
        st.one_of(st.none(), clusters_),
        st.one_of(st.none(), st.integers(-2, 5)),
    ),
    st.builds(
        lambda gs: (MOD, ProposeClusters(board="b1", groups=gs, names=["x"])),
        st.lists(st.lists(ideas_, max_size=3), max_size=3),
    ),
    st.just((MOD, AcceptProposal("b1"))),
    st.just((MOD, DiscardProposal("b1"))),
    st.builds(
        lambda r, p, lk: (MOD, BoardSettings(board="b1", revealed=r, published=p, locked=lk)),
        st.booleans(),
        st.booleans(),
        st.booleans(),
    ),
    st.builds(
        lambda p, pts: (person(p), VoteDots("b1", pts)),
        who,
        st.dictionaries(st.one_of(ideas_, clusters_), st.integers(0, 3), max_size=3),
    ),
)


def check_places(state: RoomState) -> None:
    for board in state.ideas.by_id.values():
        where = placed(board)
        assert sorted(where) == sorted(board.ideas), "every card in exactly one place"
        for cid, cluster in board.clusters.items():
            assert all(board.ideas[i].cluster == cid for i in cluster.ideas)
        assert all(board.ideas[i].cluster is None for i in board.loose)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(list(BoardMode)), st.lists(card_ops, max_size=40))
def test_every_card_in_exactly_one_place_and_hidden_cards_stay_private(
    mode: BoardMode, ops: list[Any]
) -> None:
    state, log = room(mode)
    for actor, command in ops:
        do(state, log, actor, command)
        check_places(state)
        board = state.ideas.by_id["b1"]
        private = {i for i, c in board.ideas.items() if c.status.value != "public"}
        if mode is BoardMode.BLIND and not board.revealed:
            private = set(board.ideas)
        for audience in ("screen", "participant"):
            assert not private & public_ids(state, audience)
        texts = {board.ideas[i].text for i in private} - {
            board.ideas[i].text for i in set(board.ideas) - private
        }
        wire = msgspec.json.encode(views.public_view(state, 0)).decode()
        assert not any(f'"text":"{t}"' in wire for t in texts)
    assert replay(log) == state


dot_ops = st.one_of(
    st.builds(
        lambda p, pts: (person(p), VoteDots("b1", pts)),
        who,
        st.dictionaries(st.sampled_from(["i1", "i2", "i3", "i4"]), st.integers(0, 4), max_size=4),
    ),
    st.builds(
        lambda k, m, o: (MOD, BoardSettings(board="b1", dots=k, dots_per_item=m, dots_open=o)),
        st.integers(1, 5),
        st.integers(1, 5),
        st.booleans(),
    ),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(dot_ops, st.integers(0, 5)), max_size=30), st.randoms())
def test_dot_budgets_hold_whatever_the_interleaving(ops: list[Any], rnd: Any) -> None:
    """Commands are decided against stale states (as on other workers) and then
    appended in a shuffled order; ``apply`` must still keep every ballot in budget."""
    state, log = room(dots=4, dots_per_item=2, dots_on=DotsOn.IDEAS)
    for n in range(4):
        post(state, log, PEOPLE[n], f"Karte {n}")
    do(state, log, MOD, BoardSettings(board="b1", dots_open=True))
    base = len(log)
    decided: list[Any] = []
    for (actor, command), lag in ops:
        # decide against an older state, as a worker that has not seen the latest entries
        stale = replay(log[: max(base, len(log) - lag)])
        outcome = decide(stale, command, actor, T0)
        if isinstance(outcome, Rejected):
            continue
        decided.extend((actor, e) for e in outcome.events)
        do(state, log, actor, command)
    state = replay(log[:base])
    rnd.shuffle(decided)
    for actor, event in decided:
        apply(state, Envelope(state.seq + 1, T0, actor.key, None, event))
        board = state.ideas.by_id["b1"]
        for ballot in board.ballots.values():
            assert sum(ballot.values()) <= board.dots.per_person
            assert all(0 < v <= board.dots.per_item for v in ballot.values())


@pytest.mark.parametrize("audience", ["screen", "participant", "moderator"])
def test_views_encode(audience: str) -> None:
    state, log = room()
    post(state, log, "p0", "Karte")
    view: Any = (
        views.moderator_view(state, frozenset())
        if audience == "moderator"
        else views.public_view(state, 0, audience)
    )
    assert msgspec.json.decode(msgspec.json.encode(view))["boards"][0]["prompt"]


def test_leaving_the_event_removes_names_and_sign_ups_from_every_view() -> None:
    state, log = room()
    i1 = post(state, log, "p0", "Mehr Radwege")
    do(state, log, MOD, CreateAction(title="Radweg"))
    do(state, log, person("p0"), JoinAction(action="a1", name="P0", contact="x@y.z", consent=True))
    assert views.public_view(state, 0).boards[0].ideas[0].name == "P0"
    assert do(state, log, person("p0"), Leave()).ok
    assert views.public_view(state, 0).boards[0].ideas[0].id == i1
    assert views.public_view(state, 0).boards[0].ideas[0].name is None
    moderator = views.moderator_view(state, frozenset())
    assert moderator.actions[0].joined == 0 and moderator.actions[0].members == []
