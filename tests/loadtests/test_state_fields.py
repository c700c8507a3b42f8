"""The stamina benchmark's field breakdown: what each part of the room's state holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from loadtests.scenarios.state_bytes import write_log
from loadtests.state_fields import deep_size, main, sizes_at
from rooms.base import Actor, Role
from rooms.ideas.domain import CreateBoard, PostIdea
from rooms.lobby.domain import CreateEvent, Join
from rooms.room import Command, RoomState, handle
from server.writer import encode_entry

MOD = Actor(Role.MODERATOR)


def _log(cards: int) -> list[bytes]:
    """An event: a board, ten people, then ``cards`` cards of 200 characters."""
    state = RoomState()
    entries: list[bytes] = []

    def run(command: Command, actor: Actor) -> str | None:
        done = handle(state, command, actor, None, 0)
        assert done.ok, done.reason
        entries.extend(encode_entry(e) for e in done.envelopes)
        return done.id

    run(CreateEvent("ABCDEF", "T"), Actor(Role.ADMIN))
    board = run(CreateBoard(prompt="Was braucht die Region?"), MOD)
    assert board is not None
    people = [f"p{i}" for i in range(10)]
    for pid in people:
        run(Join(pid, pid.upper(), None), Actor(Role.GUEST))
    for i in range(cards):
        text = f"{i:04d} " + "x" * 195
        run(PostIdea(board=board, text=text), Actor(Role.PARTICIPANT, people[i % 10]))
    return entries


def test_the_cards_grow_the_ideas_field_and_nothing_else_much() -> None:
    log = _log(300)
    first, last = sizes_at(log, [len(log) // 3, len(log)])
    grown = {name: last.by_field[name] - first.by_field[name] for name in last.by_field}
    # ~200 cards more, each at least its 200-character text
    assert grown["ideas"] >= 200 * 200
    assert grown["ideas"] > 0.8 * sum(grown.values())
    assert grown["lobby"] < 0.1 * grown["ideas"]


def test_an_object_reached_from_two_places_counts_once() -> None:
    shared = "y" * 1000
    seen: set[int] = set()
    first = deep_size([shared], seen)
    again = deep_size({"k": shared}, seen)
    assert first > 1000
    assert again < 1000  # only the dict: the string was counted with the list


def test_the_command_prints_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "log.msgpack"
    write_log(path, _log(30))
    main([str(path)])
    out = capsys.readouterr().out
    assert "| `ideas` |" in out
    assert out.splitlines()[-1].startswith("| total |")
