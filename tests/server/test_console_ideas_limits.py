"""The console stays fast with a full board: capped card zones and a cached part."""

from __future__ import annotations

import re

from rooms.base import Actor, Role
from rooms.ideas.domain import CreateBoard, PostIdea
from rooms.lobby.domain import Join
from rooms.room import RoomState, handle
from rooms.views import moderator_view
from server.present import Presenter
from server.render import Renderer
from tests.rooms.helpers import T0, new_room

MOD = Actor(Role.MODERATOR)


def board_with_cards(n: int) -> RoomState:
    state, _ = new_room()
    for i in range(30):
        assert handle(state, Join(f"p{i}", f"P{i}"), Actor(Role.GUEST), f"j{i}", T0).ok
    assert handle(state, CreateBoard(prompt="Was hemmt Innovation?"), MOD, "b", T0).ok
    for k in range(n):
        author = Actor(Role.PARTICIPANT, f"p{k % 30}")
        assert handle(state, PostIdea(board="b1", text=f"Karte {k}"), author, f"i{k}", T0).ok
    return state


class CountingRenderer(Renderer):
    def __init__(self) -> None:
        super().__init__()
        self.rendered: list[str] = []

    def render(self, lang: str, template: str, **ctx: object) -> str:
        self.rendered.append(template)
        return super().render(lang, template, **ctx)


def test_a_full_board_shows_the_newest_200_loose_cards_and_says_how_many_wait() -> None:
    state = board_with_cards(230)
    parts = Presenter(Renderer(), lambda code: code).shared("console", "de", state, frozenset())
    ideas = parts["console-ideas"]
    shown = re.findall(r'data-idea="(i\d+)"', ideas)
    assert len(shown) == 200
    assert shown[0] == "i230" and shown[-1] == "i31"  # the newest first
    assert "30 ältere Karten werden nicht angezeigt" in ideas
    assert moderator_view(state, frozenset()).boards[0].count == 230  # all still counted


def test_the_ideas_part_is_rendered_again_only_when_the_board_changes() -> None:
    state = board_with_cards(3)
    renderer = CountingRenderer()
    presenter = Presenter(renderer, lambda code: code)
    first = presenter.shared("console", "de", state, frozenset())["console-ideas"]
    # Someone joins: the people part changes, the board does not.
    assert handle(state, Join("late", "Spät"), Actor(Role.GUEST), "late", T0).ok
    again = presenter.shared("console", "de", state, frozenset())["console-ideas"]
    assert again is first
    assert renderer.rendered.count("ideas/console-ideas.html") == 1
    author = Actor(Role.PARTICIPANT, "late")
    assert handle(state, PostIdea(board="b1", text="Neue Karte"), author, "n", T0).ok
    changed = presenter.shared("console", "de", state, frozenset())["console-ideas"]
    assert "Neue Karte" in changed and "Neue Karte" not in first
    assert renderer.rendered.count("ideas/console-ideas.html") == 2
