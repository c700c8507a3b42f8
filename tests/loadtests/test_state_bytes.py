"""The stamina benchmark's replay of the room's data uses the server's code, not the generator's.

A before/after pair runs the server from two trees while the generator is
one; the room's own data must be replayed by each run's server tree, or a
change to how the room keeps its data would show the same growth on both
sides. A stand-in tree whose ``replay`` keeps a known amount per entry tells
the two apart.
"""

from __future__ import annotations

from pathlib import Path

from loadtests.scenarios.state_bytes import state_bytes_by

STAND_IN_ROOM = '''
"""A stand-in room: 10,000 bytes of state per log entry."""

def replay(envelopes):
    return [bytearray(10_000) for _ in envelopes]
'''
STAND_IN_WRITER = """
def decode_entries(entries):
    return list(entries)
"""


def _stand_in_tree(root: Path) -> Path:
    for package, module, text in (
        ("rooms", "room.py", STAND_IN_ROOM),
        ("server", "writer.py", STAND_IN_WRITER),
    ):
        (root / package).mkdir(parents=True)
        (root / package / "__init__.py").write_text("")
        (root / package / module).write_text(text)
    return root


def test_the_replay_runs_in_the_tree_it_is_given(tmp_path: Path) -> None:
    tree = _stand_in_tree(tmp_path / "tree")
    entries = [b"x"] * 300
    small, large = state_bytes_by(tree, entries, [100, 300])
    assert 100 * 10_000 <= small < 100 * 10_000 + 200_000
    assert large - small >= 200 * 10_000


def test_without_a_tree_the_generator_replays_a_real_log_itself() -> None:
    # no log entries: an empty room, a few bytes, and no child process involved
    (empty,) = state_bytes_by(None, [], [0])
    assert 0 <= empty < 100_000
