"""How many of the drawn commands a room accepts, per activity.

``python -m tests.rooms.strategy_stats [examples]`` draws scripts from
``tests/rooms/strategies.py`` (after their fixed set-up), runs them the way the
property tests do, and prints per activity: drawn, written (accepted with
events), accepted without events (nothing to change), resent (a cid the
actor used before: answered with the first outcome), refused, and the most
common refusals. Strategies that are mostly refused
test little beyond the refusals, so check this after changing them.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict

from hypothesis import HealthCheck, Phase, given, settings

from rooms.activities import ACTIVITIES, BY_COMMAND
from rooms.room import Command, handle, previous_outcome
from tests.rooms.helpers import T0, new_room, run
from tests.rooms.strategies import Step, cheap_plans, more_steps, setup


def activity(command: Command) -> str:
    return BY_COMMAND[type(command)].name


def measure(examples: int) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)

    @settings(
        max_examples=examples,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(more_steps)
    def draw(drawn: list[Step]) -> None:
        state, log = new_room()
        first = setup()
        assert all(h.ok and h.envelopes for h in run(state, log, first))
        for i, (actor, command, cid) in enumerate(drawn):
            resend = previous_outcome(state, actor, cid) is not None
            handled = handle(state, command, actor, cid, T0 + 1000 * (len(first) + i + 1))
            log.extend(handled.envelopes)
            c = counts[activity(command)]
            c["drawn"] += 1
            if handled.envelopes:
                c["written"] += 1
            elif resend:
                c["resent"] += 1
            elif handled.ok:
                c["unchanged"] += 1
            else:
                c["refused"] += 1
                c[f"refused: {handled.reason}"] += 1

    with cheap_plans():
        draw()
    return counts


def main() -> None:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    counts = measure(examples)
    print(f"{examples} scripts, after the set-up of {len(setup())} commands")
    columns = ("drawn", "written", "unchanged", "resent", "refused")
    print(f"{'activity':<9} " + " ".join(f"{c:>9}" for c in columns))
    for name in [a.name for a in ACTIVITIES]:
        c = counts[name]
        n = c["drawn"] or 1
        shares = " ".join(f"{c[k] / n:>9.0%}" for k in columns[1:])
        print(f"{name:<9} {c['drawn']:>9} {shares}")
        reasons = [(k, v) for k, v in c.most_common() if k.startswith("refused: ")][:4]
        print("          " + ", ".join(f"{k[9:]} {v / n:.0%}" for k, v in reasons))


if __name__ == "__main__":
    main()
