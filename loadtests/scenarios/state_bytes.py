"""The Python heap a room's state holds after replaying a log, by the code of a chosen tree.

The stamina benchmark sets the growth of the room's own data beside the
server's RSS. With ``--server-dir`` or ``--server-rev`` the server runs other
code than the load generator, and a change to how the room keeps its data
(say, packing the remembered outcomes) shows only if the log is replayed by
the server's code, not the generator's. So :func:`state_bytes_by` runs this
file as a script in a child process with the server's tree first on
``PYTHONPATH``; it imports nothing from ``loadtests``, which an older tree
may lack, only ``rooms.room.replay`` and ``server.writer.decode_entries``.

    python loadtests/scenarios/state_bytes.py LOG CUT [CUT ...]

prints, one line per cut, the bytes held after replaying the first CUT
entries of LOG (a msgpack array of the entries' bytes, as :func:`write_log`
writes it; ``--keep-log`` writes the same).
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tempfile
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

import msgspec

CHILD_TIMEOUT_S = 600.0


def write_log(path: Path, entries: Sequence[bytes]) -> None:
    """The log entries as one msgpack array, for looking into the room's state after a run."""
    path.write_bytes(msgspec.msgpack.encode(list(entries)))


def load_log(path: Path) -> list[bytes]:
    """What :func:`write_log` wrote."""
    return msgspec.msgpack.decode(path.read_bytes(), type=list[bytes])


def state_bytes(entries: Sequence[bytes]) -> int:
    """Python heap the room's state holds after replaying ``entries`` (tracemalloc).

    What a worker must keep for the data itself, whatever else it does: the
    growth of this between two points of the log is the memory an event
    legitimately gains (ballots, cards, questions, remembered cids), to set
    beside the growth of the server's RSS over the same stretch. Replayed by
    whichever ``rooms`` and ``server`` this process imports.
    """
    from rooms.room import replay
    from server.writer import decode_entries

    gc.collect()
    tracemalloc.start()
    try:
        envelopes = decode_entries(list(entries))
        state = replay(envelopes)
        del envelopes
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del state
    return held


def state_bytes_by(source: Path | None, entries: Sequence[bytes], cuts: Sequence[int]) -> list[int]:
    """:func:`state_bytes` of ``entries[:cut]`` for each cut, replayed by the tree ``source``.

    ``None`` replays in this process, by this process's code. Otherwise a
    child process with ``source`` first on its path does it; a failure there
    raises ``subprocess.CalledProcessError`` with the child's error output.
    """
    if source is None:
        return [state_bytes(entries[:cut]) for cut in cuts]
    with tempfile.TemporaryDirectory(prefix="dialograum-replay-") as tmp:
        log = Path(tmp) / "log.msgpack"
        write_log(log, entries)
        env = os.environ | {"PYTHONPATH": str(source), "PYTHONDONTWRITEBYTECODE": "1"}
        # -P: this script's own folder is not put first on the path, ``source`` is
        done = subprocess.run(  # noqa: S603 - our own interpreter and script, no shell
            [sys.executable, "-P", __file__, str(log), *map(str, cuts)],
            cwd=source,
            env=env,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT_S,
            check=True,
        )
    return [int(line) for line in done.stdout.split()]


def main(argv: Sequence[str]) -> None:
    log, *cuts = argv
    entries = load_log(Path(log))
    for cut in cuts:
        print(state_bytes(entries[: int(cut)]))


if __name__ == "__main__":
    main(sys.argv[1:])
