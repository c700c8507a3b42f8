"""Cluster proposals for a board: sort the loose cards under headings, or suggest groups.

The moderator's ``cluster.sort`` and ``cluster.suggest`` (rooms/ideas/sort.py
decides who may ask and which cards count) are answered here, off the
event loop (``asyncio.to_thread``), and become a
:class:`rooms.ideas.ProposeClusters` that the room validates and logs like
any other command; replay reads the proposal from the log and never runs
the model.

- **Sort** (the main path): every loose public card goes to the nearest
  heading (its name, pulled by the cards already under it), or stays loose
  when it is near none ("unsure"); each card carries a confidence 0–100.
- **Suggest** (a board without headings): automatic groups, each with a
  working title (server/naming.py); categories the participants chose tie
  their cards together.

The method and the model were chosen by measurement (docs/benchmarks.md,
"Cluster suggestions"); the arithmetic is in server/clustering.py, the model
in server/embedding.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import numpy as np

from rooms.base import Actor, Rejected
from rooms.ideas.domain import Boards, ProposeClusters
from rooms.ideas.sort import ClusterJob, SortCards, SuggestClusters, job_for
from server import clustering, naming
from server.embedding import EMBEDDER, Embedder, Vectors

# (stage, done, total): "loading" the model, "reading" cards (done of total), "grouping"
Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    """No one is watching (tests, the benchmark)."""


def _encode(embedder: Embedder, texts: list[str], progress: Progress) -> Vectors:
    if not embedder.loaded:
        progress("loading", 0, 0)
    return embedder.encode(texts, lambda done, total: progress("reading", done, total))


def percent(confidence: float) -> int:
    """0–100, rounded down: a card just under the "unsure" line never shows 50 %."""
    return max(0, min(100, int(100 * confidence)))


def sort_proposal(
    job: ClusterJob, embedder: Embedder = EMBEDDER, progress: Progress = _quiet
) -> ProposeClusters:
    """The loose cards sorted under the job's headings, with a confidence each."""
    fixed_texts = [t for h in job.headings for t in h.cards]
    names = [h.name or " " for h in job.headings]
    vectors = _encode(embedder, [c.text for c in job.cards] + names + fixed_texts, progress)
    progress("grouping", 0, 0)
    n, k = len(job.cards), len(job.headings)
    loose, heads, rest = vectors[:n], vectors[n : n + k], vectors[n + k :]
    fixed: list[Vectors] = []
    at = 0
    for h in job.headings:
        fixed.append(rest[at : at + len(h.cards)])
        at += len(h.cards)
    result = clustering.sort_into_headings(
        loose, heads, fixed, named=[bool(h.name) for h in job.headings]
    )
    groups: list[list[str]] = [[] for _ in job.headings]
    unsure: list[str] = []
    for card, target in zip(job.cards, result.target, strict=True):
        (groups[target] if target >= 0 else unsure).append(card.id)
    kept = [j for j in range(k) if groups[j]]
    return ProposeClusters(
        board=job.board,
        groups=[groups[j] for j in kept],
        names=["" for _ in kept],
        targets=[job.headings[j].cluster for j in kept],
        confidence={
            c.id: percent(conf) for c, conf in zip(job.cards, result.confidence, strict=True)
        },
        unsure=unsure,
    )


def suggest_proposal(
    job: ClusterJob, embedder: Embedder = EMBEDDER, progress: Progress = _quiet
) -> ProposeClusters:
    """Automatic groups of the loose cards, each with a working title and confidences."""
    texts = [c.text for c in job.cards]
    vectors = _encode(embedder, texts, progress)
    progress("grouping", 0, 0)
    categories = [c.category for c in job.cards]
    groups = clustering.cluster_auto(vectors, categories=categories)
    x = clustering.centred(vectors)
    centres = clustering.normalise(np.stack([x[g].sum(axis=0) for g in groups]))
    central = [texts[g[int(np.argmax(x[g] @ centres[n]))]] for n, g in enumerate(groups)]
    names = naming.names_for(
        [[texts[i] for i in g] for g in groups],
        central,
        [[categories[i] for i in g] for g in groups],
    )
    confidence = clustering.confidence(x, centres)
    return ProposeClusters(
        board=job.board,
        groups=[[job.cards[i].id for i in g] for g in groups],
        names=names,
        confidence={c.id: percent(conf) for c, conf in zip(job.cards, confidence, strict=True)},
    )


def compute(
    job: ClusterJob, embedder: Embedder = EMBEDDER, progress: Progress = _quiet
) -> ProposeClusters:
    return (sort_proposal if job.sort else suggest_proposal)(job, embedder, progress)


async def answer(
    boards: Boards,
    actor: Actor,
    command: SuggestClusters | SortCards,
    progress: Progress = _quiet,
) -> ProposeClusters | Rejected:
    """What a socket submits for ``cluster.sort`` or ``cluster.suggest``, computed in a thread."""
    job = job_for(boards, actor, command)
    if isinstance(job, Rejected):
        return job
    return await asyncio.to_thread(compute, job, EMBEDDER, progress)


def start() -> None:
    """At server start: load the model and the naming dictionaries in the background."""
    EMBEDDER.start(warm_up=naming.warm_up)
