"""The World Café rotation: who sits at which table in each round.

A pure, deterministic function of its inputs and a seed: the café module
runs it inside ``decide`` and writes the plan into the event, so replaying
the log never runs it again.

Goals, in order (the weights below keep them in that order):

1. capacities hold and tables are balanced to within one person (hard: the
   search only ever swaps people, so the loads it starts with stay);
2. no guest returns to a table while they have tables left to visit;
3. as few repeated encounters as possible; the k-th meeting of a pair costs
   (k-1)², so a third meeting hurts four times a second one;
4. organisation types mixed at every table.

This is the social golfer / progressive party problem. Where the numbers
allow, a known construction gives a perfect start: with T tables, guest
(a, b) (column ``a``, layer ``b`` ≥ 1) sits at table ``a + r·b mod T`` in
round r. Two guests meet twice only if T divides (r-r')·(b-b'), and a guest
revisits a table only if T divides (r-r')·b; for a prime T (the affine
plane, mutually orthogonal Latin squares) that never happens within T
rounds, and for any T it never happens while (rounds-1)·layers < T. For a
prime power T (8, 9, …) the same formula in GF(T) covers T rounds; for
other composite T it runs on the nearest primes as virtual tables and the
search seats the rest. Hosts are layer 0: they stay put, which is exactly
what a host does. Otherwise, and for the rounds beyond what the
construction covers, a greedy start and a local search (min-conflicts,
then tabu search; swaps between tables within one round) take over.
"""

from __future__ import annotations

import functools
import heapq
import random
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

    repeats: int  # extra meetings: a pair that sat together three times counts 2
    revisits: int  # (guest, round) back at a table while unvisited ones remained
    mix: float  # 1.0 = every table as mixed as the room allows
    unseated: int = 0


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
        for m in self.members[r][t]:
            k = self._key(x, m)
            meets[k] = meets.get(k, 0) + 1
        self.members[r][t].append(x)
        if r < self.horizon:
            self.visits[x][t] += 1

    def unseat(self, r: int, x: int) -> None:
        t = self.assign[r][x]
        if t == NO_SEAT:
            return
        self.members[r][t].remove(x)
        meets = self.meets
        for m in self.members[r][t]:
            k = self._key(x, m)
            meets[k] -= 1
        if r < self.horizon:
            self.visits[x][t] -= 1
        self.assign[r][x] = NO_SEAT

    # --- costs --------------------------------------------------------------

    def pair_cost(self, x: int, m: int, together_now: bool) -> int:
        """What x and m sitting together in one round adds, given their other meetings."""
        k = self._key(x, m)
        c = self.meets.get(k, 0) - (1 if together_now else 0)
        cost = W_REPEAT * c * c
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
        cost = self.w_round[r] * v * v
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

    def hard_total(self) -> int:
        return sum(self.hard(r, x) for r in range(self.rounds) for x in range(self.n))

    def total(self) -> int:
        cost = 0
        for r in range(self.rounds):
            for x in range(self.n):
                t = self.assign[r][x]
                if t != NO_SEAT and x not in self.fixed[r]:
                    v = self.visits[x][t] - 1
                    cost += self.w_round[r] * v * v
            for group in self.members[r]:
                for i, x in enumerate(group):
                    for m in group[i + 1 :]:
                        cost += self.pair_cost(x, m, True)
        return cost

    # --- building -----------------------------------------------------------

    def targets(self, r: int, present: list[int]) -> list[int]:
        fixed = [0] * self.tables
        for t in self.fixed[r].values():
            if 0 <= t < self.tables:
                fixed[t] += 1
        return balanced_loads(self.p.capacities, fixed, len(present))

    def build(self, initial: list[dict[int, int]], shuffle: bool = False) -> None:
        """Seat every round: fixed people, then the initial plan where it fits, then greedily.

        ``shuffle``: the greedy takes people in a random order (a restart's start).
        """
        everyone = list(range(self.n))
        for r in range(self.rounds):
            target = self.targets(r, everyone)
            load = [0] * self.tables
            for x, t in self.fixed[r].items():
                if 0 <= t < self.tables:
                    self.seat(r, x, t)
                    load[t] += 1
            rest = [x for x in everyone if x not in self.fixed[r]]
            want = initial[r] if r < len(initial) else {}
            later: list[int] = []
            for x in rest:
                t = want.get(x, NO_SEAT)
                if 0 <= t < self.tables and load[t] < target[t]:
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
        delta = self.w_round[r] * (vx[b] ** 2 - (vx[a] - 1) ** 2 + vy[a] ** 2 - (vy[b] - 1) ** 2)
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
                delta += W_REPEAT * (c_in * c_in - c_out * c_out)
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

    def improve(self, budget: int) -> None:
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
            hot = [
                (r, x)
                for r in range(self.rounds)
                for x in range(self.n)
                if self.movable(r, x) and self.hard(r, x) > 0
            ]
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


def _tabu(search: _Search, iterations: int, budget: int) -> int:
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
    greedy start and the search.
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
    out.sort(key=lambda c: -c[2])
    return out


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
    if hosted and len(hosted) != tables:
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
    field_ops = galois_field(size) if kind == "field" else None
    orgs = problem.orgs or [-1] * problem.people
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
            if field_ops is not None:
                add, mul = field_ops
                t = add[a][mul[r][b]]
            else:
                t = (a + r * b) % size
            if t < tables:
                seating[x] = t
        plan.append(seating)
    return plan


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
        search.build(list(problem.previous))
        return search
    guests = problem.people - len(problem.hosts)
    candidates = _candidates(len(problem.capacities), guests, problem.plan_rounds)
    if attempt > 0:
        pick = (attempt - 1) % (len(candidates) + 1)
        search = _Search(problem, rng)
        if pick < len(candidates):
            search.build(_constructed(problem, rng, *candidates[pick]))
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
        search.build(initial)
        if kind != "virtual" and covered >= problem.plan_rounds:
            return search
        cost = search.total()
        if best is None or cost < best_cost:
            best, best_cost = search, cost
    if best is None:
        best = _Search(problem, rng)
        best.build([])
    return best


def solve(problem: Problem, seed: int, budget: int | None = None) -> list[list[int]]:
    """Plan ``problem.plan_rounds`` rounds; returns per round each person's table (-1: no seat).

    Deterministic in (problem, seed). ``budget`` bounds the local search
    (evaluated swaps); by default it grows with the size of the problem.
    """
    rng = random.Random(seed)  # noqa: S311 - a seeded shuffle, not a secret
    if problem.plan_rounds <= 0 or problem.people == 0 or not problem.capacities:
        return [[NO_SEAT] * problem.people for _ in range(max(problem.plan_rounds, 0))]
    if budget is None:
        budget = 20_000 + 40 * problem.people * problem.plan_rounds
    # Small rooms get restarts from fresh shuffles: a local search that got
    # stuck on one start often finds a perfect plan from another.
    # The restarts and the tabu search share one budget of evaluated swaps, so
    # a room whose repeats cannot reach zero (8 people at each of 5 tables)
    # gives up in a fraction of a second instead of searching on.
    # With more guests at a table than there are tables, the guests of any
    # table sat together before (pigeonhole): zero repeats is out of reach,
    # and the restarts and the tabu search would only spend time.
    guests = problem.people - len(problem.hosts)
    forced = -(-guests // len(problem.capacities)) > len(problem.capacities)
    small = problem.people * problem.plan_rounds <= 400
    attempts = 5 if small and not forced else 1
    spare = budget * 5
    best: _Search | None = None
    best_cost = 0
    for attempt in range(attempts):
        search = _start(problem, rng, attempt)
        search.improve(budget // attempts if attempts > 1 else budget)
        if attempts > 1 and search.hard_total() > 0 and spare > 0:
            spare -= _tabu(search, 600, spare)
        cost = search.total()
        if best is None or cost < best_cost:
            best, best_cost = search, cost
        if best.hard_total() == 0 or spare <= 0:
            break
    assert best is not None
    if attempts == 1 and not forced and not problem.previous and best.hard_total() > 0:
        # One pass for a larger room: a tabu search after the descent takes the
        # repeats of 100 people on 12 tables from ~35 to ~20. Its budget
        # shrinks as tables grow, since each swap it weighs costs a look at
        # everyone at both tables. Not for a re-plan: that starts from a plan
        # already searched, and should change little for everyone else.
        seats = max(1, problem.people // len(problem.capacities))
        _tabu(best, 1_000_000, min(budget, 40_000) * 9 // max(9, seats))
    if not problem.pinned and len(problem.history) + problem.plan_rounds > len(problem.capacities):
        return _reordered(problem, best.assign)
    return best.assign


def _reordered(problem: Problem, plan: list[list[int]]) -> list[list[int]]:
    """Order the planned rounds so that revisits come only once all tables are seen.

    With more rounds than tables some revisits are unavoidable; the search
    counts how often a table is visited, not when. Swapping whole rounds
    keeps every encounter and every load, and greedily puts first the round
    that sends the fewest guests back to a table while others are unvisited.
    """
    tables = len(problem.capacities)
    hosts = set(problem.hosts.values())
    seen: list[set[int]] = [set() for _ in range(problem.people)]
    for past in problem.history:
        for x, t in past.items():
            if 0 <= x < problem.people and t != NO_SEAT:
                seen[x].add(t)
    left = list(range(len(plan)))
    order: list[int] = []
    while left:

        def early(r: int) -> int:
            return sum(
                1
                for x, t in enumerate(plan[r])
                if t != NO_SEAT and x not in hosts and t in seen[x] and len(seen[x]) < tables
            )

        pick = min(left, key=lambda r: (early(r), r))
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
) -> Quality:
    """Repeats, revisits and mix of a whole schedule (played rounds and planned ones)."""
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
    repeats = sum(c - 1 for c in meets.values() if c > 1)
    return Quality(repeats, revisits, round(mix_sum / mix_n, 3) if mix_n else 1.0, unseated)


def random_plan(
    capacities: list[int], people: int, rounds: int, hosts: dict[int, int], seed: int
) -> list[list[int]]:
    """The baseline: each round, guests shuffled and dealt out to balanced tables."""
    rng = random.Random(seed)  # noqa: S311 - a seeded shuffle, not a secret
    host_people = set(hosts.values())
    guests = [x for x in range(people) if x not in host_people]
    fixed = [1 if t in hosts else 0 for t in range(len(capacities))]
    plan = []
    for _ in range(rounds):
        seating = [NO_SEAT] * people
        for t, x in hosts.items():
            seating[x] = t
        loads = balanced_loads(capacities, fixed, people)
        slots = [t for t in range(len(capacities)) for _ in range(loads[t] - fixed[t])]
        rng.shuffle(guests)
        for x, t in zip(guests, slots, strict=False):
            seating[x] = t
        plan.append(seating)
    return plan
