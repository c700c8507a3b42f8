"""The card embedder's cache: vectors by text, kept as half-precision rows in blocks.

Why not a dict of arrays, as before: each card's vector was its own
``(1, 384)`` float32 array plus the row view the dict held, 1.85 KB a card
(measured with tracemalloc over 2,000 cards). In the stamina benchmark's
long event that was the largest thing growing after the room's own data.
Here a card costs its row, 768 bytes at 384 dimensions, in a block shared by
``BLOCK`` cards, and an entry in the order of arrival.

Why half precision is enough: the vectors are compared by cosine, after
centring, to group cards. float16 keeps 11 significant bits, an error of
about 5e-4 of each component; the e5 model itself runs with 4-bit weights, so
its own noise is far larger. The cluster benchmark (docs/benchmarks.md,
"Cluster suggestions") scores the shipped ways of sorting the same with
either (docs/benchmarks.md, "Stamina: the card vectors in half precision").

A block is allocated once, when its first row is needed, and its pages are
touched only as rows are written, so a small event pays for what it
embedded. Beyond ``size`` texts the oldest goes first and its row is
reused: the cache never holds more than ``size`` rows.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

BLOCK = 1024  # rows per block: 768 KiB at 384 dimensions, in half precision


class VectorCache:
    """At most ``size`` vectors by text; the first one in is the first one out.

    Not thread-safe: a put may give an evicted text's row to another text, so
    the caller serialises puts and gets (the embedder does, with its lock).
    """

    def __init__(self, size: int, block: int = BLOCK) -> None:
        self.size = size
        self._block = block
        self._slots: OrderedDict[str, int] = OrderedDict()  # text -> row, oldest first
        self._blocks: list[npt.NDArray[np.float16]] = []
        self._dims = 0

    def __contains__(self, text: object) -> bool:
        return text in self._slots

    def __len__(self) -> int:
        return len(self._slots)

    def put(self, texts: Iterable[str], vectors: npt.NDArray[np.float32]) -> None:
        """Keep ``vectors[i]`` for ``texts[i]`` (a text already here gets its new row)."""
        for text, vector in zip(texts, vectors, strict=True):
            slot = self._slots.get(text)
            if slot is None:
                if len(self._slots) >= self.size:
                    _, slot = self._slots.popitem(last=False)  # reuse the oldest's row
                else:
                    slot = len(self._slots)
                self._slots[text] = slot
            self._row_store(slot, vector.shape[-1])[slot % self._block] = vector

    def get(self, texts: list[str]) -> npt.NDArray[np.float64]:
        """The vectors of ``texts``, one row each, in order (every text must be here)."""
        out = np.empty((len(texts), self._dims), dtype=np.float64)
        for i, text in enumerate(texts):
            block, row = divmod(self._slots[text], self._block)
            out[i] = self._blocks[block][row]
        return out

    def _row_store(self, slot: int, dims: int) -> npt.NDArray[np.float16]:
        """The block that holds ``slot``, allocated when its first row comes."""
        if not self._dims:
            self._dims = dims
        elif dims != self._dims:
            raise ValueError(f"a vector of {dims} dimensions in a cache of {self._dims}")
        block = slot // self._block
        while len(self._blocks) <= block:
            self._blocks.append(np.empty((self._block, self._dims), dtype=np.float16))
        return self._blocks[block]
