"""One spawned worker process for heavy, memory-hungry work the server process should not do.

The board sort (server/suggest.py) groups up to thousands of cards: a
spectral embedding (a dense n × n eigen-decomposition, OpenBLAS with its
per-thread buffers), k-means restarts and the lemmatiser's dictionaries
(simplemma, some 120 MB of Python objects). Done in a thread of the server,
each sort left tens of MB behind in the server's RSS for the rest of the
event: malloc keeps what such work frees, OpenBLAS keeps its buffers, and
the dictionaries stay loaded (the stamina load test, issue 19,
docs/benchmarks.md "Stamina"). In a worker process that memory is the
worker's: bounded by the biggest board, and reported separately.

Like the café planner (server/cafe_planner.py): spawned, not forked (the
server has threads), started on first use, and ending by
itself when the server process dies without shutting it down.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import ParamSpec, TypeVar

from server.cafe_planner import _end_with_parent, stop_pool

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


def _start(warm_up: Callable[[], None] | None) -> None:  # pragma: no cover - in the worker
    _end_with_parent()
    if warm_up is not None:
        warm_up()


class WorkerProcess:
    """A pool of one spawned process; :meth:`run` falls back to a thread if it breaks."""

    def __init__(self, warm_up: Callable[[], None] | None = None) -> None:
        self._warm_up = warm_up  # a module-level function: it is pickled to the worker
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def _executor(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = concurrent.futures.ProcessPoolExecutor(
                1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start,
                initargs=(self._warm_up,),
            )
        return self._pool

    def workers(self) -> list[int]:
        """The ids of the running worker processes (for tests and logs)."""
        processes = getattr(self._pool, "_processes", None) or {}
        return sorted(p.pid for p in processes.values() if p.pid is not None and p.is_alive())

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args)`` in the worker; in a thread of this process if the worker cannot."""
        try:
            future = self._executor().submit(fn, *args, **kwargs)
        except (BrokenProcessPool, RuntimeError) as exc:  # broken, or shut down meanwhile
            log.warning("worker process unavailable, computing in a thread: %s", exc)
            self._pool = None
            return await asyncio.to_thread(fn, *args, **kwargs)
        try:
            return await asyncio.wrap_future(future)
        except (BrokenProcessPool, OSError) as exc:  # the process died mid-job
            log.warning("worker process failed, computing in a thread: %s", exc)
            self._pool = None
            return await asyncio.to_thread(fn, *args, **kwargs)

    def close(self) -> None:
        """Stop the process now, even mid-job (it starts again on the next job)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        stop_pool(pool)
