"""Undo (rooms/undo.py): do, then undo, gives back the room as it was; replay agrees.

Each undoable move (deleting a draft poll, resetting a poll, deleting an
action, a drag, deleting a cluster, accepting a suggestion) is drawn after a
drawn prefix of commands of the three activities, so the move meets votes,
dots, hidden cards, pending suggestions and earlier moves.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from rooms.actions.domain import ActionRestored, DeleteAction, UndoAction
from rooms.base import Actor, Role
from rooms.ideas.domain import (
    AcceptProposal,
    AssignIdea,
    CreateCluster,
    DeleteCluster,
    ProposeClusters,
    RenameCluster,
    VoteDots,
)
from rooms.ideas.undo import BoardRestored, UndoBoard
from rooms.polls.domain import CreatePoll, DeletePoll, PollRestored, ResetPoll, UndoPoll, Vote
from rooms.room import Command, RoomState, replay
from tests.rooms.golden.views import golden_views
from tests.rooms.helpers import ballot_of, new_room, run
from tests.rooms.strategies import (
    ACTIONS,
    IDEAS,
    PEOPLE,
    action_commands,
    cheap_plans,
    ideas_commands,
    poll_commands,
    setup,
)

MODERATOR = Actor(Role.MODERATOR)
UNDO_FIELDS = {"poll_undo", "ideas_undo", "action_undo"}
Step = tuple[Actor, Command, str | None]


@pytest.fixture(autouse=True, scope="module")
def _cheap_plans() -> Iterator[None]:
    with cheap_plans():
        yield


def _without_history(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_history(v) for k, v in value.items() if k not in UNDO_FIELDS}
    if isinstance(value, list):
        return [_without_history(v) for v in value]
    return value


def views(state: RoomState) -> Any:
    """Every projection (screen, console, phones, everyone's own part) minus the history."""
    return _without_history(golden_views(state, tuple(PEOPLE), tuple(PEOPLE), "p0"))


def plain(state: RoomState) -> Any:
    return msgspec.to_builtins(state)


UNDO_OF = {"poll": UndoPoll, "action": UndoAction, "ideas": UndoBoard}


def _as_moderator(*commands: Command) -> list[Step]:
    return [(MODERATOR, c, None) for c in commands]


votes = st.lists(
    st.builds(
        lambda who, choice: (Actor(Role.PARTICIPANT, who), Vote(poll="p1", choice=choice), None),
        st.sampled_from(PEOPLE[:4]),
        st.sampled_from(["o1", "o2", "o3"]),
    ),
    max_size=4,
)
a_cluster = _as_moderator(CreateCluster(board="b1", name="Neu", ideas=["i2"]))
cards = st.sampled_from(["i1", "i2", "i3", "i3", *IDEAS[3:]])

moves = st.one_of(
    st.builds(lambda p: ("poll", [], DeletePoll(p)), st.sampled_from(["p7", "p8", "p1"])),
    st.builds(lambda v: ("poll", v, ResetPoll("p1")), votes),
    st.builds(lambda p: ("poll", [], ResetPoll(p)), st.sampled_from(["p2", "p5", "p6"])),
    st.builds(lambda a: ("action", [], DeleteAction(a)), st.sampled_from(ACTIONS)),
    st.builds(
        lambda prep, i, c, pos: ("ideas", prep, AssignIdea(idea=i, cluster=c, position=pos)),
        st.sampled_from([[], a_cluster]),
        cards,
        st.sampled_from([None, "c1", "c1", "c2"]),
        st.one_of(st.none(), st.integers(0, 3)),
    ),
    st.builds(
        lambda prep, dots, c: ("ideas", prep + dots, DeleteCluster(c)),
        st.sampled_from([[], a_cluster]),
        st.lists(
            st.builds(
                lambda who, pts: (Actor(Role.PARTICIPANT, who), VoteDots("b1", pts), None),
                st.sampled_from(PEOPLE[:4]),
                st.dictionaries(st.sampled_from(["c1", "c2", "i3"]), st.integers(0, 3)),
            ),
            max_size=3,
        ),
        st.sampled_from(["c1", "c1", "c2", "c3"]),
    ),
    st.builds(
        lambda b, groups, names: (
            "ideas",
            _as_moderator(ProposeClusters(board=b, groups=groups, names=names)),
            AcceptProposal(b),
        ),
        st.sampled_from(["b1", "b1", "b2"]),
        st.lists(st.lists(cards, min_size=1, max_size=3), min_size=1, max_size=3),
        st.lists(st.sampled_from(["Verkehr", "Neu", ""]), max_size=3),
    ),
)

drafts: list[Step] = [
    (MODERATOR, CreatePoll(question="Entwurf eins?", options=["Ja", "Nein"]), None),
    (MODERATOR, CreatePoll(question="Entwurf zwei?", options=["A", "B"]), None),
]
prefixes = st.lists(
    st.one_of(poll_commands, ideas_commands, action_commands).map(lambda s: (s[0], s[1], None)),
    max_size=25,
)


@settings(max_examples=200, deadline=None)
@given(prefixes, moves)
def test_undo_gives_back_the_room_as_it_was(prefix: list[Step], move: Any) -> None:
    kind, preparation, command = move
    state, log = new_room()
    run(state, log, setup() + drafts + prefix)
    run(state, log, preparation)
    before = views(state)
    [done] = run(state, log, [(MODERATOR, command, None)])
    history = {u["seq"] for u in views_with_history(state)}
    if not done.envelopes or done.envelopes[-1].seq not in history:
        return  # refused, or it changed nothing: nothing to undo
    event(f"undone: {type(command).__name__}")
    [undone] = run(state, log, [(MODERATOR, UNDO_OF[kind](done.envelopes[-1].seq), None)])
    assert undone.ok and len(undone.envelopes) == 1, undone
    assert isinstance(undone.envelopes[0].event, PollRestored | ActionRestored | BoardRestored)
    assert views(state) == before
    assert plain(replay(log)) == plain(state)
    # The same move cannot be undone twice.
    [again] = run(state, log, [(MODERATOR, UNDO_OF[kind](done.envelopes[-1].seq), None)])
    assert again.reason == "undo_gone"


def views_with_history(state: RoomState) -> list[dict[str, Any]]:
    view = golden_views(state, tuple(PEOPLE), tuple(PEOPLE), "p0")["moderator"]
    return [*view["poll_undo"], *view["ideas_undo"], *view["action_undo"]]


def _setup_room() -> tuple[RoomState, list[Any]]:
    state, log = new_room()
    run(state, log, setup() + drafts)
    return state, log


def test_a_reset_is_not_undone_once_people_voted_again() -> None:
    state, log = _setup_room()
    voter = Actor(Role.PARTICIPANT, "p0")
    run(state, log, [(voter, Vote(poll="p1", choice="o1"), None)])
    [reset] = run(state, log, [(MODERATOR, ResetPoll("p1"), None)])
    run(state, log, [(voter, Vote(poll="p1", choice="o2"), None)])
    [undo] = run(state, log, [(MODERATOR, UndoPoll(reset.envelopes[0].seq), None)])
    assert undo.reason == "undo_votes_since"
    new = ballot_of(state, "p1", "p0")
    assert new is not None and new.choice == "o2"  # the new vote stays
    [entry] = [u for u in views_with_history(state) if u["seq"] == reset.envelopes[0].seq]
    assert (entry["what"], entry["blocked"]) == ("poll_reset", "undo_votes_since")


def test_board_moves_are_undone_newest_first() -> None:
    state, log = _setup_room()
    [first] = run(state, log, [(MODERATOR, AssignIdea(idea="i2", cluster="c1"), None)])
    [second] = run(state, log, [(MODERATOR, RenameCluster("c1", "Mobilität"), None)])
    assert second.envelopes
    [undo] = run(state, log, [(MODERATOR, UndoBoard(first.envelopes[0].seq), None)])
    assert undo.reason == "undo_board_changed"
    assert state.ideas.by_id["b1"].clusters["c1"].ideas == ["i1", "i2"]
    run(state, log, [(MODERATOR, RenameCluster("c1", "Verkehr"), None)])
    [undo] = run(state, log, [(MODERATOR, UndoBoard(first.envelopes[0].seq), None)])
    assert undo.ok and undo.envelopes
    assert state.ideas.by_id["b1"].clusters["c1"].ideas == ["i1"]


def test_only_the_moderator_undoes_and_only_the_last_five_moves() -> None:
    state, log = _setup_room()
    seqs: list[int] = []
    for poll in ["o1", "o2", "o3", "o1", "o2", "o3"]:
        run(state, log, [(Actor(Role.PARTICIPANT, "p0"), Vote(poll="p1", choice=poll), None)])
        [reset] = run(state, log, [(MODERATOR, ResetPoll("p1"), None)])
        seqs.extend(e.seq for e in reset.envelopes)
    polls = [u for u in views_with_history(state) if u["type"] == "poll.undo"]
    assert [u["seq"] for u in polls] == seqs[::-1][:5]
    [refused] = run(state, log, [(Actor(Role.PARTICIPANT, "p0"), UndoPoll(seqs[-1]), None)])
    assert refused.reason == "not_allowed"
    assert run(state, log, [(MODERATOR, UndoPoll(seqs[0]), None)])[0].reason == "undo_gone"


def test_an_erasure_reaches_a_deleted_action() -> None:
    from rooms.actions.domain import JoinAction
    from rooms.privacy.domain import EraseMe

    state, log = _setup_room()
    ada = Actor(Role.PARTICIPANT, "p0")
    run(
        state,
        log,
        [(ada, JoinAction(action="a1", name="Ada", contact="ada@example.org", consent=True), None)],
    )
    [deleted] = run(state, log, [(MODERATOR, DeleteAction("a1"), None)])
    run(state, log, [(ada, EraseMe(), None)])
    run(state, log, [(MODERATOR, UndoAction(deleted.envelopes[0].seq), None)])
    member = state.actions.by_id["a1"].members["p0"]
    assert (member.name, member.contact) == ("", None)
    assert plain(replay(log)) == plain(state)
