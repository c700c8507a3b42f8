"""The embedder's cache: what goes in comes out (to half precision), bounded, oldest out first."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.vector_cache import VectorCache


def unit_rows(n: int, dims: int = 384, seed: int = 7) -> npt.NDArray[np.float32]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, dims)).astype(np.float32)
    unit: npt.NDArray[np.float32] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return unit


def test_vectors_come_back_in_the_order_asked_to_half_precision() -> None:
    rows = unit_rows(5)
    cache = VectorCache(100, block=4)  # two blocks
    cache.put([f"t{i}" for i in range(5)], rows)
    got = cache.get(["t4", "t0", "t2", "t0"])
    assert got.dtype == np.float64
    assert got.shape == (4, 384)
    want = rows[[4, 0, 2, 0]]
    assert np.allclose(got, want, atol=1e-3, rtol=0)
    # cosine between cards, what the sort uses, moves by less than a thousandth
    assert np.allclose(got @ got.T, want @ want.T, atol=1e-3)


def test_the_oldest_text_goes_first_and_its_row_is_reused() -> None:
    rows = unit_rows(7)
    cache = VectorCache(4, block=2)
    cache.put(["a", "b", "c", "d"], rows[:4])
    cache.put(["e", "f"], rows[4:6])
    assert len(cache) == 4
    assert "a" not in cache and "b" not in cache
    assert all(t in cache for t in "cdef")
    assert np.allclose(cache.get(["e", "c"]), rows[[4, 2]], atol=1e-3)
    assert len(cache._blocks) == 2  # no block beyond the bound's two


def test_a_text_put_again_gets_its_new_vector_and_keeps_its_place() -> None:
    rows = unit_rows(3)
    cache = VectorCache(2)
    cache.put(["a", "b"], rows[:2])
    cache.put(["a"], rows[2:3])
    assert len(cache) == 2
    assert np.allclose(cache.get(["a"]), rows[2:3], atol=1e-3)
    cache.put(["c"], rows[:1])
    assert "a" not in cache  # still the oldest: a new vector is not a new arrival


def test_a_vector_of_other_dimensions_is_refused() -> None:
    cache = VectorCache(10)
    cache.put(["a"], unit_rows(1, dims=8))
    with pytest.raises(ValueError, match="8"):
        cache.put(["b"], unit_rows(1, dims=16))


@given(st.lists(st.integers(0, 30), min_size=1, max_size=120), st.integers(1, 12))
def test_the_cache_matches_a_plain_bounded_dict(texts: list[int], size: int) -> None:
    """Any sequence of puts: the same texts as a first-in-first-out dict of that size,
    each with the last vector put for it."""
    rows = unit_rows(len(texts), dims=6)
    cache = VectorCache(size, block=5)
    model: dict[str, np.ndarray] = {}
    for i, t in enumerate(texts):
        key = f"k{t}"
        cache.put([key], rows[i : i + 1])
        if key not in model and len(model) >= size:
            del model[next(iter(model))]
        model[key] = rows[i]
    assert len(cache) == len(model)
    keys = list(model)
    assert all(k in cache for k in keys)
    assert np.allclose(cache.get(keys), np.stack([model[k] for k in keys]), atol=1e-3)
