"""Café plans computed in the worker process: the same plan, once, and the loop stays free."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from rooms.base import Actor, Role
from rooms.cafe import solver as cafe_solver
from rooms.cafe.domain import CafeCreated, CafePlanned, CreateCafe, Replan, TableSpec
from rooms.lobby.domain import Join, OrganisationType
from rooms.room import Accepted, RoomState, decide
from server.app import create_app
from server.cafe_planner import Planner
from server.settings import Settings
from tests.rooms.helpers import T0, new_room, run

MOD = Actor(Role.MODERATOR)
pytestmark = pytest.mark.anyio


@pytest.fixture
def planner() -> Iterator[Planner]:
    made = Planner()
    yield made
    made.close()


def _room(people: int) -> RoomState:
    state, log = new_room()
    orgs = list(OrganisationType)
    run(
        state,
        log,
        [
            (Actor(Role.GUEST), Join(f"p{i:03d}", f"Person {i}", orgs[i % len(orgs)]), None)
            for i in range(people)
        ],
    )
    return state


def _create(tables: int, seats: int, rounds: int) -> CreateCafe:
    specs = [TableSpec(f"Thema {t + 1}", seats) for t in range(tables)]
    return CreateCafe(tables=specs, rounds=rounds, round_minutes=10)


def _plan(decision: object) -> list[dict[str, str]]:
    assert isinstance(decision, Accepted)
    [event] = decision.events
    assert isinstance(event, CafeCreated | CafePlanned)
    return event.plan


async def test_the_worker_computes_the_plan_decide_would_have_computed(planner: Planner) -> None:
    state = _room(30)
    command = _create(6, 5, 4)
    wanted = planner.wanted(state, command, MOD)
    assert wanted is not None  # decide would plan: 30 people on 6 tables
    await planner.prepare(state, command, MOD, "create")
    assert planner.computed == 1
    with cafe_solver.wanted_plans():  # the plan is there: decide no longer asks for one
        prepared = _plan(decide(state, command, MOD, T0))
    cafe_solver._REMEMBERED.clear()  # to compute it in place once more
    assert _plan(decide(state, command, MOD, T0)) == prepared  # computed in place: the same


async def test_a_plan_asked_for_twice_at_once_is_computed_once(planner: Planner) -> None:
    state = _room(24)
    command = _create(4, 6, 3)
    await asyncio.gather(
        planner.prepare(state, command, MOD, "a"), planner.prepare(state, command, MOD, "b")
    )
    assert planner.computed == 1
    with cafe_solver.wanted_plans():
        _plan(decide(state, command, MOD, T0))


async def test_the_loop_runs_while_a_hundred_person_plan_is_computed(planner: Planner) -> None:
    """100 people on 10 tables of 10 over 4 rounds (a full search, ~1 s): the loop keeps
    turning meanwhile."""
    state = _room(100)
    command = _create(10, 10, 4)
    ticks = 0
    preparing = asyncio.ensure_future(planner.prepare(state, command, MOD, "create"))

    async def ticker() -> None:
        nonlocal ticks
        while not preparing.done():
            ticks += 1
            await asyncio.sleep(0.001)

    await asyncio.gather(preparing, ticker())
    assert ticks > 10  # in place, the loop would not have turned once
    with cafe_solver.wanted_plans():
        _plan(decide(state, command, MOD, T0))


async def test_no_plan_for_a_resend_a_participant_or_a_non_planning_command(
    planner: Planner,
) -> None:
    state, log = new_room()
    run(state, log, [(Actor(Role.GUEST), Join(f"p{i}", None, None), None) for i in range(8)])
    [created] = run(state, log, [(MOD, _create(2, 4, 2), "create")])
    assert created.ok
    await planner.prepare(state, _create(2, 4, 2), MOD, "create")  # logged cid: a resend
    await planner.prepare(state, Replan(), Actor(Role.PARTICIPANT, "p1"), "x")  # not allowed
    assert planner.computed == 0
    assert planner.wanted(state, Join("p9", None, None), MOD) is None


def _gone(pid: int) -> bool:
    """No such process, or only its exit status left (a zombie nobody reaped yet)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


async def test_the_worker_process_ends_with_the_app(settings: Settings) -> None:
    """The app's shutdown stops its planner's worker: nothing outlives the server."""
    app = create_app(settings)
    async with AsyncTestClient(app, base_url="http://testserver.local"):
        planner: Planner = app.state["svc"].planner
        await planner.prepare(_room(12), _create(3, 4, 2), MOD, "create")
        assert planner.computed == 1
        [worker] = planner.workers()
        assert not _gone(worker)
    assert planner.workers() == []
    assert _gone(worker)  # ``close`` joined it: gone, not waiting


WORKER_OF_A_DYING_SERVER = """
import asyncio, os, sys
from pathlib import Path
from rooms.base import Actor, Role
from server.cafe_planner import Planner
from tests.server.test_cafe_planner import _create, _room

planner = Planner()
asyncio.run(planner.prepare(_room(12), _create(3, 4, 2), Actor(Role.MODERATOR), "c"))
Path(sys.argv[1]).write_text(str(planner.workers()[0]))
os._exit(0)  # as a killed server: no shutdown, no atexit
"""


def test_the_worker_ends_by_itself_when_its_server_dies_without_shutting_down(
    tmp_path: Path,
) -> None:
    root = Path(__file__).resolve().parents[2]
    said = tmp_path / "worker.pid"
    subprocess.run(  # no pipes: a worker left behind would hold them open
        [sys.executable, "-c", WORKER_OF_A_DYING_SERVER, str(said)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
        check=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    worker = int(said.read_text())
    deadline = time.monotonic() + 30
    while not _gone(worker) and time.monotonic() < deadline:
        time.sleep(0.05)  # polling a condition, bounded by the deadline
    assert _gone(worker)
