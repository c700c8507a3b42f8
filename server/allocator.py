"""glibc malloc settings for a long event: give freed memory back instead of keeping it.

The stamina load test (issue 19, docs/benchmarks.md "Stamina") played a
three-hour event and the server's RSS grew all through it, though the
Python heap (tracemalloc, ``sys.getallocatedblocks``) stayed nearly flat.
``malloc_info`` showed where the rest was: memory malloc had been given back
by the program but kept, for three reasons.

- **Thread arenas.** glibc gives each thread that allocates its own arena
  (up to 8 per core): the board sort's ``asyncio.to_thread`` worker, the
  card embedder, SQLite's thread. The sort's spectral embedding and the
  model's batches fill its arena with tens of MB once, and an arena only
  shrinks from its top, so most of that stays. ``M_ARENA_MAX = 2`` shares
  two arenas among all threads (the event loop does nearly all the
  allocating, and the threads rarely contend).
- **The sliding mmap threshold.** Blocks of 128 KiB and more come from their
  own ``mmap`` and go back to the system when freed, but glibc raises that
  threshold to the size of any such block freed, up to 32 MiB. The sort frees
  8 MB arrays, after which every render of the moderator's console (which
  grows with the room) and every large string is carved from the heap,
  whose high-water mark then stays. Setting ``M_MMAP_THRESHOLD`` (and
  ``M_TRIM_THRESHOLD``) explicitly turns the sliding off.
- **Free pages inside the heap.** :func:`trim` (``malloc_trim(0)``) hands
  whole free pages in the middle of every arena back (``MADV_DONTNEED``).
  The server calls it after work that frees a lot at once: a board sort and
  the GC settler's collection of closed connections (server/gcsettle.py).

Settings an operator put into the environment (``MALLOC_ARENA_MAX``,
``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``, or
``GLIBC_TUNABLES``) win. On a C library other than glibc (musl) this does
nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import time
from functools import cache

log = logging.getLogger("dialograum.allocator")

# mallopt parameters (glibc's malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8

ARENA_MAX = 2
MMAP_THRESHOLD = 128 * 1024  # glibc's own starting value, now fixed
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD  # what glibc would pair with it

_ENV = {
    M_ARENA_MAX: "MALLOC_ARENA_MAX",
    M_MMAP_THRESHOLD: "MALLOC_MMAP_THRESHOLD_",
    M_TRIM_THRESHOLD: "MALLOC_TRIM_THRESHOLD_",
}


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c") or "libc.so.6"
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
    except (OSError, AttributeError):  # not glibc: no mallopt or no malloc_trim
        return None
    return libc


def tune() -> dict[str, int]:
    """Set the three parameters (unless the environment did); returns what was set.

    Call it early, before the threads start: an arena a thread already has
    stays its own.
    """
    libc = _libc()
    if libc is None or "GLIBC_TUNABLES" in os.environ:
        return {}
    done: dict[str, int] = {}
    for param, value in (
        (M_ARENA_MAX, ARENA_MAX),
        (M_MMAP_THRESHOLD, MMAP_THRESHOLD),
        (M_TRIM_THRESHOLD, TRIM_THRESHOLD),
    ):
        if _ENV[param] in os.environ:
            continue
        if libc.mallopt(param, value) == 1:
            done[_ENV[param]] = value
    return done


def trim(why: str) -> None:
    """Give free pages in every arena back to the system (a few ms for a few hundred MB)."""
    libc = _libc()
    if libc is None:
        return
    started = time.perf_counter()
    libc.malloc_trim(0)
    log.debug("malloc_trim after %s: %.1f ms", why, (time.perf_counter() - started) * 1000)
