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
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def run_script_in_tree(script: Path, tree: Path, arguments: list[str]) -> dict[str, Any]:
    """Run ``script --worker …`` in a fresh interpreter that imports the server from
    ``tree`` (an export of one commit) and return the JSON of its last line.

    The working directory is an empty temporary one, so nothing but the export is
    on ``sys.path``; the result must say which server it imported.
    """
    env = {**os.environ, "PYTHONPATH": str(tree)}
    with tempfile.TemporaryDirectory() as cwd:
        out = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, str(script), "--worker", *arguments],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
    if out.returncode != 0:
        raise RuntimeError(f"the run from {tree} failed:\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    if not result["server_module"].startswith(str(tree)):
        raise RuntimeError(f"imported the wrong server: {result['server_module']}")
    return result
