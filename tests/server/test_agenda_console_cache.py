"""The console's agenda panel is a cached part: rendered again only when what it shows changed.

At the 40-phase limit it took 16-35 ms per tick when it was rendered on every
tick that changed the room (docs/benchmarks.md, "Agenda console panel").
"""

from __future__ import annotations

from rooms.agenda.domain import (
    AddPhase,
    AutoPolls,
    BoardsFromPrompts,
    ExtendPhase,
    NextPhase,
    SetImage,
    UpdatePhase,
)
from rooms.base import Actor, Role
from rooms.ideas.domain import CreateBoard, CreateCluster, PostIdea
from rooms.lobby.domain import Join
from rooms.polls.domain import CreatePoll, OpenPoll, PollKind, UpdatePoll, Vote
from rooms.room import Command, RoomState, handle
from server.present import CACHED_CONSOLE_PARTS, Presenter
from server.render import Renderer
from server.wire import parse
from tests.rooms.helpers import T0, new_room
from tests.server.test_console_ideas_limits import CountingRenderer

MOD = Actor(Role.MODERATOR)
TEMPLATE = "agenda/console-agenda.html"


def do(state: RoomState, actor: Actor, command: Command, cid: str) -> None:
    handled = handle(state, command, actor, cid, T0)
    assert handled.ok, handled.reason


def room() -> RoomState:
    state, _ = new_room()
    for i in range(5):
        do(state, Actor(Role.GUEST), Join(f"p{i}", f"P{i}"), f"j{i}")
    do(
        state,
        MOD,
        CreatePoll(
            kind=PollKind.SINGLE, question="Wie weiter?", options=["A", "B"], anonymous=False
        ),
        "c1",
    )
    do(state, MOD, CreatePoll(kind=PollKind.SINGLE, question="Entwurf", options=["A", "B"]), "c2")
    do(state, MOD, OpenPoll("p1"), "o1")
    do(state, MOD, CreateBoard(prompt="Was läuft schief?"), "b1")
    do(state, MOD, AddPhase(title="Begrüßung", activities=["poll:p1"]), "a1")
    do(state, MOD, AddPhase(title="Kritik", activities=["board:b1", "poll:p2"]), "a2")
    do(state, MOD, AddPhase(title="Fantasie"), "a3")
    do(state, MOD, NextPhase(), "n1")
    return state


def test_the_agenda_part_is_cached_on_what_it_shows() -> None:
    assert "console-agenda" in CACHED_CONSOLE_PARTS


def test_a_vote_or_a_card_does_not_render_the_agenda_again_but_its_changes_do() -> None:
    state = room()
    renderer = CountingRenderer()
    presenter = Presenter(renderer, lambda code: code)
    first = presenter.shared("console", "de", state, frozenset())["console-agenda"]
    assert "Umfrage: Wie weiter?" in first and "Pinnwand: Was läuft schief?" in first

    def render() -> str:
        return presenter.shared("console", "de", state, frozenset())["console-agenda"]

    do(state, Actor(Role.PARTICIPANT, "p1"), Vote(poll="p1", choice="o1"), "v1")
    do(state, Actor(Role.PARTICIPANT, "p2"), PostIdea(board="b1", text="Lärm"), "i1")
    assert render() is first
    assert renderer.rendered.count(TEMPLATE) == 1
    # What the panel names changed: the draft poll's question is its label.
    do(
        state,
        MOD,
        UpdatePoll(poll="p2", kind=PollKind.SINGLE, question="Neu", options=["A", "B"]),
        "u",
    )
    relabelled = render()
    assert "Umfrage: Neu" in relabelled and renderer.rendered.count(TEMPLATE) == 2
    # A board gets a cluster with a card: it may now be carried forward.
    assert 'name="from_board"' not in relabelled
    do(state, MOD, CreateCluster(board="b1", name="Verkehr", ideas=["i1"]), "k")
    assert 'name="from_board"' in render() and renderer.rendered.count(TEMPLATE) == 3
    # The agenda itself changed.
    do(state, MOD, ExtendPhase(minutes=5), "e")
    render()
    assert renderer.rendered.count(TEMPLATE) == 4


def test_the_cached_part_equals_a_fresh_render() -> None:
    """Whatever the cache hands out is what rendering now would give."""
    state = room()
    presenter = Presenter(Renderer(), lambda code: code)
    presenter.shared("console", "de", state, frozenset())
    do(state, Actor(Role.PARTICIPANT, "p1"), Vote(poll="p1", choice="o1"), "v1")
    cached = presenter.shared("console", "de", state, frozenset())["console-agenda"]
    fresh = Presenter(Renderer(), lambda code: code).shared("console", "de", state, frozenset())
    assert cached == fresh["console-agenda"]


def test_the_consoles_forms_decode_to_the_new_agenda_commands() -> None:
    """What the panel's forms send (form strings) becomes the commands the room decides."""
    boards, _ = parse(
        '{"type": "agenda.boards_from_prompts", "from_phase": "a2", "to_phase": "a3", "cid": "b"}'
    )
    assert boards == BoardsFromPrompts(from_phase="a2", to_phase="a3")
    edit, _ = parse(
        '{"type": "agenda.update_phase", "phase": "a1", "whole": "1", "title": "Abschluss",'
        ' "minutes": "10", "auto_polls": "open_close", "cid": "e"}'
    )
    assert isinstance(edit, UpdatePhase) and edit.auto_polls is AutoPolls.OPEN_CLOSE
    added, _ = parse('{"type": "agenda.add_phase", "title": "Abschluss", "cid": "a"}')
    assert isinstance(added, AddPhase) and added.auto_polls is AutoPolls.OPEN
    image, _ = parse('{"type": "agenda.set_image", "phase": "a1", "image": "", "cid": "i"}')
    assert image == SetImage(phase="a1", image="")
