"""server.allocator: malloc settings for a long event; the operator's environment wins."""

from __future__ import annotations

import ctypes
import platform

import pytest

from server import allocator

glibc = pytest.mark.skipif(
    platform.libc_ver()[0] != "glibc", reason="mallopt and malloc_trim are glibc's"
)


def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*allocator._ENV.values(), "GLIBC_TUNABLES"):
        monkeypatch.delenv(name, raising=False)


@glibc
def test_sets_all_three_when_the_environment_is_silent(monkeypatch: pytest.MonkeyPatch) -> None:
    _clean_env(monkeypatch)
    assert allocator.tune() == {
        "MALLOC_ARENA_MAX": allocator.ARENA_MAX,
        "MALLOC_MMAP_THRESHOLD_": allocator.MMAP_THRESHOLD,
        "MALLOC_TRIM_THRESHOLD_": allocator.TRIM_THRESHOLD,
    }


@glibc
def test_an_operators_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    _clean_env(monkeypatch)
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert "MALLOC_ARENA_MAX" not in allocator.tune()
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=4")
    assert allocator.tune() == {}


def _rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


@glibc
def test_trim_hands_free_pages_in_the_heap_back() -> None:
    """Freed blocks below the mmap threshold stay in the heap until trim gives them back."""
    libc = ctypes.CDLL("libc.so.6")
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
    size = 64 * 1024  # under the 128 KiB threshold: from the heap, not its own mmap
    blocks = [libc.malloc(size) for _ in range(1600)]  # 100 MiB
    for block in blocks:
        libc.memset(block, 1, size)
    keep = blocks[-1]  # holds the heap's top, so freeing cannot shrink it from there
    for block in blocks[:-1]:
        libc.free(block)
    before = _rss_kib()
    allocator.trim("the test")
    after = _rss_kib()
    libc.free(keep)
    assert before - after > 50 * 1024, (before, after)
