"""The rotation solver on the cases from the issue, against its own invariants."""

from __future__ import annotations

from collections import Counter

import pytest

from rooms.cafe.solver import (
    DIFFERENCE_12,
    NO_SEAT,
    SQUARES_6,
    SQUARES_10,
    Problem,
    balanced_loads,
    construction_rounds,
    galois_field,
    grid_runs,
    quality,
    random_plan,
    repeat_floor,
    solve,
)


def _quality(
    plan: list[list[int]], tables: int, hosts: dict[int, int] | None = None
) -> tuple[int, int]:
    rounds = [{str(x): t for x, t in enumerate(row)} for row in plan]
    q = quality(rounds, tables, {}, {str(h) for h in (hosts or {}).values()})
    return q.repeats, q.revisits


def _loads(row: list[int], tables: int) -> list[int]:
    loads = [0] * tables
    for t in row:
        if t != NO_SEAT:
            loads[t] += 1
    return loads


def test_thirty_people_six_hosted_tables_four_rounds_meet_no_one_twice() -> None:
    hosts = {t: t for t in range(6)}
    problem = Problem(capacities=[5] * 6, people=30, plan_rounds=4, hosts=hosts)
    plan = solve(problem, seed=1)
    assert _quality(plan, 6, hosts) == (0, 0)
    for row in plan:
        assert _loads(row, 6) == [5] * 6
        assert all(row[t] == t for t in range(6))  # hosts stay


def test_forty_two_guests_seven_tables_six_rounds_meet_no_one_twice() -> None:
    plan = solve(Problem(capacities=[6] * 7, people=42, plan_rounds=6), seed=1)
    assert _quality(plan, 7) == (0, 0)
    random_repeats, _ = _quality(random_plan([6] * 7, 42, 6, {}, seed=1), 7)
    assert random_repeats > 50


def test_kirkman_schoolgirls_come_close_to_the_best_known() -> None:
    """15 girls, 5 tables of 3, 7 days, no revisit in the first five: zero is impossible.

    Kirkman's zero-repeat schedules exist, but none keeps goal 2 (every girl
    at every table once in the first five days): proved two independent ways
    by an outside check with an exact model (issue 20). The optimum is at
    least 1; the best plan known has 9. The cheap floor cannot see this and
    says 0.
    """
    plan = solve(Problem(capacities=[3] * 5, people=15, plan_rounds=7), seed=1)
    repeats, revisits = _quality(plan, 5)
    random_repeats, _ = _quality(random_plan([3] * 5, 15, 7, {}, seed=1), 5)
    for row in plan:
        assert _loads(row, 5) == [3] * 5
    assert revisits == 0  # 7 rounds on 5 tables: revisits only once all are seen
    assert repeats < random_repeats / 2
    assert 1 <= repeats <= 10  # 10 with seed 1; the best known is 9


def test_the_floor_is_exact_where_the_pigeonhole_decides_and_the_solver_reaches_it() -> None:
    """Four rounds each; the floor counts the pairs two rounds' tables must share.

    20 on 4 tables of 5: two rounds form a 4×4 matrix of overlaps with an
    empty diagonal (no revisit) and rows of 5 over 3 cells, so 2+2+1: 2 pairs
    per table, 8 per two rounds, 48 over the 6 pairs of rounds. 36 on 6 of 6:
    6 over 5 cells, 1 per table, 36. 40 on 5 of 8: 8 over 4 cells, 4 per
    table, 120. Each is also the proven optimum (issue 20). The first and
    the last are reached for every seed (the affine plane over GF(4), and
    two copies of the one over GF(5)); 36 on 6 tables for 8 of the seeds
    1–10 (seeds 3 and 6 end one above it).
    """
    for tables, seats, floor, seeds in (
        (4, 5, 48, (1, 2, 3)),
        (5, 8, 120, (1, 2, 3)),
        (6, 6, 36, (1, 2, 4)),
    ):
        people = tables * seats
        for seed in seeds:
            plan = solve(Problem(capacities=[seats] * tables, people=people, plan_rounds=4), seed)
            rounds = [{str(x): t for x, t in enumerate(row)} for row in plan]
            q = quality(rounds, tables, {})
            assert (q.floor, q.revisits) == (floor, 0)
            assert repeat_floor(plan, tables) == floor
            assert q.repeats == floor, (tables, seats, seed)
            assert q.most == 2  # nobody meets three times: the floor needs that
            assert q.pairs == floor


def test_thirty_on_six_tables_of_five_cannot_reach_zero_and_says_so() -> None:
    """Zero repeats over 4 rounds with no revisit needs two orthogonal Latin squares of order 6,
    which do not exist (Euler's 36 officers): the optimum is at least 2 (issue 20),
    the best plan known to the issue had 7. The cheap floor says 0. The start
    from two near-orthogonal idempotent squares has 7, and the search takes
    it to 6 (seeds 1–10)."""
    for seed in (1, 2, 3):
        plan = solve(Problem(capacities=[5] * 6, people=30, plan_rounds=4), seed)
        rounds = [{str(x): t for x, t in enumerate(row)} for row in plan]
        q = quality(rounds, 6, {})
        assert (q.floor, q.revisits) == (0, 0)
        assert 2 <= q.repeats <= 6


@pytest.mark.timeout(300)  # four full solves: ~15 s on a quiet machine
def test_the_first_two_rounds_repeat_nobody_for_every_seed() -> None:
    """30 on 6 tables of 5, 4 rounds: an event that stops after two rounds, or a late
    arrival who re-plans the rest, keeps whatever the first rounds repeated.

    Four seeds in ``make test`` (twelve made it the slowest test of the suite);
    loadtests/cafe_solver.py measures many more."""
    for seed in range(1, 5):
        plan = solve(Problem(capacities=[5] * 6, people=30, plan_rounds=4), seed)
        assert _quality(plan[:2], 6) == (0, 0), seed


def test_quality_counts_pairs_most_meetings_and_a_floor_for_played_rounds() -> None:
    """Four people on two tables of two, three rounds: a and b together every time."""
    rounds = [
        {"a": 0, "b": 0, "c": 1, "d": 1},
        {"a": 0, "b": 0, "c": 1, "d": 1},
        {"a": 1, "b": 1, "c": 0, "d": 0},
    ]
    q = quality(rounds, 2, {})
    assert (q.repeats, q.pairs, q.most) == (8, 2, 3)  # (3-1)² for a–b and for c–d
    assert q.revisits == 4  # everyone back at their table in round 2
    assert q.floor == 0  # with revisits allowed, nothing forces a pair together
    # Two rounds played as they were: a–b and c–d met twice already.
    assert quality(rounds, 2, {}, played=2).floor == 2
    # Without revisits, two tables of two: table 1's pair must move on together.
    assert repeat_floor([[0, 0, 1, 1], [1, 1, 0, 0]], 2) == 2
    assert repeat_floor([[0, 0, 1, 1], [1, 1, 0, 0]], 2, fresh=False) == 0
    assert quality(rounds[:1], 2, {}).most == 1


def test_the_random_baseline_keeps_goal_two() -> None:
    for seed in (1, 2, 3):
        plan = random_plan([5] * 6, 30, 6, {}, seed)
        assert _quality(plan, 6)[1] == 0
        for row in plan:
            assert _loads(row, 6) == [5] * 6


def test_construction_coverage_follows_the_arithmetic() -> None:
    assert construction_rounds(7, 6, 10) == 7  # prime: up to p rounds
    assert construction_rounds(50, 10, 5) == 5  # (5-1)·10 < 50
    assert construction_rounds(6, 4, 4) == 2  # 2·3 ≡ 0 mod 6


def test_loads_stay_within_one_and_under_capacity() -> None:
    assert balanced_loads([5, 5, 5], [1, 0, 0], 10) == [4, 3, 3]
    assert balanced_loads([2, 9, 9], [0, 0, 0], 12) == [2, 5, 5]
    assert balanced_loads([2, 2], [0, 0], 7) == [2, 2]  # the rest has no seat


def test_too_many_people_leaves_the_rest_unseated() -> None:
    plan = solve(Problem(capacities=[2, 2], people=5, plan_rounds=2), seed=3)
    for row in plan:
        assert _loads(row, 2) == [2, 2]
        assert row.count(NO_SEAT) == 1


def test_history_counts_people_met_in_rounds_already_played() -> None:
    played = [{x: x // 4 for x in range(12)}]
    plan = solve(Problem(capacities=[4] * 3, people=12, plan_rounds=2, history=played), seed=2)
    rounds = [{str(x): t for x, t in p.items()} for p in played]
    rounds += [{str(x): t for x, t in enumerate(row)} for row in plan]
    q = quality(rounds, 3, {}, played=1)
    assert q.revisits == 0
    # No revisit on 3 tables in 3 rounds: each person's path is one of the 6
    # orders of the tables, and two people who share a table in two rounds
    # share the order, so they meet three times. Every two rounds, 4 people
    # per table over 2 other tables put 2 pairs together at each: the floor
    # is 18, but those pairs meet thrice, (3-1)² = 4 for 6 pairs: 24 is the
    # optimum, reached.
    assert q.floor == 18
    assert (q.repeats, q.pairs, q.most) == (24, 6, 3)


def test_keep_apart_and_together_and_pins_are_honoured() -> None:
    problem = Problem(
        capacities=[4] * 4,
        people=16,
        plan_rounds=3,
        apart=[[0, 1, 2]],
        together=[[3, 4]],
        pinned={1: {5: 2}},
    )
    plan = solve(problem, seed=4)
    for row in plan:
        assert len({row[0], row[1], row[2]}) == 3
        assert row[3] == row[4]
        assert _loads(row, 4) == [4] * 4
    assert plan[1][5] == 2


def test_organisation_types_are_spread() -> None:
    orgs = [x % 4 for x in range(24)]
    plan = solve(Problem(capacities=[4] * 6, people=24, plan_rounds=3, orgs=orgs), seed=5)
    rounds = [{str(x): t for x, t in enumerate(row)} for row in plan]
    named: dict[str, str | None] = {str(x): str(o) for x, o in enumerate(orgs)}
    q = quality(rounds, 6, named)
    baseline = random_plan([4] * 6, 24, 3, {}, seed=5)
    randomly = quality([{str(x): t for x, t in enumerate(row)} for row in baseline], 6, named)
    assert q.repeats == 0
    assert q.mix >= 0.9 > randomly.mix


def test_same_seed_same_plan() -> None:
    problem = Problem(capacities=[4] * 5, people=19, plan_rounds=4, orgs=[x % 3 for x in range(19)])
    assert solve(problem, seed=9) == solve(problem, seed=9)


def test_five_hundred_people_on_fifty_tables_meet_no_one_twice() -> None:
    """Quality only: the time (≤ 2 s) is measured by loadtests/cafe_solver.py."""
    orgs = [x % 7 for x in range(500)]
    plan = solve(Problem(capacities=[10] * 50, people=500, plan_rounds=5, orgs=orgs), seed=1)
    assert _quality(plan, 50) == (0, 0)
    for row in plan:
        assert _loads(row, 50) == [10] * 50


def test_the_order_six_squares_are_idempotent_latin_and_disagree_off_the_diagonal() -> None:
    size = 6
    for square in SQUARES_6:
        for i in range(size):
            assert square[i][i] == i
            assert sorted(square[i]) == list(range(size))
            assert sorted(square[k][i] for k in range(size)) == list(range(size))
    a, b = SQUARES_6
    off = [(i, j) for i in range(size) for j in range(size) if i != j]
    assert all(a[i][j] != b[i][j] for i, j in off)
    pairs = Counter((a[i][j], b[i][j]) for i, j in off)
    assert sum(c * (c - 1) // 2 for c in pairs.values()) == 7  # the 7 repeats of the start


def test_the_twelve_table_difference_matrix_differs_by_each_element_once() -> None:
    """Every two rows of ``DIFFERENCE_12`` differ by each element of Z2 × Z6 once."""

    def minus(x: int, y: int) -> int:
        return ((x // 6 - y // 6) % 2) * 6 + (x % 6 - y % 6) % 6

    assert len(DIFFERENCE_12) >= 5
    for i, upper in enumerate(DIFFERENCE_12):
        assert len(upper) == 12 and upper[0] == 0
        for lower in DIFFERENCE_12[i + 1 :]:
            assert sorted(minus(x, y) for x, y in zip(upper, lower, strict=True)) == list(range(12))


def test_the_ten_table_squares_are_idempotent_latin_and_orthogonal() -> None:
    size = 10
    for square in SQUARES_10:
        for i in range(size):
            assert square[i][i] == i
            assert sorted(square[i]) == list(range(size))
            assert sorted(square[k][i] for k in range(size)) == list(range(size))
    a, b = SQUARES_10
    assert len({(a[i][j], b[i][j]) for i in range(size) for j in range(size)}) == size * size


@pytest.mark.parametrize("tables", [10, 12])
def test_grid_seats_never_meet_twice_nor_revisit_and_fill_every_table_alike(tables: int) -> None:
    seats = grid_runs(tables)
    rounds = len(seats[0])
    assert len(seats) == tables * (tables - 1)
    assert rounds == (4 if tables == 10 else len(DIFFERENCE_12))
    for seat in seats:
        assert len(set(seat)) == rounds  # no table twice
    together = Counter(
        (r, s, seat[r], seat[s]) for seat in seats for r in range(rounds) for s in range(r)
    )
    assert max(together.values()) == 1  # two seats share a table in one round at most
    for r in range(rounds):
        assert Counter(seat[r] for seat in seats) == dict.fromkeys(range(tables), tables - 1)


def test_galois_fields_are_fields() -> None:
    for q in (4, 8, 9):
        field = galois_field(q)
        assert field is not None
        add, mul = field
        for x in range(q):
            assert add[0][x] == x and mul[1][x] == x
            if x:
                assert 1 in mul[x]  # an inverse
            for y in range(q):
                assert add[x][y] == add[y][x] and mul[x][y] == mul[y][x]
                for z in range(q):
                    assert mul[x][add[y][z]] == add[mul[x][y]][mul[x][z]]
    assert galois_field(6) is None
    assert galois_field(12) is None


def test_prime_power_tables_use_the_affine_plane_over_gf_q() -> None:
    """8 tables: the modular construction covers two rounds; GF(8) covers eight."""
    assert construction_rounds(8, 7, 8) == 2
    plan = solve(Problem(capacities=[7] * 8, people=56, plan_rounds=8), seed=1)
    assert _quality(plan, 8) == (0, 0)
    for row in plan:
        assert _loads(row, 8) == [7] * 8
    plan = solve(Problem(capacities=[8] * 9, people=72, plan_rounds=5), seed=1)
    assert _quality(plan, 9) == (0, 0)


def test_twelve_tables_start_from_the_grid_and_meet_no_one_twice() -> None:
    """100 people on 12 tables of 9 over 5 rounds: 42 repeats at first, 23 from the
    nearby primes (CP-SAT found 14, a long tabu run 9–10), 0 from the grid for every
    seed; 120 on 12 tables of 10 over 6 rounds (ten whole columns) as well."""
    for seed in range(1, 11):
        plan = solve(Problem(capacities=[9] * 12, people=100, plan_rounds=5), seed)
        assert _quality(plan, 12) == (0, 0), seed
        for row in plan:
            assert sorted(_loads(row, 12)) == [8] * 8 + [9] * 4
    plan = solve(Problem(capacities=[10] * 12, people=120, plan_rounds=6), seed=1)
    assert _quality(plan, 12) == (0, 0)


def test_ten_tables_start_from_the_grid_where_it_is_nearly_full() -> None:
    """85 on 10 tables of 9 over 4 rounds: 14 repeats from the nearby primes, 0 from
    the two squares; with ten hosts on the diagonal, 100 on 10 tables of 10."""
    for seed in (1, 2, 3):
        plan = solve(Problem(capacities=[9] * 10, people=85, plan_rounds=4), seed)
        assert _quality(plan, 10) == (0, 0), seed
        for row in plan:
            assert sorted(_loads(row, 10)) == [8] * 5 + [9] * 5
    hosts = {t: 90 + t for t in range(10)}
    problem = Problem(capacities=[10] * 10, people=100, plan_rounds=4, hosts=hosts)
    plan = solve(problem, seed=1)
    assert _quality(plan, 10, hosts) == (0, 0)
    for row in plan:
        assert all(row[x] == t for t, x in hosts.items())


def test_hosts_stay_when_the_start_uses_more_virtual_tables() -> None:
    """7 virtual tables for 6 hosted ones: the seventh's guests are seated by the search."""
    hosts = {t: 10 + t for t in range(6)}
    problem = Problem(capacities=[6] * 6, people=34, plan_rounds=4, hosts=hosts)
    plan = solve(problem, seed=2)
    _, revisits = _quality(plan, 6, hosts)
    assert revisits == 0
    for row in plan:
        assert all(row[x] == t for t, x in hosts.items())
        assert sorted(_loads(row, 6)) == [5, 5, 6, 6, 6, 6]


def test_a_late_arrival_still_sees_every_table_before_returning() -> None:
    """Three rounds played without person 14, four more on 5 tables: 14 sees four tables.

    Revisits are weighed in the first five planned rounds, not five minus
    the rounds played: the late arrival played none of them.
    """
    played = [{x: (x % 5 + r * (1 + x // 5)) % 5 for x in range(14)} for r in range(3)]
    for seed in range(1, 4):
        problem = Problem(capacities=[3] * 5, people=15, plan_rounds=4, history=played)
        plan = solve(problem, seed=seed)
        assert len({row[14] for row in plan}) == 4
        for row in plan:
            assert _loads(row, 5) == [3] * 5
