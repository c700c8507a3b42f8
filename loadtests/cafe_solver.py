"""World Café solver benchmark: plan quality against the room's floor, and time.

    .venv/bin/python -m loadtests.cafe_solver [--repeat 7] [--before REV]

For each case of issue 20 the solver plans every round from scratch with
seeds 1…repeat. Beside it, in the same run:

- the floor: ``repeat_floor``, the cheap bound no plan with these table
  loads can beat (exact where the pigeonhole decides);
- the proven floor and the best plan known, from an outside check with an
  exact model (OR-Tools CP-SAT and exhaustive enumeration, issue 20), where
  they differ from the cheap floor;
- a random plan that keeps goal 2 (no revisit while unvisited tables
  remain), drawn with the same seeds: the fair baseline;
- with ``--before REV``, the solver of that git revision on the same
  problems, so a change is measured against its predecessor on the same
  machine at the same load.

Times are CPU seconds of this process (``time.process_time``), not wall
time: on a shared machine the wall clock measures the neighbours.

Repeats are counted one way everywhere (``quality``): a pair who sat
together k times counts C(k, 2). Also reported: the pairs who met twice or
more, and the most meetings of any pair. Organisation types are drawn at
random from the seven stakeholder groups (seeded), so the mix has something
to do. The cases "leaver and newcomer" plan every round, play 2, then one
guest leaves, one arrives, and the café re-plans the rest from the old
plan as ``rooms.cafe.plan_rounds`` does; "moved" counts the seats of the
old plan that the re-plan changed.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from rooms.cafe import solver as cafe_solver
from rooms.cafe.solver import NO_SEAT, Problem, Quality, quality, random_plan

Solve = Callable[[Problem, int], list[list[int]]]


@dataclass(frozen=True)
class Case:
    name: str
    tables: int
    seats: int
    people: int
    rounds: int
    hosted: bool = False
    late: bool = False  # one leaves and one arrives after round 2
    known: str = ""  # proven floor / best known plan (issue 20), where the cheap floor falls short


CASES = [
    Case("30/6×5/4", 6, 5, 30, 4, known="≥ 2 / 7"),
    Case("30/6×5/4, leaver + newcomer after round 2", 6, 5, 30, 4, late=True),
    Case("24 + 6 hosts, 6×5/4", 6, 5, 30, 4, hosted=True),
    Case("Kirkman 15/5×3/7", 5, 3, 15, 7, known="≥ 1 / 9"),
    Case("100/12×9/5", 12, 9, 100, 5),
    Case("100/12×9/5, leaver + newcomer after round 2", 12, 9, 100, 5, late=True),
    Case("60/12×5/6", 12, 5, 60, 6),
    Case("120/12×10/6", 12, 10, 120, 6),
    Case("24 + 12 hosts, 12×3/5", 12, 3, 36, 5, hosted=True),
    Case("85/10×9/4", 10, 9, 85, 4),
    Case("90 + 10 hosts, 10×10/4", 10, 10, 100, 4, hosted=True),
    Case("80/10×8/5", 10, 8, 80, 5),
    Case("36/6×6/4", 6, 6, 36, 4),
    Case("60/10×6/5", 10, 6, 60, 5),
    Case("20/4×5/4", 4, 5, 20, 4),
    Case("48/8×6/6", 8, 6, 48, 6),
    Case("40/5×8/4", 5, 8, 40, 4),
    Case("500/50×10/5", 50, 10, 500, 5),
]


@dataclass
class Outcome:
    times: list[float]
    qualities: list[Quality]
    moved: list[int]  # late cases: seats of the old plan that the re-plan changed


def _problem(case: Case, seed: int) -> tuple[Problem, list[int], dict[int, int]]:
    rng = random.Random(seed)
    orgs = [rng.randrange(7) for _ in range(case.people)]
    hosts = {t: t for t in range(case.tables)} if case.hosted else {}
    problem = Problem(
        capacities=[case.seats] * case.tables,
        people=case.people,
        plan_rounds=case.rounds,
        orgs=orgs,
        hosts=hosts,
    )
    return problem, orgs, hosts


def _measure(
    seating: list[list[int]], case: Case, orgs: list[int], hosts: dict[int, int], played: int = 0
) -> Quality:
    rounds = [{str(x): t for x, t in enumerate(row) if t != NO_SEAT} for row in seating]
    named: dict[str, str | None] = {str(x): str(o) for x, o in enumerate(orgs)}
    return quality(rounds, case.tables, named, {str(h) for h in hosts.values()}, played=played)


def _late(
    plan: list[list[int]], problem: Problem, seed: int, solve: Solve
) -> tuple[list[list[int]], int]:
    """Play rounds 1–2 of ``plan``; guest 0 leaves, guest ``people`` arrives; re-plan the rest.

    Returns all rounds over people 0…people (0 absent after round 2, the
    newcomer absent before round 3), and how many seats of the old plan for
    the re-planned rounds changed (people told a table who must go elsewhere).
    """
    n = problem.people
    stay = [*range(1, n), n]  # new index i is old person stay[i]
    history = [{i: plan[r][p] for i, p in enumerate(stay) if p < n} for r in range(2)]
    rounds = len(plan)
    previous = [{i: plan[r][p] for i, p in enumerate(stay) if p < n} for r in range(2, rounds)]
    orgs = [*problem.orgs[1:], random.Random(seed).randrange(7)]
    again = Problem(
        capacities=problem.capacities,
        people=n,
        plan_rounds=rounds - 2,
        orgs=orgs,
        history=history,
        previous=previous,
    )
    rest = solve(again, seed)
    whole = [plan[0] + [NO_SEAT], plan[1] + [NO_SEAT]]
    moved = 0
    for row, old in zip(rest, previous, strict=True):
        full = [NO_SEAT] * (n + 1)
        for i, p in enumerate(stay):
            full[p] = row[i]
            moved += i in old and old[i] != row[i]
        whole.append(full)
    return whole, moved


def run_case(case: Case, repeat: int, solve: Solve) -> Outcome:
    out = Outcome([], [], [])
    for seed in range(1, repeat + 1):
        problem, orgs, hosts = _problem(case, seed)
        start = time.process_time()
        plan = solve(problem, seed)
        if case.late:
            plan, moved = _late(plan, problem, seed, solve)
            out.moved.append(moved)
        out.times.append(time.process_time() - start)
        all_orgs = [*orgs, random.Random(seed).randrange(7)] if case.late else orgs
        out.qualities.append(_measure(plan, case, all_orgs, hosts, 2 if case.late else 0))
    return out


def run_random(case: Case, repeat: int) -> list[Quality]:
    out = []
    for seed in range(1, repeat + 1):
        problem, orgs, hosts = _problem(case, seed)
        plan = random_plan(problem.capacities, case.people, case.rounds, hosts, seed)
        out.append(_measure(plan, case, orgs, hosts))
    return out


def load_before(rev: str) -> ModuleType:
    """The solver module as it was at git revision ``rev``."""
    for where in ("rooms/cafe/solver.py", "rooms/cafe_solver.py"):  # moved in issue 20
        shown = subprocess.run(  # noqa: S603 - a revision named on our own command line
            ["git", "show", f"{rev}:{where}"],  # noqa: S607 - git from PATH
            check=False,
            capture_output=True,
            text=True,
        )
        if shown.returncode == 0:
            source = shown.stdout
            break
    else:
        raise SystemExit(f"no café solver at {rev}")
    path = Path(tempfile.mkdtemp()) / "cafe_solver_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("cafe_solver_before", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _before_solve(module: ModuleType) -> Solve:
    def solve(problem: Problem, seed: int) -> list[list[int]]:
        fields = module.Problem.__dataclass_fields__
        old = module.Problem(**{k: getattr(problem, k) for k in fields})
        result: list[list[int]] = module.solve(old, seed)
        return result

    return solve


def _cell(values: list[int]) -> str:
    return f"{statistics.median(values):g} ({max(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--before", help="git revision of the solver to compare with")
    parser.add_argument("--only", help="run only cases whose name contains this")
    args = parser.parse_args()
    before = _before_solve(load_before(args.before)) if args.before else None
    print(f"# {platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    head = "| case | floor | proven / best known | repeats median (max) | pairs | most |"
    head += " random (goal 2) | CPU median (max) s |"
    if before is not None:
        head += f" repeats at {args.before} | CPU at {args.before} s |"
    print(head)
    print("|---" * (head.count("|") - 1) + "|")
    for case in CASES:
        if args.only and args.only not in case.name:
            continue
        now = run_case(case, args.repeat, cafe_solver.solve)
        rnd = run_random(case, args.repeat)
        q = now.qualities
        row = (
            f"| {case.name} | {_cell([x.floor for x in q])} | {case.known or '='} "
            f"| {_cell([x.repeats for x in q])} | {_cell([x.pairs for x in q])} "
            f"| {_cell([x.most for x in q])} | {_cell([x.repeats for x in rnd])} "
            f"| {statistics.median(now.times):.2f} ({max(now.times):.2f}) |"
        )
        if before is not None:
            old = run_case(case, args.repeat, before)
            row += (
                f" {_cell([x.repeats for x in old.qualities])} "
                f"| {statistics.median(old.times):.2f} ({max(old.times):.2f}) |"
            )
        revisits = [x.revisits for x in q]
        if any(revisits):
            row += f" revisits {_cell(revisits)}"
        if case.late:
            row += f" moved {_cell(now.moved)}"
            if before is not None:
                row += f" (at {args.before}: {_cell(old.moved)})"
        print(row, flush=True)
    print(f"# load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
