"""The clustering arithmetic on card vectors: pure numpy, deterministic, no model.

Two ways to group cards, both measured in docs/benchmarks.md ("Cluster
suggestions"):

- **Headings** (:func:`sort_into_headings`), the way facilitators cluster:
  the moderator writes the headings, and every loose card goes to the
  nearest one. A heading's centre starts at its name and is pulled by the
  cards already under it (placed by hand: fixed) and, over a few rounds, by
  the cards sorted under it. A card that is near no centre stays loose, and
  every card gets a confidence, so the moderator checks the doubtful first.
- **Automatic** (:func:`cluster_auto`), for a board with no headings yet:
  a k-nearest-neighbour cosine graph, spectral embedding, k-means; k is the
  one whose partition has the highest modularity in the graph (silhouette
  over-split: 10–12 groups for 6–9 themes). Cards that share a category the
  participants chose are tied together in the graph.

Everything works on vectors centred on the board's mean: sentence encoders
give every short German card a large common component ("this is a German
sentence about work"), and removing it makes the differences count.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float64]
Labels = npt.NDArray[np.int64]

KNN = 10
SEED = 20_260_401
RESTARTS = 8
MIN_K, MAX_K = 2, 12
CARDS_PER_CLUSTER = 4  # no more clusters than cards / this
HEADING_WEIGHT = 2.0  # a heading's name counts as this many cards in its centre
SORT_ROUNDS = 5
CATEGORY_TIE = 0.35  # added to the similarity of two cards with the same category
TEMPERATURE = 0.1  # of the softmax over centre similarities that gives the confidence
UNSURE_BELOW = 0.5  # a card whose confidence is below this stays loose ("unsicher")


def normalise(x: Vectors) -> Vectors:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    out: Vectors = x / np.maximum(norms, 1e-12)
    return out


def centred(x: Vectors, mean: Vectors | None = None) -> Vectors:
    """Unit vectors after removing the mean direction (of ``x``, or the given one)."""
    x = normalise(x)
    m = x.mean(axis=0) if mean is None else mean
    return normalise(x - m)


# --- headings -----------------------------------------------------------------


class Sorted:
    """Where each loose card goes: a heading's index or -1 (unsure), and a confidence 0–1."""

    __slots__ = ("confidence", "target")

    def __init__(self, target: list[int], confidence: list[float]) -> None:
        self.target = target
        self.confidence = confidence


def sort_into_headings(
    loose: Vectors,
    headings: Vectors,
    fixed: list[Vectors],
    *,
    named: list[bool] | None = None,
    heading_weight: float = HEADING_WEIGHT,
    rounds: int = SORT_ROUNDS,
    unsure_below: float = UNSURE_BELOW,
    temperature: float = TEMPERATURE,
) -> Sorted:
    """Assign each loose card to the nearest heading's centre.

    ``headings`` has one row per heading (its name embedded); ``fixed[j]``
    holds the cards already under heading j, which never move and pull its
    centre; ``named[j]`` False means heading j has no name (only its cards
    count). The centre is (weight × name + fixed cards + sorted cards),
    recomputed for ``rounds`` rounds (k-means anchored by the names, so a
    heading worded unlike its cards is still found by the cards it gathers).
    Deterministic: no randomness, ties to the lower index.
    """
    k = len(headings)
    n = len(loose)
    if n == 0 or k == 0:
        return Sorted([-1] * n, [0.0] * n)
    everything = [loose, *[f for f in fixed if len(f)]]
    mean = normalise(np.vstack(everything)).mean(axis=0)
    cards = centred(loose, mean)
    names = centred(headings, mean)
    base = heading_weight * names
    if named is not None:
        base[~np.asarray(named, dtype=bool)] = 0.0
    for j, f in enumerate(fixed):
        if len(f):
            base[j] += centred(f, mean).sum(axis=0)
    centres = normalise(base)
    sims = cards @ centres.T
    for _ in range(rounds):
        target = np.argmax(sims, axis=1)
        pulled = base.copy()
        np.add.at(pulled, target, cards)
        centres = normalise(pulled)
        sims = cards @ centres.T
    best = np.argmax(sims, axis=1)
    conf = confidence(cards, centres, temperature)
    targets = [int(b) if c >= unsure_below else -1 for b, c in zip(best, conf, strict=True)]
    return Sorted(targets, conf)


def confidence(x: Vectors, centres: Vectors, temperature: float = TEMPERATURE) -> list[float]:
    """Per row of ``x``: the softmax weight of its nearest centre (1 = no doubt)."""
    if len(x) == 0 or len(centres) == 0:
        return [0.0] * len(x)
    sims = x @ centres.T
    probs = np.exp((sims - sims.max(axis=1, keepdims=True)) / temperature)
    probs /= probs.sum(axis=1, keepdims=True)
    return [float(p) for p in probs.max(axis=1)]


# --- automatic ------------------------------------------------------------------


def knn_graph(x: Vectors, knn: int = KNN, ties: Vectors | None = None) -> Vectors:
    """Symmetric k-nearest-neighbour graph of cosine similarities (plus category ties)."""
    n = len(x)
    sim = x @ x.T
    if ties is not None:
        sim = sim + ties
    np.fill_diagonal(sim, -np.inf)
    k = min(knn, n - 1)
    # stable argsort keeps ties in card order, so the graph never depends on the platform
    nearest = np.argsort(-sim, axis=1, kind="stable")[:, :k]
    w = np.zeros((n, n))
    rows = np.repeat(np.arange(n), k)
    w[rows, nearest.ravel()] = np.maximum(sim[rows, nearest.ravel()], 0.0)
    out: Vectors = np.maximum(w, w.T)
    return out


def spectral_embedding(w: Vectors, dims: int) -> Vectors:
    """The leading eigenvectors of the normalised graph ``w``, with a fixed sign."""
    d = 1.0 / np.sqrt(w.sum(axis=1) + 1e-9)
    lap = d[:, None] * w * d[None, :]
    _, vecs = np.linalg.eigh(lap)
    out: Vectors = vecs[:, ::-1][:, :dims]
    # eigenvectors have no sign; fix it so the result is the same on every machine
    signs = np.sign(out[np.argmax(np.abs(out), axis=0), np.arange(out.shape[1])])
    return out * np.where(signs == 0, 1.0, signs)


def kmeans(x: Vectors, k: int, seed: int = SEED, restarts: int = RESTARTS) -> Labels:
    """Spherical k-means++ (cosine), best of ``restarts`` from a fixed seed."""
    rng = np.random.default_rng(seed)
    x = normalise(x)
    n = len(x)
    best: tuple[float, Labels] | None = None
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
            c = normalise(c)
            new = np.argmax(x @ c.T, axis=1)
            if np.array_equal(new, labels):
                break
            labels = new
        score = float(np.sum(np.max(x @ c.T, axis=1)))
        if best is None or score > best[0] + 1e-12:
            best = (score, labels.astype(np.int64))
    assert best is not None
    return best[1]


def modularity(w: Vectors, labels: Labels) -> float:
    """Newman's modularity of a partition of the weighted graph ``w``."""
    total = w.sum()
    if total <= 0:
        return 0.0
    groups = np.unique(labels)
    onehot = (labels[:, None] == groups[None, :]).astype(np.float64)
    inside = np.einsum("ij,ik,jk->k", w, onehot, onehot)
    degree = onehot.T @ w.sum(axis=1)
    return float((inside / total - (degree / total) ** 2).sum())


def silhouette(x: Vectors, labels: Labels) -> float:
    """Mean silhouette with cosine distance; 0 for a single cluster (kept for the benchmark)."""
    groups = np.unique(labels)
    if len(groups) < 2:
        return 0.0
    dist = 1.0 - x @ x.T
    onehot = (labels[:, None] == groups[None, :]).astype(np.float64)
    sizes = onehot.sum(axis=0)
    sums = dist @ onehot
    own = np.searchsorted(groups, labels)
    own_size = sizes[own]
    a = np.where(own_size > 1, sums[np.arange(len(x)), own] / np.maximum(own_size - 1, 1), 0.0)
    mean_to = sums / sizes[None, :]
    mean_to[np.arange(len(x)), own] = np.inf
    b = mean_to.min(axis=1)
    s = np.where(own_size > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())


def category_ties(categories: list[str | None], weight: float = CATEGORY_TIE) -> Vectors:
    """``weight`` between two cards with the same chosen category, 0 otherwise."""
    keys = np.array([c if c is not None else f"\0{i}" for i, c in enumerate(categories)])
    same = keys[:, None] == keys[None, :]
    out: Vectors = np.where(same, weight, 0.0)
    return out


def cluster_auto(
    x: Vectors,
    k: int | None = None,
    categories: list[str | None] | None = None,
    choose: str = "modularity",
) -> list[list[int]]:
    """Groups of row indices, largest first; ``k`` None chooses it. Deterministic."""
    n = len(x)
    if n < 3:
        return [list(range(n))] if n else []
    x = centred(x)
    ties = None
    if categories is not None and any(c is not None for c in categories):
        ties = category_ties(categories)
    w = knn_graph(x, ties=ties)
    top = max(MIN_K, min(MAX_K, n // CARDS_PER_CLUSTER))
    ks = [min(k, n)] if k is not None else list(range(MIN_K, top + 1))
    spec = spectral_embedding(w, max(ks))
    best: tuple[float, Labels] | None = None
    for kk in ks:
        labels = kmeans(spec[:, :kk], kk)
        score = modularity(w, labels) if choose == "modularity" else silhouette(x, labels)
        if best is None or score > best[0] + 1e-9:
            best = (score, labels)
    assert best is not None
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(best[1].tolist()):
        groups.setdefault(label, []).append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))
