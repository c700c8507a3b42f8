"""A participant's JSON state is built as UTF-8 bytes: the shared front once, ``me`` per socket."""

from __future__ import annotations

import json

from rooms.base import Actor, Role
from rooms.lobby.domain import CreateEvent, Join
from rooms.room import RoomState, handle
from server.present import Presenter
from server.render import Renderer


def room() -> RoomState:
    """A room whose title and names need more than ASCII, as German ones do."""
    state = RoomState()
    commands = [
        (CreateEvent("ABCDEF", "Zukunftswerkstatt – Übergänge"), Actor(Role.ADMIN)),
        (Join("p1", "Jörg Müller"), Actor(Role.GUEST, client="c1")),
        (Join("p2", "Ayşe"), Actor(Role.GUEST, client="c2")),
    ]
    for i, (command, actor) in enumerate(commands):
        assert handle(state, command, actor, f"c{i}", 0).ok  # decided and applied
    return state


def test_each_participant_gets_the_shared_view_and_its_own_me() -> None:
    presenter = Presenter(Renderer(), lambda code: code)
    state, online = room(), frozenset({"p1", "p2"})
    shared = presenter.shared("api:participant", "de", state, online)
    sent = {}
    for pid in ("p1", "p2"):
        me = presenter.personal("api:participant", "de", state, online, pid)
        frames = presenter.frames("api:participant", shared, me, (shared, me))
        assert [key for key, _ in frames] == ["state"]
        message = frames[0][1]
        assert isinstance(message, bytes)
        sent[pid] = json.loads(message)
    view = json.loads(shared["view"] + "}")  # the shared view leaves its object open for "me"
    for pid, message in sent.items():
        assert message["type"] == "state"
        assert message["seq"] == state.seq
        assert {k: v for k, v in message["state"].items() if k != "me"} == view
        assert message["state"]["me"]["id"] == pid
    assert sent["p1"]["state"]["title"] == "Zukunftswerkstatt – Übergänge"
    assert sent["p1"]["state"]["me"]["name"] == "Jörg Müller"


def test_a_participant_without_an_own_view_gets_null() -> None:
    presenter = Presenter(Renderer(), lambda code: code)
    state = room()
    shared = presenter.shared("api:participant", "de", state, frozenset())
    ((_, message),) = presenter.frames("api:participant", shared, None, (shared, None))
    assert isinstance(message, bytes)
    assert json.loads(message)["state"]["me"] is None
    # the next tick's view is a new text: the shared front is not taken from the last one
    later = dict(shared, view=shared["view"].replace("Übergänge", "Wege"), seq="99")
    ((_, message),) = presenter.frames("api:participant", later, None, (later, None))
    assert json.loads(message)["seq"] == 99
    assert json.loads(message)["state"]["title"] == "Zukunftswerkstatt – Wege"
