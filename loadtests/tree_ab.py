"""What the in-process A/B tools share: two commits exported, run in turn, in fresh interpreters.

``hub_ab``, ``upvote_hub``, ``flush_cost`` and ``tick_bytes`` each measure
one side in a subprocess that imports the server from an export of one
commit (``git archive``, as ``--server-rev`` does), so that the two sides
never share a module, and alternate the sides run by run, so that a noisy
stretch of the shared machine hits both.

Only their ``main`` imports this: a worker runs with the other commit's
tree first on ``sys.path``, where this module may not exist.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

SIDES = ("old", "new")


@contextlib.contextmanager
def exported(old: str, new: str) -> Iterator[tuple[dict[str, Path], dict[str, str]]]:
    """The two commits exported to temporary trees: (tree by side, full commit by side)."""
    from loadtests.server_proc import export_tree

    trees = {side: Path(tempfile.mkdtemp(prefix=f"dialograum-{side}-")) for side in SIDES}
    try:
        revs = {"old": old, "new": new}
        yield trees, {side: export_tree(revs[side], tree) for side, tree in trees.items()}
    finally:
        for tree in trees.values():
            shutil.rmtree(tree, ignore_errors=True)


def alternating(runs: int) -> Iterator[tuple[int, str]]:
    """(run, side) in the order old, new / new, old / old, new …"""
    for r in range(runs):
        for side in SIDES if r % 2 == 0 else tuple(reversed(SIDES)):
            yield r, side
