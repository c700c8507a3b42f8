"""Sorting cards under headings: who may ask, which cards count, and what accepting does."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from rooms.base import Rejected
from rooms.ideas.domain import (
    AcceptProposal,
    AssignIdea,
    BoardMode,
    CreateCluster,
    DeleteCluster,
    DiscardProposal,
    HideIdea,
    IdeaStatus,
    PostIdea,
    ProposeClusters,
    placed,
)
from rooms.ideas.sort import ClusterJob, SortCards, SuggestClusters, job_for
from rooms.room import replay
from tests.rooms.test_ideas import MOD, PEOPLE, do, person, post, room


def test_only_moderators_ask_and_only_loose_public_cards_count() -> None:
    state, log = room(BoardMode.MODERATED)
    ids = [post(state, log, "p0", f"Karte {n}") for n in range(4)]
    boards = state.ideas
    assert job_for(boards, person("p0"), SuggestClusters("b1")) == Rejected("not_allowed")
    assert job_for(boards, MOD, SuggestClusters("b9")) == Rejected("board_not_found")
    # all four wait in the moderation queue: nothing to cluster yet
    assert job_for(boards, MOD, SuggestClusters("b1")) == Rejected("nothing_to_cluster")
    for i in ids[:3]:
        assert do(state, log, MOD, HideIdea(i, hidden=False)).ok  # approve by un-hiding
    assert do(state, log, MOD, HideIdea(ids[1])).ok
    assert job_for(boards, MOD, SortCards("b1")) == Rejected("no_headings")
    assert do(state, log, MOD, CreateCluster(board="b1", name="")).ok  # nameless, empty
    assert job_for(boards, MOD, SortCards("b1")) == Rejected("no_headings")
    assert do(state, log, MOD, CreateCluster(board="b1", name="Energie", ideas=[ids[2]])).ok
    assert do(state, log, MOD, CreateCluster(board="b1", name="", ideas=[ids[1]])).ok
    job = job_for(boards, MOD, SortCards("b1"))
    assert isinstance(job, ClusterJob) and job.sort
    assert [c.id for c in job.cards] == [ids[0]]  # not the hidden, queued or placed ones
    # the nameless cluster holds only a hidden card: it says nothing, and shows no text
    assert [(h.cluster, h.name, h.cards) for h in job.headings] == [("c2", "Energie", ["Karte 2"])]


def test_sorted_cards_go_under_their_heading_and_unsure_ones_stay_loose() -> None:
    state, log = room()
    ids = [post(state, log, f"p{n % 4}", f"Karte {n}") for n in range(5)]
    board = state.ideas.by_id["b1"]
    assert do(state, log, MOD, CreateCluster(board="b1", name="Energie", ideas=[ids[0]])).ok
    assert do(state, log, MOD, CreateCluster(board="b1", name="Verkehr")).ok
    sort = ProposeClusters(
        board="b1",
        groups=[[ids[1], ids[2]], [ids[3]]],
        targets=["c1", "c2"],
        confidence={ids[1]: 91, ids[2]: 55, ids[3]: 140, ids[4]: 30},
        unsure=[ids[4]],
    )
    assert do(state, log, MOD, sort).ok
    assert board.proposal is not None
    assert board.proposal.confidence == {ids[1]: 91, ids[2]: 55, ids[3]: 100, ids[4]: 30}
    twice = ProposeClusters(board="b1", groups=[[ids[1]], [ids[2]]], targets=["c1", "c1"])
    assert do(state, log, MOD, twice).reason == "proposal_invalid"
    gone = ProposeClusters(board="b1", groups=[[ids[1]]], targets=["c9"])
    assert do(state, log, MOD, gone).reason == "proposal_invalid"
    # the moderator corrects the least certain card by hand: it leaves the proposal
    assert do(state, log, MOD, AssignIdea(idea=ids[2], cluster="c2")).ok
    assert board.proposal.groups == [[ids[1]], [ids[3]]]
    assert ids[2] not in board.proposal.confidence
    assert do(state, log, MOD, AcceptProposal("b1")).ok
    assert board.clusters["c1"].ideas == [ids[0], ids[1]]
    assert board.clusters["c2"].ideas == [ids[2], ids[3]]
    assert board.loose == [ids[4]] and len(board.clusters) == 2
    assert replay(log) == state


def test_a_heading_deleted_before_accepting_leaves_its_cards_loose() -> None:
    state, log = room()
    ids = [post(state, log, "p0", f"Karte {n}") for n in range(2)]
    assert do(state, log, MOD, CreateCluster(board="b1", name="Energie")).ok
    sort = ProposeClusters(board="b1", groups=[ids], targets=["c1"])
    assert do(state, log, MOD, sort).ok
    assert do(state, log, MOD, DeleteCluster("c1")).ok
    assert do(state, log, MOD, AcceptProposal("b1")).ok
    board = state.ideas.by_id["b1"]
    assert board.loose == ids and not board.clusters


def test_hiding_a_card_takes_it_out_of_the_proposal() -> None:
    state, log = room()
    ids = [post(state, log, "p0", f"Karte {n}") for n in range(2)]
    assert do(state, log, MOD, ProposeClusters(board="b1", groups=[ids], names=["A"])).ok
    assert do(state, log, MOD, HideIdea(ids[0])).ok
    board = state.ideas.by_id["b1"]
    assert board.proposal is not None and board.proposal.groups == [[ids[1]]]
    assert do(state, log, MOD, AcceptProposal("b1")).ok
    assert board.loose == [ids[0]]


# --- properties ---------------------------------------------------------------

ideas_ = st.sampled_from([f"i{n}" for n in range(1, 9)])
clusters_ = st.sampled_from(["c1", "c2", "c3"])
who = st.sampled_from(PEOPLE)

ops = st.one_of(
    st.builds(lambda p, t: (person(p), PostIdea(board="b1", text=t)), who, st.sampled_from("abc")),
    st.builds(lambda i, h: (MOD, HideIdea(i, h)), ideas_, st.booleans()),
    st.builds(
        lambda ids: (MOD, CreateCluster(board="b1", name="k", ideas=ids)),
        st.lists(ideas_, max_size=3),
    ),
    st.builds(lambda c: (MOD, DeleteCluster(c)), clusters_),
    st.builds(
        lambda i, c: (MOD, AssignIdea(idea=i, cluster=c)), ideas_, st.one_of(st.none(), clusters_)
    ),
    st.builds(
        lambda gs, ts, un, conf: (
            MOD,
            ProposeClusters(board="b1", groups=gs, targets=ts, unsure=un, confidence=conf),
        ),
        st.lists(st.lists(ideas_, max_size=3), max_size=3),
        st.lists(st.one_of(st.none(), clusters_), max_size=3),
        st.lists(ideas_, max_size=2),
        st.dictionaries(ideas_, st.integers(-5, 120), max_size=4),
    ),
    st.just((MOD, AcceptProposal("b1"))),
    st.just((MOD, DiscardProposal("b1"))),
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(list(BoardMode)), st.lists(ops, max_size=40))
def test_hand_placed_cards_never_move_and_hidden_cards_are_never_proposed(
    mode: BoardMode, steps: list[Any]
) -> None:
    state, log = room(mode)
    for actor, command in steps:
        board = state.ideas.by_id["b1"]
        before = {i: c.cluster for i, c in board.ideas.items() if c.cluster is not None}
        do(state, log, actor, command)
        if isinstance(command, AcceptProposal):
            # accepting moves loose cards only: a card already in a cluster stays there
            assert all(board.ideas[i].cluster == c for i, c in before.items() if i in board.ideas)
        assert sorted(placed(board)) == sorted(board.ideas), "every card in exactly one place"
        if board.proposal is not None:
            proposed = [i for g in board.proposal.groups for i in g] + board.proposal.unsure
            assert len(proposed) == len(set(proposed)), "a card in at most one proposed group"
            for i in proposed:
                assert i in board.loose
                assert board.ideas[i].status is IdeaStatus.PUBLIC
            assert all(0 <= c <= 100 for c in board.proposal.confidence.values())
            assert set(board.proposal.confidence) <= set(proposed)
    assert replay(log) == state
