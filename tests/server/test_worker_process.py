"""server.worker_process: work in another process, which ends with the app."""

from __future__ import annotations

import os

import anyio

from server.worker_process import WorkerProcess


def test_runs_in_another_process_and_closes() -> None:
    worker = WorkerProcess()
    try:
        pid = anyio.run(worker.run, os.getpid)
        assert pid != os.getpid()
        assert worker.workers() == [pid]
    finally:
        worker.close()
    assert worker.workers() == []


def test_a_closed_worker_starts_again_on_the_next_job() -> None:
    worker = WorkerProcess()
    try:
        first = anyio.run(worker.run, os.getpid)
        worker.close()
        second = anyio.run(worker.run, os.getpid)
        assert second not in (first, os.getpid())
    finally:
        worker.close()
