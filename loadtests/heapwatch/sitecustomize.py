"""A diagnostic for leak hunts: the server's heap over time, written to a file.

Not imported by anything; put this directory first on the server's
``PYTHONPATH`` (``loadtests.scenarios.stamina --heap-watch``) and Python
imports it at start-up. With ``DIALOGRAUM_HEAPWATCH=<file>`` a daemon
thread appends one JSON line every ``DIALOGRAUM_HEAPWATCH_EVERY`` seconds
(default 30): the GC's counts, how many objects are frozen
(``gc.get_freeze_count``), how many are tracked, and the 15 types with the
most live instances. With ``DIALOGRAUM_HEAPWATCH_TRACE=1`` tracemalloc runs
too (10 frames; the server gets much slower) and each line adds the 25
allocation sites that grew most since the first snapshot taken after
``DIALOGRAUM_HEAPWATCH_AFTER`` seconds (the warm-up), and the 25 sites
holding the most of what was allocated since tracing began
(``DIALOGRAUM_HEAPWATCH_TRACE_FROM`` seconds after start, so a late window of
a long run can be traced). A leak is a site or a
type that grows line after line while the event does not. With
``DIALOGRAUM_HEAPWATCH_COLLECT=1`` each line also says how many objects a
full collection found unreachable, by type, after thawing what
``gc.freeze()`` had kept out of the collector (it frees them, so the run no
longer shows the leak's growth). With ``DIALOGRAUM_HEAPWATCH_CENSUS=1`` each
line also counts every container the collector tracks, frozen ones included
(the plain type count above misses what ``gc.freeze()`` moved out of its
generations), by type, with their own sizes (``sys.getsizeof``): what grows
there grows with the event, whoever holds it.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator

# Connection-shaped objects, always counted: more of them than open sockets means
# closed connections are kept alive.
WATCHED = (
    "Session",
    "Subscriber",
    "Outbox",
    "Ticket",
    "WebSocket",
    "WebSocketsSansIOProtocol",
    "ServerProtocol",
    "Task",
    "_SelectorSocketTransport",
    "Future",
    "coroutine",
    "frame",
)


def _types(top: int = 15) -> tuple[list[tuple[str, int]], dict[str, int]]:
    counts = Counter(type(o).__qualname__ for o in gc.get_objects())
    return counts.most_common(top), {name: counts.get(name, 0) for name in WATCHED}


@contextlib.contextmanager
def _thawed() -> Iterator[None]:
    """Everything the GC settler froze is back in the collector's generations meanwhile.

    ``gc.get_objects()`` and a collection leave out the permanent generation,
    where the server's settler freezes nearly everything alive; freezing again
    after the look moves young objects into the frozen set too, which the
    settler would do at its next freeze anyway.
    """
    gc.unfreeze()
    try:
        yield
    finally:
        gc.freeze()


def _frozen_garbage() -> dict[str, object]:
    """Thaw, collect, count what was garbage, freeze again: the cycles freezing kept alive.

    Changes what it measures (the garbage is freed), so only with ``..._COLLECT=1``.
    """
    with _thawed():
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            found = gc.collect()
            types = Counter(type(o).__qualname__ for o in gc.garbage).most_common(12)
            gc.garbage.clear()
        finally:
            gc.set_debug(0)
        gc.collect()  # now really free them
    return {"garbage": found, "garbage_types": types}


def _census(top: int = 25) -> dict[str, object]:
    """Every tracked container by type, frozen ones included, with their shallow sizes."""
    counts: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    with _thawed():
        for obj in gc.get_objects():
            name = type(obj).__qualname__
            counts[name] += 1
            sizes[name] += sys.getsizeof(obj)
    return {
        "census_total": sum(counts.values()),
        "census": [(n, c, sizes[n] >> 10) for n, c in counts.most_common(top)],
    }


def _describe(obj: object) -> str:
    name = type(obj).__qualname__
    if isinstance(obj, dict):
        keys = [repr(k)[:30] for k in list(obj)[:4]]
        return f"{name}(len={len(obj)}, keys={keys})"
    if isinstance(obj, (list, tuple, set)):
        return f"{name}(len={len(obj)})"
    code = getattr(obj, "f_code", None) or getattr(obj, "cr_code", None)
    if code is not None:
        return f"{name}({code.co_filename.rsplit('/', 2)[-1]}:{code.co_name})"
    return name


def _holders(type_name: str, depth: int = 6) -> dict[str, object]:
    """Who holds the newest instance of a type: its referrers, ``depth`` levels up.

    One chain per level (the first referrer that is not this function's own
    bookkeeping), enough to name the cache or the structure that keeps it.
    """
    with _thawed():
        found = [o for o in gc.get_objects() if type(o).__qualname__ == type_name]
        if not found:
            return {"holders": []}
        chain: list[str] = []
        obj: object = found[-1]
        del found
        seen = {id(obj), id(chain)}
        for _ in range(depth):
            everyone = gc.get_referrers(obj)
            seen.add(id(everyone))
            refs = [
                r
                for r in everyone
                if id(r) not in seen
                and type(r).__name__ not in ("frame", "list_iterator")
                and r is not globals()
            ]
            seen.add(id(refs))
            if not refs:
                break
            obj = refs[0]
            seen.add(id(obj))
            chain.append(" | ".join(_describe(r) for r in refs[:3]) + f" [{len(refs)} in all]")
        return {"holders": chain}


def _big_texts(least: int) -> dict[str, object]:
    """Who holds the large strings and bytes (``least`` bytes or more): the renders that stay.

    Strings are not tracked by the collector, so they are found through the
    containers that are (dicts, lists, deques, frames, structs): each big text
    is counted under its holder and the holder's own first holder, which
    together name the cache, queue or coroutine that keeps it.
    """
    with _thawed():
        by_holder: Counter[str] = Counter()
        sizes: Counter[str] = Counter()
        seen: set[int] = set()
        for holder in gc.get_objects():
            for ref in gc.get_referents(holder):
                if not isinstance(ref, (str, bytes)) or len(ref) < least or id(ref) in seen:
                    continue
                seen.add(id(ref))
                owners = [
                    r
                    for r in gc.get_referrers(holder)
                    if type(r).__name__ != "list" or len(r) < 10_000
                ]
                where = _describe(holder) + " <- " + (_describe(owners[0]) if owners else "?")
                by_holder[where] += 1
                sizes[where] += sys.getsizeof(ref)
    return {
        "big_texts": [(w, c, sizes[w] >> 10) for w, c in by_holder.most_common(15)],
        "big_texts_kib": sum(sizes.values()) >> 10,
    }


def _rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _trim() -> dict[str, object]:
    """glibc's malloc_trim(0): how much of the RSS was freed memory malloc had kept."""
    import ctypes

    before = _rss_kib()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    return {"rss_before_trim_kib": before, "rss_after_trim_kib": _rss_kib()}


def _arenas() -> dict[str, object]:
    """glibc's own account, per malloc arena (``malloc_info``): what it holds, what is free in it.

    RSS that Python's heap (tracemalloc) does not explain is either C-side
    allocations or memory malloc freed but kept; this tells the two apart,
    and in which arena (the main one, or one a thread made for itself).
    """
    import ctypes
    import tempfile
    import xml.etree.ElementTree as ET

    libc = ctypes.CDLL("libc.so.6")
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    libc.fclose.argtypes = [ctypes.c_void_p]
    with tempfile.NamedTemporaryFile(suffix=".xml") as tmp:
        fp = libc.fopen(tmp.name.encode(), b"w")
        libc.malloc_info(0, fp)
        libc.fclose(fp)
        root = ET.parse(tmp.name).getroot()  # noqa: S314 - glibc's own output, not untrusted
    heaps = []
    for heap in root.findall("heap"):
        free = sum(int(t.get("size", 0)) for t in heap.findall("total"))
        current = next(
            (int(s.get("size", 0)) for s in heap.findall("system") if s.get("type") == "current"), 0
        )
        heaps.append((int(heap.get("nr", -1)), current >> 20, free >> 20))
    totals = root.findall("total")
    mmap = next((int(t.get("size", 0)) for t in totals if t.get("type") == "mmap"), 0)
    return {
        "arenas": len(heaps),
        "arena_mib": [h for h in heaps if h[1] >= 1],  # (nr, system MiB, free MiB)
        "malloc_system_mib": sum(h[1] for h in heaps),
        "malloc_free_mib": sum(h[2] for h in heaps),
        "malloc_mmap_mib": mmap >> 20,
        "threads": threading.active_count(),
        "os_threads": len(os.listdir("/proc/self/task")),
    }


def _maps(top: int = 8) -> dict[str, object]:
    """Where the RSS lies (``/proc/self/smaps``): anonymous or file-backed, the largest mappings.

    CPython's small-object allocator takes 256 KiB arenas straight from mmap,
    outside malloc; with ``sys.getallocatedblocks`` (its live blocks) this
    separates a fragmented object heap from one that holds more objects.
    """
    maps: list[tuple[int, int, str]] = []  # (rss KiB, size KiB, name)
    name, size = "", 0
    with open("/proc/self/smaps", encoding="ascii", errors="replace") as smaps:
        for line in smaps:
            head = line.split()
            if "-" in head[0] and not head[0].endswith(":"):
                lo, hi = head[0].split("-")
                size = (int(hi, 16) - int(lo, 16)) >> 10
                name = head[5] if len(head) > 5 else ""
            elif head[0] == "Rss:":
                maps.append((int(head[1]), size, name))
    anon = sum(r for r, _, n in maps if not n.startswith("/"))
    return {
        "anon_rss_mib": anon >> 10,
        "file_rss_mib": (sum(r for r, _, _ in maps) - anon) >> 10,
        "largest": [(r >> 10, s >> 10, n[-40:]) for r, s, n in sorted(maps, reverse=True)[:top]],
        "blocks": sys.getallocatedblocks(),
    }


def _watch(path: str, every: float, after: float, trace: bool) -> None:
    started = time.monotonic()
    first: tracemalloc.Snapshot | None = None
    while True:
        time.sleep(every)
        trace_from = float(os.environ.get("DIALOGRAUM_HEAPWATCH_TRACE_FROM", "0"))
        if trace and not tracemalloc.is_tracing() and time.monotonic() - started >= trace_from:
            # only now: tracing the start-up (imports, the model) would take minutes
            tracemalloc.start(10)
            continue
        types, watched = _types()
        line: dict[str, object] = {
            "pid": os.getpid(),
            "t": round(time.monotonic() - started, 1),
            "gc_count": gc.get_count(),
            "frozen": gc.get_freeze_count(),
            "tracked": len(gc.get_objects()),
            "types": types,
            "watched": watched,
            "rss_kib": _rss_kib(),
        }
        line |= _arenas() | _maps()
        if trace and tracemalloc.is_tracing():
            snap = tracemalloc.take_snapshot().filter_traces(
                [tracemalloc.Filter(False, tracemalloc.__file__)]
            )
            line["traced_mib"] = round(tracemalloc.get_traced_memory()[0] / 2**20, 1)
            if first is None and time.monotonic() - started >= after:
                first = snap
            if first is not None:
                diff = snap.compare_to(first, "traceback")[:25]
                line["grew"] = [
                    {
                        "kib": round(d.size_diff / 1024, 1),
                        "count": d.count_diff,
                        "where": [f"{f.filename}:{f.lineno}" for f in d.traceback][-6:],
                    }
                    for d in diff
                ]
            # What is alive now of what was allocated since tracing began
            # (DIALOGRAUM_HEAPWATCH_TRACE_FROM: late in the event, so the renders
            # in flight are a small part of it): the sites whose data stays.
            line["held"] = [
                {
                    "kib": round(st.size / 1024, 1),
                    "count": st.count,
                    "where": [f"{f.filename}:{f.lineno}" for f in st.traceback][-6:],
                }
                for st in snap.statistics("traceback")[:25]
            ]
        if os.environ.get("DIALOGRAUM_HEAPWATCH_CENSUS") == "1":
            line |= _census()
        if os.environ.get("DIALOGRAUM_HEAPWATCH_BIG"):
            line |= _big_texts(int(os.environ["DIALOGRAUM_HEAPWATCH_BIG"]))
        if os.environ.get("DIALOGRAUM_HEAPWATCH_HOLDERS"):
            line |= _holders(os.environ["DIALOGRAUM_HEAPWATCH_HOLDERS"])
        if os.environ.get("DIALOGRAUM_HEAPWATCH_COLLECT") == "1":
            line |= _frozen_garbage()
        if os.environ.get("DIALOGRAUM_HEAPWATCH_TRIM") == "1":
            line |= _trim()
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


_PATH = os.environ.get("DIALOGRAUM_HEAPWATCH")
if _PATH and os.environ.get("DIALOGRAUM_HEAPWATCH_PID", str(os.getpid())) == str(os.getpid()):
    os.environ["DIALOGRAUM_HEAPWATCH_PID"] = str(os.getpid())  # its children are not watched
    _TRACE = os.environ.get("DIALOGRAUM_HEAPWATCH_TRACE") == "1"
    threading.Thread(
        target=_watch,
        args=(
            _PATH,
            float(os.environ.get("DIALOGRAUM_HEAPWATCH_EVERY", "30")),
            float(os.environ.get("DIALOGRAUM_HEAPWATCH_AFTER", "60")),
            _TRACE,
        ),
        daemon=True,
        name="heapwatch",
    ).start()
