"""Cluster suggestions: quality against hand labels, and time for 300 cards.

Run: ``.venv/bin/python -m loadtests.suggest_bench`` (about 30 s). It reads the
labelled German workshop cards in tests/data/ideas_cards_de.tsv and prints
the adjusted Rand index (ARI) of each candidate method against the labels,
next to two trivial baselines (everything in one cluster; random groups of
the true number), and the wall time of the shipped method for 300 cards
(the 158 labelled cards plus 142 of them again, reworded by a suffix so the
encoder's cache does not help). Numbers go into docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import statistics
import time
from math import comb
from pathlib import Path

import numpy as np

from server import suggest

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "ideas_cards_de.tsv"


def load_cards(path: Path = DATA) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [r["text"] for r in rows], [r["theme"] for r in rows]


def ari(truth: list[str], found: list[int]) -> float:
    """Adjusted Rand index (Hubert and Arabie), from the contingency table."""
    a = {x: i for i, x in enumerate(sorted(set(truth)))}
    b = {x: i for i, x in enumerate(sorted(set(found)))}
    table = np.zeros((len(a), len(b)), dtype=np.int64)
    for x, y in zip(truth, found, strict=True):
        table[a[x], b[y]] += 1
    pairs = sum(comb(int(v), 2) for v in table.flat)
    rows = sum(comb(int(v), 2) for v in table.sum(axis=1))
    cols = sum(comb(int(v), 2) for v in table.sum(axis=0))
    expected = rows * cols / comb(len(truth), 2)
    top = (rows + cols) / 2
    return 0.0 if top == expected else (pairs - expected) / (top - expected)


def labels_of(groups: list[list[int]], n: int) -> list[int]:
    out = [0] * n
    for g, members in enumerate(groups):
        for i in members:
            out[i] = g
    return out


def tfidf_char(texts: list[str]) -> np.ndarray:
    """TF-IDF over character 3–5-grams within words: the lexical candidate."""
    grams: list[dict[str, int]] = []
    for text in texts:
        counts: dict[str, int] = {}
        for word in re.findall(r"\w+", text.lower()):
            w = f" {word} "
            for k in (3, 4, 5):
                for i in range(len(w) - k + 1):
                    counts[w[i : i + k]] = counts.get(w[i : i + k], 0) + 1
        grams.append(counts)
    vocab = {g: i for i, g in enumerate(sorted({g for c in grams for g in c}))}
    x = np.zeros((len(texts), len(vocab)))
    for r, counts in enumerate(grams):
        for g, c in counts.items():
            x[r, vocab[g]] = 1 + np.log(c)
    df = (x > 0).sum(axis=0)
    x *= np.log((1 + len(texts)) / (1 + df)) + 1
    return x


def anchored(
    x: np.ndarray, truth: list[str], per_theme: int, seed: int
) -> tuple[list[int], set[int]]:
    """The moderator's first manual assignments as anchors: every other card joins
    the anchor group whose centroid is nearest. Returns labels and the anchor rows."""
    rng = np.random.default_rng(seed)
    themes = sorted(set(truth))
    anchors: dict[int, int] = {}
    for t, theme in enumerate(themes):
        rows = [i for i, lab in enumerate(truth) if lab == theme]
        for i in rng.choice(rows, per_theme, replace=False):
            anchors[int(i)] = t
    xn = suggest._normalise(x)
    centres = np.stack(
        [xn[[i for i, t in anchors.items() if t == j]].mean(axis=0) for j in range(len(themes))]
    )
    found = np.argmax(xn @ suggest._normalise(centres).T, axis=1).tolist()
    return found, set(anchors)


def anchored_spectral(
    x: np.ndarray, truth: list[str], per_theme: int, seed: int
) -> tuple[list[int], set[int]]:
    """Anchors as seeds of k-means in the spectral embedding; anchors keep their group."""
    rng = np.random.default_rng(seed)
    themes = sorted(set(truth))
    anchors: dict[int, int] = {}
    for t, theme in enumerate(themes):
        rows = [i for i, lab in enumerate(truth) if lab == theme]
        for i in rng.choice(rows, per_theme, replace=False):
            anchors[int(i)] = t
    k = len(themes)
    u = suggest._normalise(suggest.spectral_embedding(suggest._normalise(x), k))
    c = np.stack([u[[i for i, t in anchors.items() if t == j]].mean(axis=0) for j in range(k)])
    labels = np.argmax(u @ suggest._normalise(c).T, axis=1)
    for _ in range(30):
        for j in range(k):
            if (labels == j).any():
                c[j] = u[labels == j].mean(axis=0)
        new = np.argmax(u @ suggest._normalise(c).T, axis=1)
        for i, t in anchors.items():
            new[i] = t
        if np.array_equal(new, labels):
            break
        labels = new
    return labels.tolist(), set(anchors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="timing runs for 300 cards")
    args = parser.parse_args()
    texts, truth = load_cards()
    k_true = len(set(truth))
    n = len(texts)
    print(f"cards: {n}, themes: {k_true}, load average: {os.getloadavg()[0]:.2f}")
    t0 = time.perf_counter()
    emb = suggest.EMBEDDER.encode(texts)
    print(f"model load + first encode: {time.perf_counter() - t0:.2f} s")
    rng = np.random.default_rng(1)
    rand = statistics.median(ari(truth, rng.integers(k_true, size=n).tolist()) for _ in range(50))
    print(f"baseline one cluster        ARI {ari(truth, [0] * n):.3f}")
    print(f"baseline random k={k_true}        ARI {rand:.3f} (median of 50)")
    lex = tfidf_char(texts)
    rows = [
        ("tfidf char-ngram kmeans k=9", labels_of(_kmeans_groups(lex, k_true), n)),
        ("tfidf spectral k=9", labels_of(suggest.cluster_vectors(lex, k_true), n)),
        ("USE kmeans k=9", labels_of(_kmeans_groups(emb, k_true), n)),
        ("USE spectral k=9", labels_of(suggest.cluster_vectors(emb, k_true), n)),
        (
            "USE+tfidf spectral k=9",
            labels_of(
                suggest.cluster_vectors(
                    np.hstack([suggest._normalise(emb), 0.7 * suggest._normalise(lex)]), k_true
                ),
                n,
            ),
        ),
    ]
    shipped = suggest.cluster_vectors(emb)
    rows.append(
        (f"USE spectral, k by silhouette (k={len(shipped)}) [shipped]", labels_of(shipped, n))
    )
    for name, found in rows:
        print(f"{name:<46} ARI {ari(truth, found):.3f}")
    for per in (1, 2, 3):
        scores = []
        for seed in range(5):
            found, anchors = anchored(emb, truth, per, seed)
            rest = [i for i in range(n) if i not in anchors]
            scores.append(ari([truth[i] for i in rest], [found[i] for i in rest]))
        spectral = []
        for seed in range(5):
            found, anchors = anchored_spectral(emb, truth, per, seed)
            rest = [i for i in range(n) if i not in anchors]
            spectral.append(ari([truth[i] for i in rest], [found[i] for i in rest]))
        print(
            f"USE, {per} anchor(s)/theme: nearest centroid ARI {statistics.median(scores):.3f},"
            f" k-means in the spectral space from anchors ARI {statistics.median(spectral):.3f}"
            " (medians of 5 draws, anchors left out)"
        )
    big = texts + [t + " (2)" for t in texts[: 300 - n]]
    times = []
    for r in range(args.repeat):
        embedder = suggest.Embedder()
        embedder.encode(["warm up"])  # the model loads once per server, not per click
        t0 = time.perf_counter()
        groups, _ = suggest.suggest(big, embedder)
        times.append(time.perf_counter() - t0)
        if r == 0:
            print(f"300 cards: {len(groups)} groups")
    print(
        f"300 cards, encode + cluster, cold cache: median {statistics.median(times):.3f} s,"
        f" max {max(times):.3f} s"
    )
    again = suggest.suggest(big)
    same = again == suggest.suggest(big)
    print(f"deterministic (same input twice): {same}")


def _kmeans_groups(x: np.ndarray, k: int) -> list[list[int]]:
    labels = suggest.kmeans(x, k)
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(i)
    return list(groups.values())


if __name__ == "__main__":
    main()
