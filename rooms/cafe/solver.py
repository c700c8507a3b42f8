"""The World Café rotation: who sits at which table in each round.

A pure, deterministic function of its inputs and a seed: the café module
runs it inside ``decide`` and writes the plan into the event, so replaying
the log never runs it again.

Goals, in order (the weights below keep them in that order):

1. capacities hold and tables are balanced to within one person (hard: the
   search only ever swaps people, so the loads it starts with stay);
2. no guest returns to a table while they have tables left to visit;
3. as few repeated encounters as possible: a pair who sat together k times
   counts (k-1)², so a third meeting hurts four times a second one. The
   search minimises exactly what ``quality`` reports, and stops at the
   room's floor (``repeat_floor``): some rooms cannot reach zero (40 people
   on 5 tables of 8 have at least 120 repeats; 30 on 6 tables of 5 at
   least 2, because two orthogonal Latin squares of order 6 do not exist);
4. organisation types mixed at every table.

The rounds are then ordered so that the first ones repeat no encounter
wherever the plan allows: events end early and people arrive late, and a
repeat once played stays.

This is the social golfer / progressive party problem. Where the numbers
allow, a known construction gives a perfect start: with T tables, guest
(a, b) (column ``a``, layer ``b`` ≥ 1) sits at table ``a + r·b mod T`` in
round r. Two guests meet twice only if T divides (r-r')·(b-b'), and a guest
revisits a table only if T divides (r-r')·b; for a prime T (the affine
plane, mutually orthogonal Latin squares) that never happens within T
rounds, and for any T it never happens while (rounds-1)·layers < T. For a
prime power T (8, 9, …) the same formula in GF(T) covers T rounds; 6, 10
and 12 tables start from (near-)orthogonal Latin squares (``SQUARES_6``,
``SQUARES_10``, ``DIFFERENCE_12``); for other composite T it runs on the
nearest primes as virtual tables and the search seats the rest. Hosts
are layer 0: they stay put, which is exactly what a host does.
Otherwise, and for the rounds beyond what the construction covers, a
greedy start and a local search (min-conflicts,
then tabu search; swaps between tables within one round) take over.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import heapq
import itertools
import random
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

W_REVISIT = 10_000
W_APART = 1_000
W_REPEAT = 100
W_MIX = 1
NO_SEAT = -1


@dataclass
class Problem:
    """Everything the solver needs; people are referred to by their index.

    ``history`` holds rounds already played (person index -> table, people
    not present any more left out); ``plan_rounds`` is how many rounds to
    plan after them. ``pinned`` maps a round offset (0 = the first round to
    plan) to people the moderator placed by hand. ``previous`` is an earlier
    plan for those rounds: re-solving starts from it, so a late arrival
    changes little for everyone else.
    """

    capacities: list[int]
    people: int
    plan_rounds: int
    orgs: list[int] = field(default_factory=list)  # -1 = unknown
    hosts: dict[int, int] = field(default_factory=dict)  # table -> person
    history: list[dict[int, int]] = field(default_factory=list)
    pinned: dict[int, dict[int, int]] = field(default_factory=dict)
    apart: list[list[int]] = field(default_factory=list)
    together: list[list[int]] = field(default_factory=list)
    previous: list[dict[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class Quality:
    """How good a schedule is, as the console shows it."""

    repeats: int  # sum over pairs of (meetings - 1)²: twice counts 1, three times 4
    revisits: int  # (guest, round) back at a table while unvisited ones remained
    mix: float  # 1.0 = every table as mixed as the room allows
    unseated: int = 0
    pairs: int = 0  # pairs who sat together twice or more
    most: int = 0  # the most meetings of any one pair
    floor: int = 0  # no plan with these table loads has fewer repeats (``repeat_floor``)


def balanced_loads(capacities: list[int], fixed: list[int], people: int) -> list[int]:
    """Loads per table for ``people`` in total: within one of each other where capacity allows.

    ``fixed`` people per table (hosts, pinned) are there already. Water-filling:
    each next person goes to the emptiest table that still has room.
    """
    loads = list(fixed)
    free = people - sum(fixed)
    heap = [(loads[t], t) for t in range(len(capacities)) if loads[t] < capacities[t]]
    heapq.heapify(heap)
    while free > 0 and heap:
        load, t = heapq.heappop(heap)
        loads[t] = load + 1
        free -= 1
        if loads[t] < capacities[t]:
            heapq.heappush(heap, (loads[t], t))
    return loads


def construction_rounds(tables: int, layers: int, rounds: int) -> int:
    """How many rounds the modular construction covers with no repeat and no revisit."""
    best = 0
    for r in range(1, rounds + 1):
        if any((d * e) % tables == 0 for d in range(1, r) for e in range(1, layers + 1)):
            break
        best = r
    return best


class _Search:
    """The schedule being improved: per round a table for each person and members per table."""

    def __init__(self, problem: Problem, rng: random.Random) -> None:
        self.p = problem
        self.rng = rng
        self.n = problem.people
        self.tables = len(problem.capacities)
        self.rounds = problem.plan_rounds
        self.orgs = problem.orgs or [-1] * self.n
        # A revisit only counts while unvisited tables remain: once a guest
        # has sat at every table (planned rounds before ``horizon`` free of
        # revisits see to that), any table will do. Later rounds neither
        # count visits nor pay for them; a balanced spread of later visits
        # would only constrain the search (Kirkman's last two rounds). Not
        # shortened by the played rounds: a late arrival missed some of them.
        self.horizon = self.tables
        self.w_round = [W_REVISIT if r < self.horizon else 0 for r in range(self.rounds)]
        self.meets: dict[int, int] = {}
        self.visits = [[0] * self.tables for _ in range(self.n)]
        self.apart: set[int] = set()
        for group in problem.apart:
            for i, x in enumerate(group):
                for y in group[i + 1 :]:
                    if x != y:
                        self.apart.add(self._key(x, y))
        self.partner: dict[int, list[int]] = {}
        for group in problem.together:
            for x in group:
                self.partner[x] = [y for y in group if y != x]
        for past in problem.history:
            self._count(past, +1)
        # Repeats so far, kept up to date by ``seat`` and ``unseat``: the
        # measure ``quality`` reports, sum over pairs of (meetings - 1)².
        self.repeats = sum((c - 1) ** 2 for c in self.meets.values() if c)
        host_of = {x: t for t, x in problem.hosts.items()}
        self.fixed: list[dict[int, int]] = []
        for r in range(self.rounds):
            pins = dict(host_of)
            for x, t in problem.pinned.get(r, {}).items():
                if x not in host_of:
                    pins[x] = t
            # A keep-together partner of a fixed person is fixed with them.
            for x, t in list(pins.items()):
                for y in self.partner.get(x, []):
                    pins.setdefault(y, t)
            self.fixed.append(pins)
        self.assign: list[list[int]] = [[NO_SEAT] * self.n for _ in range(self.rounds)]
        self.members: list[list[list[int]]] = [
            [[] for _ in range(self.tables)] for _ in range(self.rounds)
        ]

    def _key(self, x: int, y: int) -> int:
        return x * self.n + y if x < y else y * self.n + x

    def _count(self, seating: dict[int, int], sign: int) -> None:
        by_table: dict[int, list[int]] = {}
        for x, t in seating.items():
            if t != NO_SEAT and 0 <= x < self.n and 0 <= t < self.tables:
                by_table.setdefault(t, []).append(x)
                self.visits[x][t] += sign
        for group in by_table.values():
            for i, x in enumerate(group):
                for y in group[i + 1 :]:
                    k = self._key(x, y)
                    self.meets[k] = self.meets.get(k, 0) + sign

    # --- seating ------------------------------------------------------------

    def seat(self, r: int, x: int, t: int) -> None:
        self.assign[r][x] = t
        if t == NO_SEAT:
            return
        meets = self.meets
        added = 0
        for m in self.members[r][t]:
            k = self._key(x, m)
            c = meets.get(k, 0)
            if c:
                added += 2 * c - 1  # (c+1-1)² - (c-1)²
            meets[k] = c + 1
        self.repeats += added
        self.members[r][t].append(x)
        if r < self.horizon:
            self.visits[x][t] += 1

    def unseat(self, r: int, x: int) -> None:
        t = self.assign[r][x]
        if t == NO_SEAT:
            return
        self.members[r][t].remove(x)
        meets = self.meets
        removed = 0
        for m in self.members[r][t]:
            k = self._key(x, m)
            c = meets[k] - 1
            if c:
                removed += 2 * c - 1
            meets[k] = c
        self.repeats -= removed
        if r < self.horizon:
            self.visits[x][t] -= 1
        self.assign[r][x] = NO_SEAT

    # --- costs --------------------------------------------------------------

    def pair_cost(self, x: int, m: int, together_now: bool) -> int:
        """What x and m sitting together in one round adds, given their other meetings."""
        k = self._key(x, m)
        c = self.meets.get(k, 0) - (1 if together_now else 0)
        cost = W_REPEAT * (2 * c - 1) if c > 0 else 0
        ox = self.orgs[x]
        if ox >= 0 and ox == self.orgs[m]:
            cost += W_MIX
        if k in self.apart:
            cost += W_APART
        return cost

    def place_cost(self, r: int, x: int, t: int, without: int = -1) -> int:
        """x's share of the cost of sitting at table t in round r (``without`` ignored)."""
        here = self.assign[r][x] == t
        v = self.visits[x][t] - (1 if here else 0)
        cost = self.w_round[r] * v
        for m in self.members[r][t]:
            if m != x and m != without:
                cost += self.pair_cost(x, m, here)
        for y in self.partner.get(x, ()):
            if self.assign[r][y] != t and y != without:
                cost += W_APART * 10
        return cost

    def hard(self, r: int, x: int) -> int:
        """x's cost in round r beyond the mix: revisits, repeats, keep-apart, keep-together."""
        t = self.assign[r][x]
        if t == NO_SEAT or x in self.fixed[r]:
            return 0
        return self.place_cost(r, x, t) - W_MIX * sum(
            1
            for m in self.members[r][t]
            if m != x and self.orgs[x] >= 0 and self.orgs[m] == self.orgs[x]
        )

    def total(self) -> int:
        """The search's objective; every delta above is exactly its change.

        Repeats are counted as ``quality`` counts them (sum over pairs of
        (meetings - 1)²), the history included; a table's k-th visit within
        the horizon costs k-1 (sum over guests and tables of C(visits, 2)).
        Hosts and pins add a constant, which no comparison minds.
        """
        cost = W_REPEAT * self.repeats
        cost += W_REVISIT * sum(v * (v - 1) // 2 for row in self.visits for v in row)
        for r in range(self.rounds):
            for group in self.members[r]:
                for i, x in enumerate(group):
                    ox = self.orgs[x]
                    for m in group[i + 1 :]:
                        if ox >= 0 and ox == self.orgs[m]:
                            cost += W_MIX
                        if self.apart and self._key(x, m) in self.apart:
                            cost += W_APART
        return cost

    def settled(self, floor: int) -> bool:
        """Nothing left to gain on goals 2 and 3: repeats at the floor, no revisit,
        no keep-apart pair together, no keep-together group split."""
        if self.repeats > floor:
            return False
        for r in range(self.rounds):
            row = self.assign[r]
            for x in range(self.n):
                t = row[x]
                if t == NO_SEAT or x in self.fixed[r]:
                    continue
                if self.w_round[r] and self.visits[x][t] > 1:
                    return False
                if any(row[y] != t for y in self.partner.get(x, ())):
                    return False
            if self.apart:
                for group in self.members[r]:
                    for i, x in enumerate(group):
                        if any(self._key(x, m) in self.apart for m in group[i + 1 :]):
                            return False
        return True

    # --- building -----------------------------------------------------------

    def targets(self, r: int, present: list[int]) -> list[int]:
        fixed = [0] * self.tables
        for t in self.fixed[r].values():
            if 0 <= t < self.tables:
                fixed[t] += 1
        return balanced_loads(self.p.capacities, fixed, len(present))

    def _kept_loads(self, r: int, seating: dict[int, int], target: list[int]) -> list[int] | None:
        """The initial seating's own loads for round r, if they can stay; else None.

        Which tables take the one extra person is free as long as the loads
        stay within one of each other. The grid start cannot put the extras
        on the first tables in every round, and a re-plan from such a plan
        should not move people to put them there. So the seating's loads
        stay, and people who are not in it (a newcomer) go to the emptiest
        tables (``build``), where the one who left made room. Only where
        that ends balanced, with the loads of ``target`` and within the
        tables' capacity.
        """
        fixed = self.fixed[r]
        loads = [0] * self.tables
        for t in fixed.values():
            if 0 <= t < self.tables:
                loads[t] += 1
        for x, t in seating.items():
            if x not in fixed and 0 <= x < self.n and 0 <= t < self.tables:
                loads[t] += 1
        room = self.p.capacities
        if sum(loads) > self.n or any(n > c for n, c in zip(loads, room, strict=True)):
            return None
        filled = loads[:]
        for _ in range(self.n - sum(loads)):
            free = [t for t in range(self.tables) if filled[t] < room[t]]
            if not free:
                return None
            filled[min(free, key=lambda t: filled[t])] += 1
        if max(filled) - min(filled) > 1 or sorted(filled) != sorted(target):
            return None
        return loads

    def build(
        self, initial: list[dict[int, int]], shuffle: bool = False, keep_loads: bool = False
    ) -> None:
        """Seat every round: fixed people, then the initial plan where it fits, then greedily.

        ``shuffle``: the greedy takes people in a random order (a restart's
        start). ``keep_loads``: the initial plan's choice of the fuller
        tables stays (``_kept_loads``), and the people it does not seat fill
        the emptiest tables, the cheapest of them for each.
        """
        everyone = list(range(self.n))
        capacity = self.p.capacities
        for r in range(self.rounds):
            target = self.targets(r, everyone)
            own = None
            if keep_loads and r < len(initial):
                own = self._kept_loads(r, initial[r], target)
            load = [0] * self.tables
            for x, t in self.fixed[r].items():
                if 0 <= t < self.tables:
                    self.seat(r, x, t)
                    load[t] += 1
            rest = [x for x in everyone if x not in self.fixed[r]]
            want = initial[r] if r < len(initial) else {}
            limit = own if own is not None else target
            later: list[int] = []
            for x in rest:
                t = want.get(x, NO_SEAT)
                if 0 <= t < self.tables and load[t] < limit[t]:
                    self.seat(r, x, t)
                    load[t] += 1
                else:
                    later.append(x)
            if shuffle:
                self.rng.shuffle(later)
            # Keep-together groups first, so they find a table with room for all.
            later.sort(key=lambda x: -len(self.partner.get(x, ())))
            for x in later:
                if self.assign[r][x] != NO_SEAT:
                    continue
                group = [x] + [y for y in self.partner.get(x, []) if self.assign[r][y] == NO_SEAT]
                if own is not None:
                    low = min(
                        (load[t] for t in range(self.tables) if load[t] < capacity[t]), default=0
                    )
                    room = [
                        t
                        for t in range(self.tables)
                        if load[t] + len(group) <= min(low + 1, capacity[t])
                    ]
                    if not room:
                        group = [x]
                        room = [t for t in range(self.tables) if load[t] == low < capacity[t]]
                    if not room:
                        continue
                    best = min(room, key=lambda t: (self.place_cost(r, x, t), t))
                    for y in group:
                        self.seat(r, y, best)
                        load[best] += 1
                    continue
                room = [t for t in range(self.tables) if target[t] - load[t] >= len(group)]
                if not room:
                    group = [x]
                    room = [t for t in range(self.tables) if load[t] < target[t]]
                if not room:
                    continue  # no seat left: the tables are full
                best = min(room, key=lambda t: (self.place_cost(r, x, t), load[t] - target[t], t))
                for y in group:
                    self.seat(r, y, best)
                    load[best] += 1

    # --- improving ----------------------------------------------------------

    def swap_delta(self, r: int, x: int, y: int) -> int:
        a, b = self.assign[r][x], self.assign[r][y]
        before = self.place_cost(r, x, a, y) + self.place_cost(r, y, b, x)
        self.unseat(r, x)
        self.unseat(r, y)
        self.seat(r, x, b)
        self.seat(r, y, a)
        after = self.place_cost(r, x, b, y) + self.place_cost(r, y, a, x)
        self.unseat(r, x)
        self.unseat(r, y)
        self.seat(r, x, a)
        self.seat(r, y, b)
        return after - before

    def fast_delta(self, r: int, x: int, y: int) -> int:
        """The cost change of swapping x and y (different tables, no partners) in round r."""
        a, b = self.assign[r][x], self.assign[r][y]
        vx, vy = self.visits[x], self.visits[y]
        delta = self.w_round[r] * (vx[b] - (vx[a] - 1) + vy[a] - (vy[b] - 1))
        # pair_cost, inlined: this is the innermost loop of the search.
        n, meets, orgs, apart = self.n, self.meets, self.orgs, self.apart
        for mover, stayer, table in ((x, y, b), (y, x, a)):
            # ``mover`` joins ``table``, which ``stayer`` leaves.
            om_, os_ = orgs[mover], orgs[stayer]
            for m in self.members[r][table]:
                if m == stayer:
                    continue
                k_in = mover * n + m if mover < m else m * n + mover
                k_out = stayer * n + m if stayer < m else m * n + stayer
                c_in = meets.get(k_in, 0)
                c_out = meets.get(k_out, 0) - 1
                # a pair's k-th meeting costs (k-1)² - (k-2)² = 2k - 3
                if c_in:
                    delta += W_REPEAT * (2 * c_in - 1)
                if c_out:
                    delta -= W_REPEAT * (2 * c_out - 1)
                o = orgs[m]
                if o >= 0:
                    delta += W_MIX * ((om_ == o) - (os_ == o))
                if apart:
                    delta += W_APART * ((k_in in apart) - (k_out in apart))
        return delta

    def swap(self, r: int, x: int, y: int) -> None:
        a, b = self.assign[r][x], self.assign[r][y]
        self.unseat(r, x)
        self.unseat(r, y)
        self.seat(r, x, b)
        self.seat(r, y, a)

    def conflicted(self) -> list[tuple[int, int]]:
        """The movable (round, person) with a hard cost: ``hard`` > 0, found table by table."""
        out: list[tuple[int, int]] = []
        n, meets, apart, partner = self.n, self.meets, self.apart, self.partner
        for r in range(self.rounds):
            row, fixed = self.assign[r], self.fixed[r]
            hot: set[int] = set()
            for t, group in enumerate(self.members[r]):
                for i, x in enumerate(group):
                    if self.w_round[r] and self.visits[x][t] > 1:
                        hot.add(x)
                    for y in partner.get(x, ()):
                        if row[y] != t:
                            hot.add(x)
                    for y in group[i + 1 :]:
                        k = x * n + y if x < y else y * n + x
                        if meets.get(k, 0) > 1 or k in apart:
                            hot.add(x)
                            hot.add(y)
            out.extend((r, x) for x in sorted(hot) if x not in fixed)
        return out

    def movable(self, r: int, x: int) -> bool:
        return self.assign[r][x] != NO_SEAT and x not in self.fixed[r]

    def improve(self, budget: int, floor: int = 0) -> None:
        """Min-conflicts local search with a little noise; keeps the best schedule seen.

        ``budget`` counts evaluated swaps, so the run time is bounded and the
        result is the same on every machine.
        """
        rng = self.rng
        current = self.total()
        best_cost, best = current, [row[:] for row in self.assign]
        spent = 0
        stale = 0
        mix_budget = 15_000  # the mix is the last goal: polish it, briefly
        while spent < budget and current > 0:
            at_floor = self.repeats <= floor and self.settled(floor)
            hot = (
                []
                if at_floor
                else [
                    (r, x)
                    for r in range(self.rounds)
                    for x in range(self.n)
                    if self.movable(r, x) and self.hard(r, x) > 0
                ]
            )
            spent += self.n * self.rounds // 4 + 1
            mix_only = not hot
            if mix_only:
                if mix_budget <= 0:
                    break
                budget = min(budget, spent + mix_budget)
                mix_budget = 0
                hot = [
                    (r, x) for r in range(self.rounds) for x in range(self.n) if self.movable(r, x)
                ]
            rng.shuffle(hot)
            sample = 4 if mix_only else (12 if self.tables <= 16 else 6)
            improved = False
            for r, x in hot:
                if spent >= budget:
                    break
                if not mix_only and self.hard(r, x) == 0:
                    continue
                a = self.assign[r][x]
                others = [t for t in range(self.tables) if t != a and self.members[r][t]]
                if len(others) > sample:
                    others = rng.sample(others, sample)
                best_delta, best_y = None, -1
                for t in others:
                    for y in self.members[r][t]:
                        if not self.movable(r, y):
                            continue
                        spent += 1
                        if x in self.partner or y in self.partner:
                            d = self.swap_delta(r, x, y)
                        else:
                            d = self.fast_delta(r, x, y)
                        if best_delta is None or d < best_delta:
                            best_delta, best_y = d, y
                if best_delta is None:
                    continue
                noisy = not mix_only and rng.random() < 0.1
                if best_delta < 0 or (best_delta == 0 and not mix_only) or noisy:
                    if noisy and best_delta > 0:
                        # a random step instead of the best one, to leave a local minimum
                        t = rng.choice(others)
                        ys = [y for y in self.members[r][t] if self.movable(r, y)]
                        if ys:
                            best_y = rng.choice(ys)
                            best_delta = self.swap_delta(r, x, best_y)
                    self.swap(r, x, best_y)
                    current += best_delta
                    if best_delta < 0:
                        improved = True
                    if current < best_cost:
                        best_cost, best = current, [row[:] for row in self.assign]
            if mix_only and not improved:
                break
            stale = 0 if improved else stale + 1
            if stale > 50:
                break
        if best_cost < current:
            for r in range(self.rounds):
                for x in range(self.n):
                    self.unseat(r, x)
                for x in range(self.n):
                    self.seat(r, x, best[r][x])


def _tabu(search: _Search, iterations: int, budget: int, floor: int = 0) -> int:
    """Tabu search over swaps (for small rooms): always take the best swap for a
    conflicted guest, even a worse one, and forbid moving the same guest in the
    same round again for a while. Finds zero-repeat plans that plain descent
    misses. Returns how many swaps it evaluated.
    """
    rng = search.rng
    current = search.total()
    best_cost, best = current, [row[:] for row in search.assign]
    tabu: dict[tuple[int, int], int] = {}
    last_better = 0
    spent = 0
    for it in range(iterations):
        if it - last_better > 300 or spent >= budget:
            break  # stuck (the repeats left are probably unavoidable), or out of budget
        spent += search.n * search.rounds // 4 + 1
        hot = search.conflicted()
        if not hot:
            break
        choice: tuple[int, int, int] | None = None
        best_delta = 0
        for r, x in rng.sample(hot, min(8, len(hot))):
            a = search.assign[r][x]
            for t in range(search.tables):
                if t == a:
                    continue
                for y in search.members[r][t]:
                    if not search.movable(r, y):
                        continue
                    spent += 1
                    if x in search.partner or y in search.partner:
                        d = search.swap_delta(r, x, y)
                    else:
                        d = search.fast_delta(r, x, y)
                    forbidden = tabu.get((r, x), -1) > it or tabu.get((r, y), -1) > it
                    if forbidden and current + d >= best_cost:
                        continue
                    if choice is None or d < best_delta or (d == best_delta and rng.random() < 0.3):
                        choice, best_delta = (r, x, y), d
        if choice is None:
            continue
        r, x, y = choice
        search.swap(r, x, y)
        current += best_delta
        tabu[(r, x)] = tabu[(r, y)] = it + rng.randint(3, 10)
        if current < best_cost:
            best_cost, best = current, [row[:] for row in search.assign]
            last_better = it
            if search.repeats <= floor and search.settled(floor):
                break  # nothing better exists
    if best_cost < current:
        for r in range(search.rounds):
            for x in range(search.n):
                search.unseat(r, x)
            for x in range(search.n):
                search.seat(r, x, best[r][x])
    return spent


def _prime_power(q: int) -> tuple[int, int] | None:
    """(p, k) with p prime and p**k == q, or None."""
    if q < 2:
        return None
    p = next(d for d in range(2, q + 1) if q % d == 0)
    k, rest = 0, q
    while rest % p == 0:
        rest //= p
        k += 1
    return (p, k) if rest == 1 else None


def _is_prime(n: int) -> bool:
    return n >= 2 and all(n % d for d in range(2, int(n**0.5) + 1))


@functools.lru_cache(maxsize=16)
def galois_field(q: int) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]] | None:
    """Addition and multiplication tables of GF(q) for a prime power q ≤ 49, else None.

    An element is an integer whose base-p digits are the coefficients of a
    polynomial over GF(p); products are reduced modulo the first monic
    polynomial of degree k that makes every non-zero element invertible
    (that is, an irreducible one). Small and cached: q² entries.
    """
    pk = _prime_power(q)
    if pk is None or q > 49:
        return None
    p, k = pk

    def digits(x: int) -> list[int]:
        return [(x // p**i) % p for i in range(k)]

    def number(ds: list[int]) -> int:
        return sum(d * p**i for i, d in enumerate(ds))

    add = tuple(
        tuple(
            number([(u + v) % p for u, v in zip(digits(x), digits(y), strict=True)])
            for y in range(q)
        )
        for x in range(q)
    )
    for low in range(q):
        modulus = digits(low)  # x^k = -(modulus) in the field

        def times(x: int, y: int, modulus: list[int] = modulus) -> int:
            prod = [0] * (2 * k)
            for i, u in enumerate(digits(x)):
                for j, v in enumerate(digits(y)):
                    prod[i + j] = (prod[i + j] + u * v) % p
            for deg in range(2 * k - 1, k - 1, -1):
                c = prod[deg]
                if c:
                    prod[deg] = 0
                    for i, m in enumerate(modulus):
                        prod[deg - k + i] = (prod[deg - k + i] - c * m) % p
            return number(prod[:k])

        mul = tuple(tuple(times(x, y) for y in range(q)) for x in range(q))
        if all(1 in mul[x] for x in range(1, q)):
            return add, mul
    return None  # pragma: no cover - an irreducible polynomial always exists


def _candidates(tables: int, guests: int, rounds: int) -> list[tuple[str, int, int]]:
    """Constructions worth trying: (kind, size, rounds covered), the best coverage first.

    ``mod``: the modular one on the real tables. ``field``: the affine plane
    over GF(q) for a prime-power table count (q rounds, where mod covers
    fewer for q = 4, 8, 9, …). ``virtual``: the affine plane on the nearest
    primes above and below the table count; the guests of a virtual table
    past the last real one, and those over a table's load, are left to the
    greedy start and the search. ``copies``: several copies of the affine
    plane over GF(tables) when there are more guests at a table than tables
    (see ``_round_maps``).
    """
    out: list[tuple[str, int, int]] = []
    layers = -(-guests // tables)
    covered = construction_rounds(tables, layers, rounds)
    if covered:
        out.append(("mod", tables, covered))
    if not _is_prime(tables) and layers < tables and galois_field(tables) is not None:
        out.append(("field", tables, min(rounds, tables)))
    if not out or out[-1][2] < rounds:
        up = next(q for q in range(tables + 1, 2 * tables + 2) if _is_prime(q))
        down = next((q for q in range(tables - 1, 1, -1) if _is_prime(q)), 0)
        for q in (up, down):
            if q >= 2 and -(-guests // q) < q:
                out.append(("virtual", q, min(rounds, q)))
    if layers >= tables and rounds <= tables and (_is_prime(tables) or galois_field(tables)):
        out.append(("copies", tables, rounds))
    if tables == len(SQUARES_6[0]) and rounds >= 3 and guests <= tables * (tables - 1):
        out.append(("latin", tables, min(rounds, 2 + len(SQUARES_6))))
    # The grid start for 10 tables only where fewer than 10 of its 90 seats
    # stay empty: leaving more out evenly needs a transversal of the squares,
    # which the carving rarely finds, and from an uneven carving the search
    # did no better than from the virtual 11 tables, only slower (60 on 10
    # tables of 6: the same repeats, 0.03 → 0.3 s). 12 tables carve by whole
    # columns of the difference matrix, any number of guests.
    grid = grid_runs(tables)
    fits = guests <= len(grid) and (tables == 12 or len(grid) - guests < tables)
    if grid and rounds >= 3 and fits:
        out.append(("grid", tables, min(rounds, len(grid[0]))))
    out.sort(key=lambda c: -c[2])
    return out


def _round_maps(size: int, rounds: int, copies: int, rng: random.Random) -> list[list[int]]:
    """For each copy of the affine plane over GF(size), the field element of each round.

    With more guests at a table than there are tables, the pigeonhole forces
    repeats, and their floor is reached when no pair meets three times.
    Copy c seats guest (a, s) at a + m_c(r)·s, with s ≠ 0 (no revisit) and
    m_c injective (no repeat inside a copy). Guests of copies c and d meet
    in round r when a - a' = m_d(r)·s' - m_c(r)·s; so for each pair of
    slopes, a value taken k times by that difference over the rounds makes
    ``size`` pairs meet k times. Each further copy takes the map, of all
    injections or a seeded sample of them, that adds the least (k-1)².
    40 people on 5 tables of 8: the second copy's (0, 1, 3, 4) reaches the
    floor of 120, which the search alone never did.
    """
    field = galois_field(size)
    if field is None:
        add = tuple(tuple((x + y) % size for y in range(size)) for x in range(size))
        mul = tuple(tuple((x * y) % size for y in range(size)) for x in range(size))
    else:
        add, mul = field
    neg = [next(y for y in range(size) if add[x][y] == 0) for x in range(size)]
    maps = [list(range(rounds))]
    count = 1
    for k in range(rounds):
        count *= size - k
    for _ in range(1, copies):
        if count <= 720:
            options = [list(p) for p in itertools.permutations(range(size), rounds)]
        else:
            options = [rng.sample(range(size), rounds) for _ in range(300)]

        def cost(m: list[int]) -> int:
            total = 0
            for old in maps:
                for s in range(1, size):
                    for s2 in range(1, size):
                        seen: dict[int, int] = {}
                        for r in range(rounds):
                            v = add[mul[m[r]][s2]][neg[mul[old[r]][s]]]
                            seen[v] = seen.get(v, 0) + 1
                        total += sum((k - 1) ** 2 for k in seen.values())
            return total

        maps.append(min(options, key=cost))
    return maps


def _constructed(
    problem: Problem, rng: random.Random, kind: str = "mod", size: int = 0, covered: int = 0
) -> list[dict[int, int]]:
    """A construction's start for as many rounds as it covers; [] where it does not apply.

    Guest number i is (column a, layer b) = (i mod size, 1 + i div size) and
    sits at table a + r·b in round r, with GF(size) arithmetic for ``field``
    and modulo size otherwise; a table past the real ones means no seat yet.
    """
    tables = len(problem.capacities)
    if problem.history or problem.pinned or tables < 2:
        return []
    hosted = set(problem.hosts)
    if hosted and len(hosted) != tables and kind != "grid":
        return []
    host_people = set(problem.hosts.values())
    guests = [x for x in range(problem.people) if x not in host_people]
    if not size:
        kind, size, covered = "mod", tables, 0
        layers = -(-len(guests) // tables)
        covered = construction_rounds(tables, layers, problem.plan_rounds)
    layers = -(-len(guests) // size)
    if kind == "mod" and layers + (1 if hosted else 0) > min(problem.capacities):
        return []
    if covered == 0:
        return []
    field_ops = galois_field(size) if kind in ("field", "copies") else None
    maps: list[list[int]] = []
    if kind == "copies":
        maps = _round_maps(size, covered, -(-layers // (size - 1)), rng)
    orgs = problem.orgs or [-1] * problem.people
    if kind == "latin":
        return [] if hosted else _latin_start(problem, rng, guests, orgs, covered)
    if kind == "grid":
        return _grid_start(problem, rng, guests, orgs, covered)
    rng.shuffle(guests)
    # Same organisation type next to each other: consecutive guests fill one
    # layer, and one layer never shares a table in any round.
    guests.sort(key=lambda x: orgs[x])
    # A partial last layer is spread over distinct columns.
    plan: list[dict[int, int]] = []
    for r in range(covered):
        seating = {x: t for t, x in problem.hosts.items()}
        for i, x in enumerate(guests):
            a, b = i % size, 1 + i // size
            if maps:
                copy, b = divmod(b - 1, size - 1)
                m, b = maps[copy][r], b + 1
                if field_ops is not None:
                    add, mul = field_ops
                    t = add[a][mul[m][b]]
                else:
                    t = (a + m * b) % size
            elif field_ops is not None:
                add, mul = field_ops
                t = add[a][mul[r][b]]
            else:
                t = (a + r * b) % size
            if t < tables:
                seating[x] = t
        plan.append(seating)
    return plan


# Two idempotent Latin squares of order 6 (L(i, i) = i) that differ in every
# cell off the diagonal, as near to orthogonal as order 6 allows: 7 pairs of
# off-diagonal cells share both symbols (orthogonal ones do not exist: Euler's
# 36 officers). Found offline by pairing 400 random idempotent squares; 7 is
# also the best plan known for 30 people on 6 tables of 5 over 4 rounds.
SQUARES_6 = (
    (
        (0, 3, 4, 5, 2, 1),
        (4, 1, 3, 2, 5, 0),
        (5, 0, 2, 1, 3, 4),
        (1, 4, 5, 3, 0, 2),
        (2, 5, 1, 0, 4, 3),
        (3, 2, 0, 4, 1, 5),
    ),
    (
        (0, 2, 5, 1, 3, 4),
        (5, 1, 0, 4, 2, 3),
        (3, 4, 2, 0, 5, 1),
        (2, 5, 4, 3, 1, 0),
        (1, 0, 3, 5, 4, 2),
        (4, 3, 1, 2, 0, 5),
    ),
)


def _latin_start(
    problem: Problem, rng: random.Random, guests: list[int], orgs: list[int], covered: int
) -> list[dict[int, int]]:
    """6 tables: the cells (i, j), i ≠ j, of a 6 × 6 grid are the seats.

    Round 1 seats cell (i, j) at table i, round 2 at j, rounds 3 and 4 at
    the two squares' symbols. Rows, columns and a Latin square never put two
    cells together twice; only the two squares do, 7 times. Idempotence keeps
    every cell's four tables distinct (no revisit), since the diagonal holds
    each symbol of its row and column. Up to 30 guests take cells;
    the cheapest start is kept, so a room this start suits worse (24 guests
    whose types mix better from another) takes another. The modular start
    covers only 2 rounds on 6 tables, the virtual 7 start leaves a seventh
    of the guests to the greedy start.
    """
    size = len(SQUARES_6[0])
    a, b = SQUARES_6
    cells = [(i, j) for i in range(size) for j in range(size) if i != j]
    rng.shuffle(cells)
    rng.shuffle(guests)
    guests.sort(key=lambda x: orgs[x])
    # Each guest, by organisation type, takes the free cell whose four tables
    # hold the fewest of their type so far, then the emptiest: the types spread
    # and the loads stay even when there are fewer guests than cells.
    load = [[0] * size for _ in range(4)]
    same: dict[tuple[int, int, int], int] = {}
    seat: dict[int, tuple[int, ...]] = {}
    for x in guests[: len(cells)]:
        org = orgs[x]

        def key(c: tuple[int, int], org: int = org) -> tuple[int, int]:
            ts = (c[0], c[1], a[c[0]][c[1]], b[c[0]][c[1]])
            kin = sum(same.get((r, t, org), 0) for r, t in enumerate(ts)) if org >= 0 else 0
            return (kin, sum(load[r][t] for r, t in enumerate(ts)))

        cell = min(cells, key=key)
        cells.remove(cell)
        ts = (cell[0], cell[1], a[cell[0]][cell[1]], b[cell[0]][cell[1]])
        seat[x] = ts
        for r, t in enumerate(ts):
            load[r][t] += 1
            same[(r, t, org)] = same.get((r, t, org), 0) + 1
    return [{x: ts[r] for x, ts in seat.items()} for r in range(covered)]


# Orders 10 and 12 are neither prime powers nor 6. Their starts are the
# cells of a T × T grid, one guest per cell, with a table for each round
# from orthogonal Latin squares, made idempotent (see ``grid_runs``).
#
# Order 12: a (12, 6; 1) difference matrix over Z2 × Z6 (element a·6 + b):
# every two rows differ by each group element exactly once (such matrices
# are known since Hanani 1975; this one was found by tools/find_squares.py
# in 0.3 s). A test checks the property. It gives 6 rounds.
DIFFERENCE_12: tuple[tuple[int, ...], ...] = (
    (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
    (0, 7, 5, 2, 8, 10, 3, 9, 6, 4, 11, 1),
    (0, 4, 3, 6, 10, 9, 11, 2, 1, 5, 8, 7),
    (0, 5, 7, 11, 3, 6, 9, 8, 10, 1, 4, 2),
    (0, 11, 4, 9, 2, 7, 5, 10, 3, 8, 1, 6),
)

# Order 10: two idempotent orthogonal Latin squares (three mutually
# orthogonal ones of order 10 are not known). The first is an isotope of
# Parker's square (as published by C. Lam), its columns permuted so that a
# transversal lies on the diagonal; the second a mate of it found by
# tools/find_squares.py (an exact cover by transversals through one
# diagonal cell each). A test checks them. They give 4 rounds.
SQUARES_10: tuple[tuple[tuple[int, ...], ...], ...] = (
    (
        (0, 6, 7, 8, 1, 4, 9, 3, 5, 2),
        (3, 1, 4, 9, 6, 7, 0, 8, 2, 5),
        (7, 5, 2, 0, 8, 9, 3, 6, 4, 1),
        (8, 2, 5, 3, 7, 0, 4, 1, 9, 6),
        (6, 9, 1, 2, 4, 3, 7, 5, 0, 8),
        (1, 0, 6, 4, 2, 5, 8, 9, 3, 7),
        (9, 3, 8, 7, 5, 2, 6, 0, 1, 4),
        (4, 8, 3, 5, 9, 1, 2, 7, 6, 0),
        (2, 7, 9, 1, 0, 6, 5, 4, 8, 3),
        (5, 4, 0, 6, 3, 8, 1, 2, 7, 9),
    ),
    (
        (0, 5, 1, 6, 2, 9, 3, 8, 4, 7),
        (4, 1, 3, 2, 0, 6, 7, 5, 9, 8),
        (5, 9, 2, 8, 7, 0, 1, 3, 6, 4),
        (2, 6, 0, 3, 8, 4, 5, 9, 7, 1),
        (9, 8, 7, 5, 4, 2, 0, 6, 1, 3),
        (6, 3, 8, 7, 1, 5, 9, 4, 0, 2),
        (1, 7, 4, 9, 3, 8, 6, 2, 5, 0),
        (8, 0, 9, 1, 6, 3, 4, 7, 2, 5),
        (3, 4, 5, 0, 9, 7, 2, 1, 8, 6),
        (7, 2, 6, 4, 5, 1, 8, 0, 3, 9),
    ),
)


@functools.lru_cache(maxsize=4)
def grid_runs(tables: int) -> tuple[tuple[int, ...], ...]:
    """For 10 or 12 tables, the seats of the grid start: per seat its table in each round.

    Any two seats share a table in at most one round (orthogonality), and
    each seat's tables are distinct (no revisit), so any choice of seats
    is a plan with no repeat. The T seats left out all sit at one table in
    every round (the diagonal of idempotent squares): they are a host's.

    12: seat (c, g) for a column c ≠ 0 of ``DIFFERENCE_12`` and a group
    element g sits at D[r][c] + g in round r. Two seats share a table in
    rounds r and s only if D[r][c] - D[s][c] = D[r][c'] - D[s][c'], that
    is c = c' and then g = g'. Column 0 is all zero: seat (0, g) is at
    table g in every round, and a seat elsewhere is at distinct tables,
    since D[r][c] ≠ D[s][c] for c ≠ 0. 10: cell (i, j), i ≠ j, sits at i,
    j, A(i, j), B(i, j); idempotence keeps the four apart, orthogonality
    any two cells from a second meeting.
    """
    if tables == 12 and DIFFERENCE_12:
        add = [
            [((x // 6 + y // 6) % 2) * 6 + (x % 6 + y % 6) % 6 for y in range(12)]
            for x in range(12)
        ]
        return tuple(
            tuple(add[row[c]][g] for row in DIFFERENCE_12) for c in range(1, 12) for g in range(12)
        )
    if tables == 10 and SQUARES_10:
        a, b = SQUARES_10
        return tuple((i, j, a[i][j], b[i][j]) for i in range(10) for j in range(10) if i != j)
    return ()


def _grid_start(
    problem: Problem, rng: random.Random, guests: list[int], orgs: list[int], covered: int
) -> list[dict[int, int]]:
    """10 or 12 tables: each guest takes a seat of ``grid_runs`` for the first ``covered`` rounds.

    The seats are carved to the room's table loads (``_carve``), then dealt
    out by organisation type: each guest takes the free seat whose tables
    hold the fewest of their type so far. A room with fewer guests than
    seats has no repeat and no revisit in these rounds, whatever the seats;
    the rounds beyond them are the search's.
    """
    tables = len(problem.capacities)
    seats = [run[:covered] for run in grid_runs(tables)]
    fixed = [0] * tables
    for t in problem.hosts:
        if 0 <= t < tables:
            fixed[t] += 1
    loads = balanced_loads(problem.capacities, fixed, problem.people)
    low = [min(loads) - f for f in fixed]
    high = [max(loads) - f for f in fixed]
    if any(max(loads) > c for c in problem.capacities):
        low = high = [n - f for n, f in zip(loads, fixed, strict=True)]
    count = min(len(guests), len(seats))
    # 12 tables: the 12 seats of one column of the difference matrix fill
    # every table once in every round, so whole columns keep the loads even
    # and only the rest needs carving (120 guests: exactly ten columns).
    columns = [seats[c : c + tables] for c in range(0, len(seats), tables)]
    whole = count // tables if tables == 12 else 0
    rng.shuffle(columns)
    chosen = [seat for column in columns[:whole] for seat in column]
    rest = [seat for column in columns[whole:] for seat in column]
    low = [n - whole for n in low]
    high = [n - whole for n in high]
    chosen += _carve(rest, low, high, count - len(chosen), rng)
    rng.shuffle(guests)
    guests.sort(key=lambda x: orgs[x])
    same: dict[tuple[int, int, int], int] = {}
    seat_of: dict[int, tuple[int, ...]] = {}
    free = chosen[:]
    for x in guests[: len(free)]:
        org = orgs[x]
        if org >= 0:
            cell = min(free, key=lambda ts: sum(same.get((r, t, org), 0) for r, t in enumerate(ts)))
        else:
            cell = free[-1]
        free.remove(cell)
        seat_of[x] = cell
        for r, t in enumerate(cell):
            same[(r, t, org)] = same.get((r, t, org), 0) + 1
    return [{x: ts[r] for x, ts in seat_of.items()} for r in range(covered)]


def _carve(
    seats: list[tuple[int, ...]], low: list[int], high: list[int], count: int, rng: random.Random
) -> list[tuple[int, ...]]:
    """``count`` of the ``seats``, with low[t]…high[t] of them at table t in every round, if it can.

    The loads need only stay within one of each other (``_Search.build``
    keeps a start's own choice of the tables with one more), so the bounds
    are the balanced loads' least and most, where every table has room for
    the most. A local search from a seeded sample: take a seat out of a
    table over its bound and put in the one outside that brings the loads
    nearest the bounds, sideways steps allowed. A bounded number of steps;
    what it cannot balance, the greedy start seats.
    """
    order = list(range(len(seats)))
    rng.shuffle(order)
    inside = order[:count]
    outside = order[count:]
    rounds = len(seats[0]) if seats else 0
    load = [[0] * len(low) for _ in range(rounds)]
    for k in inside:
        for r, t in enumerate(seats[k]):
            load[r][t] += 1

    def miss(n: int, t: int) -> int:
        return max(0, n - high[t], low[t] - n)

    def change(k: int, sign: int) -> int:
        """How much the loads' distance from the bounds changes when seat k comes in or goes out."""
        return sum(miss(load[r][t] + sign, t) - miss(load[r][t], t) for r, t in enumerate(seats[k]))

    cost = sum(miss(load[r][t], t) for r in range(rounds) for t in range(len(low)))
    for _ in range(1_000):
        if cost == 0 or not outside:
            break
        over = [
            i
            for i, k in enumerate(inside)
            if any(load[r][t] > high[t] for r, t in enumerate(seats[k]))
        ]
        i = rng.choice(over) if over else rng.randrange(len(inside))
        k = inside[i]
        out_cost = change(k, -1)
        for r, t in enumerate(seats[k]):
            load[r][t] -= 1
        scored = [(change(j, +1), rng.random(), n) for n, j in enumerate(outside)]
        gain, _, n = min(scored)
        if out_cost + gain > 0:
            for r, t in enumerate(seats[k]):
                load[r][t] += 1
            continue
        j = outside[n]
        for r, t in enumerate(seats[j]):
            load[r][t] += 1
        inside[i], outside[n] = j, k
        cost += out_cost + gain
    return [seats[k] for k in inside]


def _start(problem: Problem, rng: random.Random, attempt: int = 0) -> _Search:
    """The seated schedule the search begins from.

    The previous plan where there is one; otherwise each construction that
    applies (see ``_candidates``) is built and the cheapest start kept. One
    that covers every round on the real tables is taken as it is. A restart
    (``attempt`` ≥ 1) takes the constructions in turn and then a plain greedy
    start: the cheapest start is not always the one the search finishes best
    from, and a start that covers five of Kirkman's seven rounds perfectly is
    a trap (the last two cannot be completed from it).
    """
    if problem.previous:
        search = _Search(problem, rng)
        search.build(list(problem.previous), keep_loads=True)
        return search
    guests = problem.people - len(problem.hosts)
    candidates = _candidates(len(problem.capacities), guests, problem.plan_rounds)
    if attempt > 0:
        pick = (attempt - 1) % (len(candidates) + 1)
        search = _Search(problem, rng)
        if pick < len(candidates):
            kind = candidates[pick][0]
            search.build(_constructed(problem, rng, *candidates[pick]), keep_loads=kind == "grid")
        else:
            search.build([], shuffle=True)
        return search
    best: _Search | None = None
    best_cost = 0
    for kind, size, covered in candidates:
        search = _Search(problem, rng)
        initial = _constructed(problem, rng, kind, size, covered)
        if not initial:
            continue
        search.build(initial, keep_loads=kind == "grid")
        if kind not in ("virtual", "latin", "grid") and covered >= problem.plan_rounds:
            return search
        cost = search.total()
        if best is None or cost < best_cost:
            best, best_cost = search, cost
    if best is None:
        best = _Search(problem, rng)
        best.build([])
    return best


# --- plans made elsewhere ----------------------------------------------------
#
# The search takes 0.1–3 s; inside ``decide`` it would hold up the whole room.
# The server asks ``decide`` beforehand which plan it would need (inside
# ``wanted_plans`` the solver raises instead of searching), computes it in a
# worker process, and hands it back with ``remember``; ``decide`` then finds
# it here. ``solve`` is a pure function of (problem, seed, budget), so a
# remembered plan is exactly the one it would compute, and a plan nobody
# prepared is still computed in place.

_REMEMBERED: OrderedDict[bytes, list[list[int]]] = OrderedDict()
_REMEMBER_AT_MOST = 16
_probing = threading.local()


class PlanWanted(Exception):
    """Raised by ``solve`` inside ``wanted_plans`` for a plan not remembered."""

    def __init__(self, problem: Problem, seed: int, budget: int | None) -> None:
        super().__init__("plan wanted")
        self.problem, self.seed, self.budget = problem, seed, budget


def plan_key(problem: Problem, seed: int, budget: int | None = None) -> bytes:
    """A digest of everything ``solve`` depends on."""
    return hashlib.sha256(repr((problem, seed, budget)).encode()).digest()


def remember(problem: Problem, seed: int, plan: list[list[int]], budget: int | None = None) -> None:
    """Keep a plan computed elsewhere, for the ``decide`` that will ask for it."""
    key = plan_key(problem, seed, budget)
    _REMEMBERED[key] = [row[:] for row in plan]
    _REMEMBERED.move_to_end(key)
    while len(_REMEMBERED) > _REMEMBER_AT_MOST:
        _REMEMBERED.popitem(last=False)


@contextlib.contextmanager
def wanted_plans() -> Iterator[None]:
    """Inside: ``solve`` raises :class:`PlanWanted` instead of searching (this thread only)."""
    _probing.on = True
    try:
        yield
    finally:
        _probing.on = False


def solve(problem: Problem, seed: int, budget: int | None = None) -> list[list[int]]:
    """Plan ``problem.plan_rounds`` rounds; returns per round each person's table (-1: no seat).

    Deterministic in (problem, seed). ``budget`` bounds the local search
    (evaluated swaps); by default it grows with the size of the problem.
    The search stops as soon as the repeats reach the room's floor (see
    ``repeat_floor``) with no revisit: nothing better exists.
    """
    rng = random.Random(seed)  # noqa: S311 - a seeded shuffle, not a secret
    if problem.plan_rounds <= 0 or problem.people == 0 or not problem.capacities:
        return [[NO_SEAT] * problem.people for _ in range(max(problem.plan_rounds, 0))]
    known = _REMEMBERED.get(plan_key(problem, seed, budget))
    if known is not None:
        return [row[:] for row in known]
    if getattr(_probing, "on", False):
        raise PlanWanted(problem, seed, budget)
    if budget is None:
        budget = 20_000 + 40 * problem.people * problem.plan_rounds
    # Small rooms get restarts from fresh shuffles: a local search that got
    # stuck on one start often finds a perfect plan from another. The
    # restarts and the tabu search share one budget of evaluated swaps, and
    # stop at the floor. Rooms where the pigeonhole forces repeats (more
    # guests at a table than there are tables) get them too: their floor is
    # known, and 40 people on 5 tables of 8 reach it only with a tabu search.
    small = problem.people * problem.plan_rounds <= 400
    attempts = 5 if small else 1
    spare = budget * 5
    best: _Search | None = None
    best_cost = 0
    floor = 0
    for attempt in range(attempts):
        search = _start(problem, rng, attempt)
        if attempt == 0:
            floor = _floor(problem, search)
        search.improve(budget // attempts if attempts > 1 else budget, floor)
        if attempts > 1 and not search.settled(floor) and spare > 0:
            spare -= _tabu(search, 600, spare, floor)
        cost = search.total()
        if best is None or cost < best_cost:
            best, best_cost = search, cost
        if best.settled(floor) or spare <= 0:
            break
    assert best is not None
    if attempts == 1 and not problem.previous and not best.settled(floor):
        # One pass for a larger room: a tabu search after the descent takes the
        # repeats of 100 people on 12 tables from ~35 to ~20. Its budget
        # shrinks as tables grow, since each swap it weighs costs a look at
        # everyone at both tables. Not for a re-plan: that starts from a plan
        # already searched, and should change little for everyone else.
        seats = max(1, problem.people // len(problem.capacities))
        _tabu(best, 1_000_000, min(budget, 40_000) * 9 // max(9, seats), floor)
    rounds_total = len(problem.history) + problem.plan_rounds
    if not problem.previous or rounds_total > len(problem.capacities):
        return _reordered(problem, best.assign)
    return best.assign


def _floor(problem: Problem, search: _Search) -> int:
    """The floor of the repeats for every plan the search can reach from ``search``.

    Swaps keep each table's load, so the loads of the start are those of
    every plan it visits. A person without a seat changes who sits in two
    rounds, so then only the rounds already played count. Pins may force a
    revisit, so with pins the floor does not assume goal 2.
    """
    played = [[past.get(x, NO_SEAT) for x in range(problem.people)] for past in problem.history]
    planned = [row[:] for row in search.assign]
    hosts = set(problem.hosts.values())
    tables = len(problem.capacities)
    if any(t == NO_SEAT for row in planned for t in row):
        return repeat_floor(played, tables, hosts, played=len(played))
    return repeat_floor(
        played + planned, tables, hosts, played=len(played), fresh=not problem.pinned
    )


def _pairs(c: int) -> int:
    return c * (c - 1) // 2


def _spread(people: int, cells: int) -> int:
    """The fewest pairs sharing a cell when ``people`` are spread over ``cells`` cells."""
    if cells <= 0:
        return _pairs(people)
    q, rem = divmod(people, cells)
    return rem * _pairs(q + 1) + (cells - rem) * _pairs(q)


def _overlap(a: list[int], b: list[int]) -> int:
    """Pairs who sit together in both rounds a and b."""
    cells: dict[tuple[int, int], int] = {}
    for ta, tb in zip(a, b, strict=True):
        if ta != NO_SEAT and tb != NO_SEAT:
            cells[(ta, tb)] = cells.get((ta, tb), 0) + 1
    return sum(_pairs(c) for c in cells.values())


def repeat_floor(
    rounds: list[list[int]],
    tables: int,
    fixed: set[int] | frozenset[int] = frozenset(),
    played: int = 0,
    fresh: bool = True,
) -> int:
    """A lower bound on the repeats of any plan that seats as many people at each table.

    ``rounds``: per round each person's table (``NO_SEAT``: not there). The
    sum over pairs of C(meetings, 2) is a sum over pairs of rounds of the
    pairs who sit together in both, and it never exceeds the repeats (sum
    over pairs of (meetings - 1)²), equalling them when no pair meets three
    times. For two rounds, the
    people at table i in one and table j in the other form a cell of a
    tables × tables matrix whose row and column sums are the loads; a cell
    of c people holds C(c, 2) such pairs, fewest when a row is spread
    evenly. Within the first ``tables`` rounds goal 2 keeps every guest off
    the diagonal (the same table twice); only ``fixed`` people (hosts) sit
    there. Rounds before ``played`` count as they were; for a played and a
    planned round only the played side's rows bound, since who of them sits
    where later is the plan's choice. ``fresh=False`` drops the diagonal rule
    (a plan that revisits).

    Exact for 20 people on 4 tables of 5 (48), 36 on 6 of 6 (36) and 40 on
    5 of 8 (120), four rounds each; it says 0 where zero is impossible for
    deeper reasons (30 on 6 of 5 needs two orthogonal Latin squares of
    order 6, and Kirkman's 15 a resolvable design that goal 2 rules out).
    """
    total = 0
    for j in range(len(rounds)):
        for i in range(j):
            a, b = rounds[i], rounds[j]
            if j < played:
                total += _overlap(a, b)
                continue
            rows = [0] * tables
            cols = [0] * tables
            diag = [0] * tables
            for x, (ta, tb) in enumerate(zip(a, b, strict=True)):
                if ta == NO_SEAT or tb == NO_SEAT:
                    continue
                rows[ta] += 1
                cols[tb] += 1
                if ta == tb and x in fixed:
                    diag[ta] += 1
            keep_off = fresh and j < tables
            bound = _side(rows, diag, tables, keep_off)
            if i >= played:
                bound = max(bound, _side(cols, diag, tables, keep_off))
            total += bound
    return total


def _side(loads: list[int], diag: list[int], tables: int, keep_off: bool) -> int:
    if not keep_off:
        return sum(_spread(n, tables) for n in loads)
    return sum(_pairs(d) + _spread(n - d, tables - 1) for n, d in zip(loads, diag, strict=True))


def _reordered(problem: Problem, plan: list[list[int]]) -> list[list[int]]:
    """Order the planned rounds: revisits only once all tables are seen, and
    the early rounds free of repeats wherever the plan allows.

    Swapping whole rounds keeps every encounter and every load. Events end
    early and people arrive late, and a repeat once played stays; so each
    place takes the round that sends the fewest guests back to a table while
    others are unvisited, then the one that repeats the fewest encounters
    with the rounds before it, looking one round ahead. Repeats are a sum
    over pairs of rounds, so a matrix of the rounds' overlaps is all it
    needs. Rounds with pins keep their place.
    """
    tables = len(problem.capacities)
    hosts = set(problem.hosts.values())
    seen: list[set[int]] = [set() for _ in range(problem.people)]
    played = [[past.get(x, NO_SEAT) for x in range(problem.people)] for past in problem.history]
    for past in problem.history:
        for x, t in past.items():
            if 0 <= x < problem.people and t != NO_SEAT:
                seen[x].add(t)
    count = len(plan)
    overlap = [[0] * count for _ in range(count)]
    for i in range(count):
        for j in range(i + 1, count):
            overlap[i][j] = overlap[j][i] = _overlap(plan[i], plan[j])
    before = [sum(_overlap(plan[i], row) for row in played) for i in range(count)]
    left = [r for r in range(count) if r not in problem.pinned]
    order: list[int] = []

    def early(r: int) -> int:
        return sum(
            1
            for x, t in enumerate(plan[r])
            if t != NO_SEAT and x not in hosts and t in seen[x] and len(seen[x]) < tables
        )

    def fresh(r: int, chosen: list[int]) -> int:
        return before[r] + sum(overlap[r][c] for c in chosen)

    for place in range(count):
        if place in problem.pinned:
            pick = place
        else:

            def key(r: int) -> tuple[int, int, int, int]:
                ahead = [fresh(s, [*order, r]) for s in left if s != r]
                return (early(r), fresh(r, order), min(ahead, default=0), r)

            pick = min(left, key=key)
            left.remove(pick)
        order.append(pick)
        for x, t in enumerate(plan[pick]):
            if t != NO_SEAT:
                seen[x].add(t)
    return [plan[r] for r in order]


def quality(
    rounds: list[dict[str, int]],
    tables: int,
    orgs: dict[str, str | None],
    hosts: set[str] | frozenset[str] = frozenset(),
    unseated: int = 0,
    played: int = 0,
) -> Quality:
    """Repeats, revisits, mix and the floor of a whole schedule (played rounds and planned ones).

    Repeats are what the search minimises: a pair who sat together k times
    counts (k - 1)² (twice: 1, three times: 4), so a third meeting weighs
    more than a second one elsewhere. Beside the sum: the pairs who met more
    than once, the most meetings of any pair, and the floor no plan with
    these table loads goes below (``repeat_floor``; the ``played`` rounds as
    they were, and goal 2 assumed while the schedule keeps it).
    """
    meets: dict[tuple[str, str], int] = {}
    visited: dict[str, set[int]] = {}
    revisits = 0
    mix_sum = 0.0
    mix_n = 0
    types_present = {o for o in orgs.values() if o is not None}
    for seating in rounds:
        by_table: dict[int, list[str]] = {}
        for pid, t in sorted(seating.items()):
            if t == NO_SEAT:
                continue
            by_table.setdefault(t, []).append(pid)
            if pid in hosts:
                continue
            seen = visited.setdefault(pid, set())
            if t in seen and len(seen) < tables:
                revisits += 1
            seen.add(t)
        for group in by_table.values():
            for i, x in enumerate(group):
                for y in group[i + 1 :]:
                    meets[(x, y)] = meets.get((x, y), 0) + 1
            known = [o for p in group if (o := orgs.get(p)) is not None]
            if len(known) >= 2:
                possible = min(len(known), len(types_present))
                mix_sum += len(set(known)) / possible
                mix_n += 1
    repeats = sum((c - 1) ** 2 for c in meets.values())
    index = {pid: i for i, pid in enumerate(sorted({p for s in rounds for p in s}))}
    rows = [[NO_SEAT] * len(index) for _ in rounds]
    for row, seating in zip(rows, rounds, strict=True):
        for pid, t in seating.items():
            if 0 <= t < tables:
                row[index[pid]] = t
    floor = repeat_floor(
        rows, tables, {index[h] for h in hosts if h in index}, played, fresh=revisits == 0
    )
    return Quality(
        repeats,
        revisits,
        round(mix_sum / mix_n, 3) if mix_n else 1.0,
        unseated,
        pairs=sum(1 for c in meets.values() if c > 1),
        most=max(meets.values(), default=0),
        floor=floor,
    )


def random_plan(
    capacities: list[int], people: int, rounds: int, hosts: dict[int, int], seed: int
) -> list[list[int]]:
    """The baseline: each round, guests dealt out at random to balanced tables, keeping goal 2.

    Goal 2 (no revisit while unvisited tables remain) is kept with a
    matching: a guest takes a random table with room among those not yet
    visited, or moves someone there on to another of theirs (an augmenting
    path). Only a guest the matching cannot place takes any free seat.
    """
    rng = random.Random(seed)  # noqa: S311 - a seeded shuffle, not a secret
    tables = len(capacities)
    host_people = set(hosts.values())
    guests = [x for x in range(people) if x not in host_people]
    fixed = [1 if t in hosts else 0 for t in range(tables)]
    seen: list[set[int]] = [set() for _ in range(people)]
    plan = []
    for _ in range(rounds):
        seating = [NO_SEAT] * people
        for t, x in hosts.items():
            seating[x] = t
        loads = balanced_loads(capacities, fixed, people)
        rng.shuffle(guests)
        at = _random_round(rng, guests, [loads[t] - fixed[t] for t in range(tables)], seen)
        for t, group in enumerate(at):
            for x in group:
                seating[x] = t
                seen[x].add(t)
        plan.append(seating)
    return plan


def _random_round(
    rng: random.Random, guests: list[int], room: list[int], seen: list[set[int]]
) -> list[list[int]]:
    """One round of ``random_plan``: the guests at each table."""
    tables = len(room)
    at: list[list[int]] = [[] for _ in range(tables)]

    def place(x: int, tried: set[int]) -> bool:
        options = [t for t in range(tables) if t not in seen[x] or len(seen[x]) >= tables]
        rng.shuffle(options)
        for t in options:
            if t not in tried and len(at[t]) < room[t]:
                at[t].append(x)
                return True
        for t in options:
            if t in tried:
                continue
            tried.add(t)
            for y in rng.sample(at[t], len(at[t])):
                if place(y, tried):
                    at[t].remove(y)
                    at[t].append(x)
                    return True
        return False

    stray = [x for x in guests if not place(x, set())]
    for x in stray:
        free = [t for t in range(tables) if len(at[t]) < room[t]]
        if free:
            at[rng.choice(free)].append(x)
    return at
