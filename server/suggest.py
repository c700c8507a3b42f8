"""Cluster proposals for a board: sort the loose cards under headings, or suggest groups.

The moderator's ``cluster.sort`` and ``cluster.suggest`` (rooms/ideas/sort.py
decides who may ask and which cards count) are answered here, off the
event loop: the vectors in a thread (``asyncio.to_thread``), the grouping in
a worker process (server/worker_process.py, which says why), and become a
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
from server import allocator, clustering, naming
from server.embedding import EMBEDDER, Embedder, Vectors
from server.worker_process import WorkerProcess

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


def texts(job: ClusterJob) -> list[str]:
    """What the job's vectors are of, in order: the cards, then (a sort) headings, their cards."""
    cards = [c.text for c in job.cards]
    if not job.sort:
        return cards
    names = [h.name or " " for h in job.headings]
    return cards + names + [t for h in job.headings for t in h.cards]


def sort_proposal(job: ClusterJob, vectors: Vectors) -> ProposeClusters:
    """The loose cards sorted under the job's headings, with a confidence each."""
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


def suggest_proposal(job: ClusterJob, vectors: Vectors) -> ProposeClusters:
    """Automatic groups of the loose cards, each with a working title and confidences."""
    texts = [c.text for c in job.cards]
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


def proposal(job: ClusterJob, vectors: Vectors) -> ProposeClusters:
    """The grouping, once the job's :func:`texts` have their vectors (in the worker process)."""
    return (sort_proposal if job.sort else suggest_proposal)(job, vectors)


def compute(
    job: ClusterJob, embedder: Embedder = EMBEDDER, progress: Progress = _quiet
) -> ProposeClusters:
    """The whole job in this process (tests, benchmarks); the server splits it (:func:`answer`)."""
    vectors = _encode(embedder, texts(job), progress)
    progress("grouping", 0, 0)
    return proposal(job, vectors)


def _encode_and_trim(job: ClusterJob, progress: Progress) -> Vectors:
    """The vectors (mostly cached: cards are embedded as they are posted), then malloc trimmed."""
    try:
        return _encode(EMBEDDER, texts(job), progress)
    finally:
        allocator.trim("the vectors of a board sort")


def _warm_up_worker() -> None:  # pragma: no cover - runs in the worker process
    """The worker loads the lemmatiser's dictionaries before the first sort needs them."""
    naming.warm_up()


# The grouping runs here: its arrays, OpenBLAS's buffers and the dictionaries stay out of
# the server process's memory (server/worker_process.py; docs/architecture.md).
GROUPER = WorkerProcess(warm_up=_warm_up_worker)


async def answer(
    boards: Boards,
    actor: Actor,
    command: SuggestClusters | SortCards,
    progress: Progress = _quiet,
) -> ProposeClusters | Rejected:
    """What a socket submits for ``cluster.sort`` or ``cluster.suggest``.

    The vectors come from the embedder in a thread of this process (it
    caches them per card); the grouping is computed in the worker process.
    """
    job = job_for(boards, actor, command)
    if isinstance(job, Rejected):
        return job
    vectors = await asyncio.to_thread(_encode_and_trim, job, progress)
    progress("grouping", 0, 0)
    return await GROUPER.run(proposal, job, vectors)


def start() -> None:
    """At server start: load the model in the background.

    The grouping's worker process is not started here but at the first sort:
    it holds ~185 MiB (the lemmatiser's dictionaries) that a plenum, a café
    or a laptop running tests never needs. The first sort of an event waits
    a few seconds longer for it, under its progress bar ("grouping").
    """
    EMBEDDER.start()


def close() -> None:
    """At server stop: end the grouping's worker process."""
    GROUPER.close()
