"""World Café plans computed in a worker process, before the room decides.

The rotation solver (``rooms.cafe.solver``) takes 0.1–3 s of CPU. Inside
``decide`` it ran on the hub's event loop, and the whole event (votes,
ideas, every phone's acks) waited for it. Now the socket handler asks the
room, before it submits a café command, which plan that command's
``decide`` would need: ``decide`` runs on the current state inside
``cafe_solver.wanted_plans()``, where the solver raises ``PlanWanted``
instead of searching. That plan is computed in a worker process (another
core, and no GIL shared with the event loop), handed back with
``cafe_solver.remember``, and the command is submitted as before: its
``decide`` finds the plan and writes it into the event, so replay never runs
the solver, exactly as before.

The solver is a pure function of (problem, seed, budget) with its work
counted in evaluated swaps, so the plan from the worker is the very plan
``decide`` would have computed. If the room changed in between (another
command in the same batch), ``decide`` simply computes in place, as it always
did. The same problem asked for twice at once (a resend, two consoles) is
computed once: the second waits for the first.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
from concurrent.futures.process import BrokenProcessPool

from rooms.base import Actor, Role
from rooms.cafe import domain as cafe
from rooms.cafe import solver as cafe_solver
from rooms.room import Command, RoomState, decide, previous_outcome
from server.writer import now_ms

log = logging.getLogger(__name__)

# The café commands whose decide may plan.
PLANNING = (cafe.CreateCafe, cafe.StartRound, cafe.Replan, cafe.SetHost, cafe.MovePerson)


def _solve(
    problem: cafe_solver.Problem, seed: int, budget: int | None
) -> list[list[int]]:  # pragma: no cover - runs in the worker process
    return cafe_solver.solve(problem, seed, budget)


def _end_with_parent() -> None:  # pragma: no cover - runs in the worker process
    """The worker's initializer: exit as soon as the server process is gone.

    A pool's worker waits on its task queue, whose writing end it holds
    itself, so a server that dies without shutting the pool down (SIGKILL, a
    test runner's worker that ends with ``os._exit``) would leave it waiting
    for ever, and with it the resource tracker that shares its pipe.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch(sentinel: int = parent.sentinel) -> None:
        multiprocessing.connection.wait([sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


class Planner:
    """One worker process per app (all its rooms), started on first use, stopped with the app.

    The app's lifespan calls ``close`` on shutdown; the worker also ends by
    itself when the server process dies without shutting down.
    """

    def __init__(self) -> None:
        self.computed = 0  # plans sent to the worker, for the tests
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._running: dict[bytes, concurrent.futures.Future[list[list[int]]]] = {}

    def _executor(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            # spawn: the server has threads (to_thread, the store), and forking
            # a threaded process can copy a held lock into the child.
            context = multiprocessing.get_context("spawn")
            self._pool = concurrent.futures.ProcessPoolExecutor(
                1, mp_context=context, initializer=_end_with_parent
            )
        return self._pool

    def workers(self) -> list[int]:
        """The ids of the running worker processes (none before the first plan or after close)."""
        if self._pool is None:
            return []
        # ProcessPoolExecutor keeps its processes private; the ids are for tests and logs.
        processes = getattr(self._pool, "_processes", None) or {}
        return sorted(p.pid for p in processes.values() if p.pid is not None and p.is_alive())

    def wanted(
        self, state: RoomState, command: Command, actor: Actor
    ) -> cafe_solver.PlanWanted | None:
        """The plan this command's decide would compute now, if any (not computed)."""
        if not isinstance(command, PLANNING) or actor.role is not Role.MODERATOR:
            return None
        try:
            with cafe_solver.wanted_plans():
                decide(state, command, actor, now_ms())
        except cafe_solver.PlanWanted as wanted:
            return wanted
        return None

    async def prepare(
        self, state: RoomState, command: Command, actor: Actor, cid: str | None
    ) -> None:
        """Compute the plan ``command`` will need, off the event loop; then submit as usual."""
        if previous_outcome(state, actor, cid) is not None:
            return  # a resend, answered from the log
        wanted = self.wanted(state, command, actor)
        if wanted is None:
            return
        key = cafe_solver.plan_key(wanted.problem, wanted.seed, wanted.budget)
        running = self._running.get(key)
        if running is None:
            try:
                running = self._executor().submit(
                    _solve, wanted.problem, wanted.seed, wanted.budget
                )
            except (BrokenProcessPool, RuntimeError) as exc:
                log.warning("café planner unavailable, planning in place: %s", exc)
                self._pool = None
                return
            self.computed += 1
            self._running[key] = running
            running.add_done_callback(lambda _: self._running.pop(key, None))
        try:
            # A future of the process pool, not of this loop: a second asker
            # on another loop (tests, one app per loop) waits on it as well.
            plan = await asyncio.wrap_future(running)
        except (BrokenProcessPool, OSError) as exc:
            log.warning("café planner failed, planning in place: %s", exc)
            self._pool = None
            return
        cafe_solver.remember(wanted.problem, wanted.seed, plan, wanted.budget)

    def close(self) -> None:
        """Stop the worker process now, even mid-plan (it starts again on the next plan).

        A plan still computing is abandoned: its asker plans in place (a
        server shutting down has no one to answer anyway). Waiting for it
        instead would hold a shutdown for seconds, long enough for a
        supervisor's SIGKILL, which would orphan the worker.
        """
        pool, self._pool = self._pool, None
        if pool is None:
            return
        stop_pool(pool)
        self._running.clear()


def stop_pool(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """End a worker pool now, even mid-job: cancel what waits, terminate, then join.

    Waiting for a job instead would hold a shutdown for seconds, long enough
    for a supervisor's SIGKILL, which would orphan the worker. Shared by the
    café planner and ``server.worker_process``.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=10)
    pool.shutdown(wait=True)  # the pool's own thread, now that its worker is gone
