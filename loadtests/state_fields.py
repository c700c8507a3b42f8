"""``python -m loadtests.state_fields LOG``: what each part of a room's state holds.

The stamina benchmark's ``data`` column says how much the room's state grows
(tracemalloc, :mod:`loadtests.scenarios.state_bytes`); this says which part
grows: each field of ``RoomState`` (an activity's state, or the remembered
outcomes) after replaying a third of a kept log (``--keep-log``) and all of
it. It tells the event's content (ballots, cards, questions, tables) from
the room's bookkeeping (the outcomes that make a resend idempotent), which
is what issue 19's stamina target has to be read against.

The sizes are deep ``sys.getsizeof`` sums over everything a field reaches;
an object reached from two fields counts once, under the first in
``RoomState``'s order (a ballot's pseudonym is the key of both the poll's
ballot and the actor's outcomes: it counts under ``polls``). They miss the
allocator's own overhead, so their total is below tracemalloc's.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from pathlib import Path

import msgspec

from loadtests.scenarios.state_bytes import load_log
from rooms.room import RoomState, replay
from server.writer import decode_entries

_LEAVES = (str, bytes, int, float, bool, type(None))


class FieldSizes(msgspec.Struct, frozen=True):
    """Bytes per ``RoomState`` field after replaying the first ``entries`` entries."""

    entries: int
    by_field: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_field.values())


def deep_size(root: object, seen: set[int]) -> int:
    """Bytes of ``root`` and everything it reaches that ``seen`` does not hold yet.

    Classes are not followed (an enum member reaches its class, which reaches
    the whole module's worth of objects).
    """
    total = 0
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, type):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        if not isinstance(obj, _LEAVES):
            stack.extend(gc.get_referents(obj))
    return total


def field_sizes(state: RoomState, entries: int) -> FieldSizes:
    seen: set[int] = set()
    fields = {name: deep_size(getattr(state, name), seen) for name in state.__struct_fields__}
    return FieldSizes(entries, fields)


def sizes_at(log: Sequence[bytes], cuts: Sequence[int]) -> list[FieldSizes]:
    """:func:`field_sizes` after replaying the first ``cut`` entries, for each cut."""
    return [field_sizes(replay(decode_entries(list(log[:cut]))), cut) for cut in cuts]


def table(first: FieldSizes, last: FieldSizes) -> str:
    """A Markdown table: each field at both cuts and its growth, in MiB."""
    mib = 2**20
    rows = [
        f"| field | after {first.entries:,} entries | after {last.entries:,} | growth |",
        "|---|---|---|---|",
    ]
    for name, before in first.by_field.items():
        after = last.by_field[name]
        rows.append(
            f"| `{name}` | {before / mib:.2f} | {after / mib:.2f} | {(after - before) / mib:.2f} |"
        )
    rows.append(
        f"| total | {first.total / mib:.2f} | {last.total / mib:.2f} | "
        f"{(last.total - first.total) / mib:.2f} |"
    )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("log", type=Path, help="a log kept by the stamina benchmark's --keep-log")
    args = parser.parse_args(argv)
    log = load_log(args.log)
    first, last = sizes_at(log, [len(log) // 3, len(log)])
    print(table(first, last))


if __name__ == "__main__":
    main()
