"""Summarise a py-spy ``--format raw`` profile: where the server's CPU went.

``python -m loadtests.profile FILE [FILE ...] [--top N]``

A raw profile is one line per distinct stack, frames root first, separated
by ``;``, then the sample count. py-spy leaves idle threads out by default,
so every sample is CPU the server spent (or a thread waiting on I/O in C,
such as SQLite's fsync). Several files are added up, which helps when each
run only holds a few hundred samples.

Prints the split between threads, then the top functions by *self* samples
(the frame on top of the stack) and by *inclusive* samples (anywhere on the
stack, counted once per stack), as shares of the event loop's samples. The
other threads are SQLite's executor and the log listener; py-spy counts
some of their blocking waits (``queue.get``, ``Condition.wait``) as active,
so they are left out of the function tables unless ``--all-threads``.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

_LINE = re.compile(r"^(?P<stack>.*) (?P<count>\d+)$")
_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def frames(stack: str) -> list[str]:
    """``func (file:line)`` frames as ``func (file)``: lines of one function add up."""
    out = []
    for frame in stack.split(";"):
        match = _FRAME.match(frame)
        out.append(f"{match['func']} ({match['file']})" if match else frame)
    return out


def read(paths: Iterable[Path]) -> Counter[tuple[str, ...]]:
    stacks: Counter[tuple[str, ...]] = Counter()
    for path in paths:
        for line in path.read_text(errors="replace").splitlines():
            match = _LINE.match(line.strip())
            if match:
                stacks[tuple(frames(match["stack"]))] += int(match["count"])
    return stacks


def thread_of(stack: tuple[str, ...]) -> str:
    return "other threads" if stack[0].startswith("Thread._bootstrap") else "event loop"


def summary(
    stacks: Counter[tuple[str, ...]], top: int = 15, all_threads: bool = False
) -> dict[str, object]:
    threads: Counter[str] = Counter()
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for stack, count in stacks.items():
        if not stack:
            continue
        threads[thread_of(stack)] += count
        if not all_threads and thread_of(stack) != "event loop":
            continue
        own[stack[-1]] += count
        for frame in set(stack):
            inclusive[frame] += count
    total = sum(threads.values())
    base = total if all_threads else threads["event loop"]

    def share(counter: Counter[str], of: int) -> list[tuple[str, int, float]]:
        return [(k, v, round(100 * v / max(of, 1), 1)) for k, v in counter.most_common(top)]

    return {
        "samples": total,
        "threads": share(threads, total),
        "self": share(own, base),
        "inclusive": share(inclusive, base),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m loadtests.profile", description=__doc__)
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--all-threads", action="store_true", help="not only the event loop")
    args = parser.parse_args(argv)
    result = summary(read(args.files), args.top, args.all_threads)
    print(f"{result['samples']} samples from {len(args.files)} file(s)")
    for title in ("threads", "self", "inclusive"):
        print(f"\n{title}:")
        rows = result[title]
        assert isinstance(rows, list)
        for name, count, pct in rows:
            print(f"  {pct:5.1f} %  {count:6d}  {name}")


if __name__ == "__main__":
    main()
