"""Cluster suggestions: deterministic, German and English, only loose public cards."""

from __future__ import annotations

import anyio
import numpy as np

from rooms.base import Actor, Role
from rooms.ideas.domain import AssignIdea, CreateBoard, CreateCluster, HideIdea, PostIdea
from rooms.lobby.domain import Join
from rooms.room import handle
from server import suggest
from tests.rooms.helpers import T0, new_room

CARDS = [
    "Strompreise sind zu hoch",
    "Photovoltaik auf alle Hallendächer",
    "Energiekosten bremsen Investitionen",
    "Busse fahren nicht zu Schichtbeginn",
    "Bahnstrecke ist ständig verspätet",
    "Radweg ins Gewerbegebiet fehlt",
    "Electricity prices are far too high",
    "Solar panels on every factory roof",
    "Trains to the city are always late",
]


def test_suggest_is_deterministic_and_groups_by_meaning_in_both_languages() -> None:
    groups, names = suggest.suggest(CARDS)
    assert sorted(i for g in groups for i in g) == list(range(len(CARDS)))
    assert len(names) == len(groups)
    assert suggest.suggest(list(CARDS)) == (groups, names)
    label = {i: n for n, g in enumerate(groups) for i in g}
    # the English card about power prices lands with the German ones about it
    assert label[6] == label[0]


def test_cluster_vectors_small_inputs() -> None:
    assert suggest.cluster_vectors(np.zeros((0, 4))) == []
    assert suggest.cluster_vectors(np.eye(2)) == [[0, 1]]


def test_name_for_picks_a_shared_content_word() -> None:
    assert suggest.name_for(["Strompreise zu hoch", "Die Strompreise steigen"]) == "Strompreise"
    assert suggest.name_for(["a", "b"]) == ""


def test_proposal_covers_only_loose_public_cards() -> None:
    state, _ = new_room()
    mod = Actor(Role.MODERATOR)
    handle(state, Join("p1", "P", None), Actor(Role.GUEST), None, T0)
    handle(state, CreateBoard(prompt="Was hemmt?"), mod, None, T0)
    ids = []
    for text in CARDS:
        posted = handle(
            state, PostIdea(board="b1", text=text), Actor(Role.PARTICIPANT, "p1"), None, T0
        )
        ids.append(posted.id)
    handle(state, CreateCluster(board="b1", name="Energie"), mod, None, T0)
    handle(state, AssignIdea(idea=ids[0], cluster="c1"), mod, None, T0)
    handle(state, HideIdea(ids[1]), mod, None, T0)
    command = anyio.run(suggest.proposal, state.ideas, suggest.SuggestClusters("b1"))
    covered = sorted(i for g in command.groups for i in g)
    assert covered == sorted(ids[2:])
    assert handle(state, command, mod, None, T0).ok
