"""World Café solver benchmark: plan quality and time against random assignment.

    .venv/bin/python -m loadtests.cafe_solver [--repeat 5]

For each case of the issue (and harder ones: pigeonhole, composite and
prime-power table counts) the solver plans every round from scratch with seeds
1…repeat, and a random balanced assignment (hosts kept
at their tables) is drawn with the same seeds. Reported: medians of wall time,
repeated encounters, revisits and the mix score, and the ratio of the
solver's repeats to random's. Organisation types are drawn at random from the
seven stakeholder groups (seeded), so the mix has something to do.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time
from dataclasses import dataclass

from rooms.cafe.solver import Problem, quality, random_plan, solve


@dataclass(frozen=True)
class Case:
    name: str
    tables: int
    seats: int
    people: int
    rounds: int
    hosted: bool = False


CASES = [
    Case("30 people, 6 hosted tables of 5, 4 rounds", 6, 5, 30, 4, hosted=True),
    Case("42 guests, 7 tables of 6, 6 rounds", 7, 6, 42, 6),
    Case("Kirkman: 15 guests, 5 tables of 3, 7 rounds", 5, 3, 15, 7),
    Case("500 people, 50 tables of 10, 5 rounds", 50, 10, 500, 5),
    Case("100 people, 12 tables of 9, 5 rounds", 12, 9, 100, 5),
    Case("40 people, 5 tables of 8, 4 rounds (repeats forced)", 5, 8, 40, 4),
    Case("500 people, 50 tables, 10 hosted, 5 rounds", 50, 10, 500, 5, hosted=True),
    Case("56 guests, 8 tables of 7, 8 rounds (GF(8))", 8, 7, 56, 8),
    Case("72 people, 9 tables of 8, 5 rounds (GF(9))", 9, 8, 72, 5),
]


def _measure(seating: list[list[int]], case: Case, orgs: list[int], hosts: dict[int, int]):
    rounds = [{str(x): t for x, t in enumerate(row)} for row in seating]
    named = {str(x): str(o) for x, o in enumerate(orgs)}
    return quality(rounds, case.tables, named, {str(h) for h in hosts.values()})


def run_case(case: Case, repeat: int) -> dict[str, float]:
    times, reps, revs, mixes, r_reps, r_revs, r_mixes = [], [], [], [], [], [], []
    for seed in range(1, repeat + 1):
        rng = random.Random(seed)
        orgs = [rng.randrange(7) for _ in range(case.people)]
        if case.hosted:
            count = case.tables if case.people <= 100 else 10
            hosts = {t: t for t in range(count)}
        else:
            hosts = {}
        problem = Problem(
            capacities=[case.seats] * case.tables,
            people=case.people,
            plan_rounds=case.rounds,
            orgs=orgs,
            hosts=hosts,
        )
        start = time.perf_counter()
        plan = solve(problem, seed)
        times.append(time.perf_counter() - start)
        q = _measure(plan, case, orgs, hosts)
        base = _measure(
            random_plan(problem.capacities, case.people, case.rounds, hosts, seed),
            case,
            orgs,
            hosts,
        )
        reps.append(q.repeats)
        revs.append(q.revisits)
        mixes.append(q.mix)
        r_reps.append(base.repeats)
        r_revs.append(base.revisits)
        r_mixes.append(base.mix)
    med = statistics.median
    return {
        "time": med(times),
        "time_max": max(times),
        "repeats": med(reps),
        "repeats_max": max(reps),
        "revisits": med(revs),
        "mix": med(mixes),
        "random_repeats": med(r_reps),
        "random_revisits": med(r_revs),
        "random_mix": med(r_mixes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"# {platform.python_version()}, {os.cpu_count()} cores, load {load[0]:.2f}")
    print(
        "| case | time median (max) s | repeats median (max) | random repeats | ratio "
        "| revisits (random) | mix (random) |"
    )
    print("|---|---|---|---|---|---|---|")
    for case in CASES:
        r = run_case(case, args.repeat)
        ratio = r["repeats"] / r["random_repeats"] if r["random_repeats"] else 0.0
        print(
            f"| {case.name} | {r['time']:.3f} ({r['time_max']:.3f}) "
            f"| {r['repeats']:g} ({r['repeats_max']:g}) | {r['random_repeats']:g} | {ratio:.3f} "
            f"| {r['revisits']:g} ({r['random_revisits']:g}) "
            f"| {r['mix']:.3f} ({r['random_mix']:.3f}) |"
        )
    print(f"# load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
