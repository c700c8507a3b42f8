"""Find the Latin squares the café solver's grid starts use (``rooms.cafe.solver``).

    /work/main/.venv/bin/python tools/find_squares.py 12   # difference matrix over Z2 x Z6
    /work/main/.venv/bin/python tools/find_squares.py 10   # two idempotent orthogonal squares

Run once, offline; the results are data in ``rooms/cafe/solver.py``
(``DIFFERENCE_12``, ``SQUARES_10``) and tests there check them, so the
solver never searches for squares at run time.

Order 12: a (12, k; 1) difference matrix over Z2 × Z6 (rows whose pairwise
differences run through the group once each) gives an orthogonal array
OA(k + 1, 12), that is k - 1 mutually orthogonal Latin squares. Depth-first
search with the first row and column zero and the second row the identity,
rows added one orthomorphism at a time.

Order 10: three mutually orthogonal Latin squares of order 10 are not known,
but two idempotent ones exist. Random idempotent squares (about 290
transversals through one diagonal cell) gave no mate in 30 tries; Parker's
square (as published by C. Lam; ~1,000 transversals) did: a transversal of
it moved to the diagonal (columns permuted, symbols renamed) makes it
idempotent, and an exact cover of the 100 cells by ten of its transversals
through exactly one diagonal cell each is a mate B (each cell takes the
diagonal symbol of its transversal), idempotent and orthogonal to it.
"""

from __future__ import annotations

import random
import sys
import time

Square = list[list[int]]


def _group_12() -> tuple[list[list[int]], list[int]]:
    """Z2 × Z6, element a·6 + b: the addition table and the negatives."""
    add = [
        [((x // 6 + y // 6) % 2) * 6 + (x % 6 + y % 6) % 6 for y in range(12)] for x in range(12)
    ]
    neg = [next(y for y in range(12) if add[x][y] == 0) for x in range(12)]
    return add, neg


def difference_matrix_12(rows: int, seed: int, seconds: float) -> list[list[int]] | None:
    """A (12, rows; 1) difference matrix over Z2 × Z6, or None within ``seconds``."""
    add, neg = _group_12()
    rng = random.Random(seed)  # noqa: S311 - a search, not a secret
    matrix = [[0] * 12, list(range(12))]
    deadline = time.monotonic() + seconds

    def extend() -> bool:
        if len(matrix) == rows:
            return True
        if time.monotonic() > deadline:
            return False
        row = [0] + [-1] * 11
        used = {0}
        diffs = [{0} for _ in matrix]  # row - matrix[j] at column 0 is 0

        def fill(c: int) -> bool:
            if c == 12:
                matrix.append(row[:])
                if extend():
                    return True
                matrix.pop()
                return False
            values = [v for v in range(12) if v not in used]
            rng.shuffle(values)
            for v in values:
                ds = [add[v][neg[other[c]]] for other in matrix]
                if any(d in seen for d, seen in zip(ds, diffs, strict=True)):
                    continue
                row[c] = v
                used.add(v)
                for d, seen in zip(ds, diffs, strict=True):
                    seen.add(d)
                if fill(c + 1):
                    return True
                used.discard(v)
                for d, seen in zip(ds, diffs, strict=True):
                    seen.discard(d)
                if time.monotonic() > deadline:
                    return False
            return False

        return fill(1)

    return matrix if extend() else None


# Parker's square of order 10, as published by C. Lam (POLS10): the first of
# a known orthogonal pair, used here only for its many transversals.
PARKER_10 = [
    [1, 8, 9, 0, 2, 4, 6, 3, 5, 7],
    [7, 2, 8, 9, 0, 3, 5, 4, 6, 1],
    [6, 1, 3, 8, 9, 0, 4, 5, 7, 2],
    [5, 7, 2, 4, 8, 9, 0, 6, 1, 3],
    [0, 6, 1, 3, 5, 8, 9, 7, 2, 4],
    [9, 0, 7, 2, 4, 6, 8, 1, 3, 5],
    [8, 9, 0, 1, 3, 5, 7, 2, 4, 6],
    [2, 3, 4, 5, 6, 7, 1, 8, 9, 0],
    [3, 4, 5, 6, 7, 1, 2, 0, 8, 9],
    [4, 5, 6, 7, 1, 2, 3, 9, 0, 8],
]


def _all_transversals(square: Square) -> list[tuple[int, ...]]:
    n = len(square)
    out: list[tuple[int, ...]] = []
    cols: list[int] = []

    def go(i: int) -> None:
        if i == n:
            out.append(tuple(cols))
            return
        for j in range(n):
            if j not in cols and square[i][j] not in {square[k][cols[k]] for k in range(i)}:
                cols.append(j)
                go(i + 1)
                cols.pop()

    go(0)
    return out


def _idempotent(square: Square, diagonal: tuple[int, ...]) -> Square:
    """The isotope with the transversal ``diagonal`` (a column per row) on the diagonal."""
    n = len(square)
    moved = [[square[i][diagonal[k]] for k in range(n)] for i in range(n)]
    rename = {moved[i][i]: i for i in range(n)}
    return [[rename[v] for v in row] for row in moved]


def _transversals(square: Square) -> list[tuple[int, ...]]:
    """Transversals (a column per row) through exactly one diagonal cell."""
    n = len(square)
    out: list[tuple[int, ...]] = []
    cols: list[int] = []
    used_c: set[int] = set()
    used_s: set[int] = set()

    def go(i: int, diagonal: int) -> None:
        if i == n:
            if diagonal == 1:
                out.append(tuple(cols))
            return
        for j in range(n):
            s = square[i][j]
            if j in used_c or s in used_s:
                continue
            d = diagonal + (i == j)
            if d > 1:
                continue
            cols.append(j)
            used_c.add(j)
            used_s.add(s)
            go(i + 1, d)
            cols.pop()
            used_c.discard(j)
            used_s.discard(s)

    go(0, 0)
    return out


def _cover(n: int, transversals: list[tuple[int, ...]]) -> list[tuple[int, ...]] | None:
    """Algorithm X: n disjoint transversals covering every cell."""
    by_cell: dict[tuple[int, int], list[int]] = {}
    for k, t in enumerate(transversals):
        for i, j in enumerate(t):
            by_cell.setdefault((i, j), []).append(k)
    chosen: list[int] = []
    taken: set[tuple[int, int]] = set()

    def go() -> bool:
        if len(taken) == n * n:
            return True

        def options(c: tuple[int, int]) -> int:
            return sum(
                1
                for k in by_cell.get(c, [])
                if all((i, j) not in taken for i, j in enumerate(transversals[k]))
            )

        cell = min(((i, j) for i in range(n) for j in range(n) if (i, j) not in taken), key=options)
        for k in by_cell.get(cell, []):
            cells = [(i, j) for i, j in enumerate(transversals[k])]
            if any(c in taken for c in cells):
                continue
            chosen.append(k)
            taken.update(cells)
            if go():
                return True
            chosen.pop()
            taken.difference_update(cells)
        return False

    return [transversals[k] for k in chosen] if go() else None


def idempotent_pair_10(seed: int, tries: int) -> tuple[Square, Square] | None:
    rng = random.Random(seed)  # noqa: S311 - a search, not a secret
    diagonals = _all_transversals(PARKER_10)
    for attempt in range(tries):
        a = _idempotent(PARKER_10, rng.choice(diagonals))
        ts = _transversals(a)
        cover = _cover(10, ts)
        print(f"try {attempt}: {len(ts)} transversals, cover {'found' if cover else 'none'}")
        if cover is None:
            continue
        b = [[-1] * 10 for _ in range(10)]
        for t in cover:
            d = next(i for i, j in enumerate(t) if i == j)
            for i, j in enumerate(t):
                b[i][j] = d
        return a, b
    return None


def main() -> None:
    order = int(sys.argv[1])
    if order == 12:
        rows = int(sys.argv[2]) if len(sys.argv) > 2 else 6
        for seed in range(1, 1000):
            found = difference_matrix_12(rows, seed, 20.0)
            print(f"seed {seed}: {'found' if found else 'none'}", flush=True)
            if found:
                print(found)
                return
    else:
        pair = idempotent_pair_10(1, 20)
        print(pair)


if __name__ == "__main__":
    main()
