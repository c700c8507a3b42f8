"""Scenario "ideas": a hall writes cards while the wall is live on the projector.

N phones post K cards each at random moments within a spread (the issue's
benchmark: 300 phones, 3 cards each, within 2 minutes); the projector's HTML
page shows the board's wall the whole time. One run:

1. start a fresh server, create an event; the moderator creates a board and
   puts its wall on screen;
2. connect the wall probe (:mod:`loadtests.wall_probe`, the projector's own
   HTML socket, in its own process);
3. N phones join on a ramp and open their JSON live sockets;
4. every phone posts K cards at moments drawn uniformly from the spread
   (seeded), each with its own cid;
5. wait for every ack and for the wall to show the last acked card's seq;
6. read the board from the moderator's state and compare it with the acked
   posts: every acked card on the board exactly once, nothing else.

Measured: ack latency, wall freshness (a card's ack → the first wall message
whose seq includes it), the size of the wall messages, server CPU over the
posting phase, the phones' messages, refusals by reason.

    .venv/bin/python -m loadtests.scenarios.ideas                 # 300 × 3 within 120 s
    .venv/bin/python -m loadtests.scenarios.ideas --n 50 --spread 10   # a smoke run

Writes ``loadtests/results/ideas.json`` (``--out`` to change). The numbers
quoted in docs/benchmarks.md are hand-written from it.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import csv
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import msgspec

from loadtests.clients import Moderator, Phone, Phones, ScreenFeed, now_ns
from loadtests.lean_http import PostPool
from loadtests.scenarios.common import create_event, moderator_state, self_cpu_s
from loadtests.server_proc import ServerProcess
from loadtests.stats import distribution

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "loadtests" / "results"


@dataclass(frozen=True)
class IdeasConfig:
    n: int = 300
    cards: int = 3  # per phone
    spread_s: float = 120.0
    seed: int = 1
    ramp_s: float = 5.0
    timeout_s: float = 600.0
    http_connections: int = 16
    embed_cards: bool = True  # the server embeds each card as it arrives (issue 18)


@dataclass(eq=False)
class Card:
    phone: Phone
    cid: str
    text: str
    sent_ns: int | None = None
    ack_ns: int | None = None
    ok: bool | None = None
    seq: int | None = None
    id: str | None = None
    reason: str | None = None


class _Ack(msgspec.Struct):
    cid: str | None
    ok: bool
    seq: int | None = None
    reason: str | None = None
    id: str | None = None


_decode_ack = msgspec.json.Decoder(_Ack).decode


class CardPhones(Phones):
    """Phones that post cards: several commands each, every ack matched by its cid."""

    def __init__(self, pool: PostPool, code: str, n: int) -> None:
        super().__init__(pool, code, n)
        self.cards: dict[str, Card] = {}

    def plan_cards(self, plan: list[tuple[float, Card]]) -> None:
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        self.votes_planned += len(plan)
        for delay, card in plan:
            self.cards[card.cid] = card
            payload = msgspec.json.encode(
                {"type": "idea.post", "cid": card.cid, "board": "b1", "text": card.text}
            )
            loop.call_at(t0 + delay, self._post, card, payload)

    def _post(self, card: Card, payload: bytes) -> None:
        phone = card.phone
        if phone.socket is None:
            card.reason = phone.error or "no live socket"
            self._answered()
            return
        # Phones only hand acks to _take_ack once a "vote" went out; a card is one.
        phone.vote_sent_ns = phone.vote_sent_ns or now_ns()
        card.sent_ns = now_ns()
        try:
            phone.socket.send_text(payload)
        except ConnectionError as exc:
            card.reason = str(exc)
            self._answered()

    def _take_ack(self, phone: Phone, data: Any) -> None:
        stamped = now_ns()
        ack = _decode_ack(data)
        card = self.cards.get(ack.cid or "")
        if card is None or card.ack_ns is not None:
            return
        card.ack_ns, card.ok, card.seq, card.id, card.reason = (
            stamped,
            ack.ok,
            ack.seq,
            ack.id,
            ack.reason,
        )
        self._answered()


class WallFeed(ScreenFeed):
    """The screen feed, fed by the HTML wall probe instead of the JSON screen probe."""

    async def start(self, within_s: float = 30.0) -> None:
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "loadtests.wall_probe", self.url, stdout=asyncio.subprocess.PIPE
        )
        self._reader = asyncio.create_task(self._read())
        await self.wait_until(lambda: len(self.times_ns) >= 2, within_s)


def card_texts() -> list[str]:
    with (REPO / "tests" / "data" / "ideas_cards_de.tsv").open(encoding="utf-8") as f:
        return [row["text"] for row in csv.DictReader(f, delimiter="\t")]


async def run(config: IdeasConfig, say: Any = print) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="dialograum-ideas-"))
    server = ServerProcess(
        workdir, {"DIALOGRAUM_EMBED_CARDS": "true" if config.embed_cards else "false"}
    )
    result: dict[str, Any] = {"config": asdict(config), "ok": False}
    wall: WallFeed | None = None
    phones: CardPhones | None = None
    moderator: Moderator | None = None
    step = "starting"
    try:
        async with asyncio.timeout(config.timeout_s):
            await server.start()
            async with httpx.AsyncClient(
                base_url=server.base_url, timeout=60, trust_env=False
            ) as http:
                step = "creating the event and the board"
                event = await create_event(http, server.admin_token)
                code, token = event["code"], event["moderator_token"]
                moderator = Moderator(
                    "127.0.0.1", server.port, f"{server.ws_url}/api/events/{code}/live", token
                )
                await moderator.open()
                await moderator.command(
                    {"type": "ideas.create_board", "prompt": "Was hemmt Innovation?"}
                )
                await moderator.command({"type": "ideas.show", "board": "b1", "view": "wall"})
                step = "connecting the wall"
                wall = WallFeed(f"{server.ws_url}/ws/screen/{code}")
                await wall.start()
                step = "joining"
                pool = PostPool("127.0.0.1", server.port, config.http_connections)
                phones = CardPhones(pool, code, config.n)
                phones.start(config.ramp_s)
                await phones.wait_settled()
                say(f"{phones.connected}/{config.n} phones live; posting")
                step = "posting"
                rng = random.Random(config.seed)
                texts = card_texts()
                plan = [
                    (
                        rng.uniform(0, config.spread_s),
                        Card(phone, f"card-{phone.index}-{k}", rng.choice(texts)),
                    )
                    for phone in phones.phones
                    for k in range(config.cards)
                ]
                messages_before = sum(p.messages for p in phones.phones)
                before, gen_before, t0 = server.sample(), self_cpu_s(), now_ns()
                phones.plan_cards(plan)
                progress = asyncio.create_task(_report(phones, wall, say))
                try:
                    await asyncio.wait_for(phones.wait_answered(), config.spread_s + 120)
                    last = max((c.seq or 0 for c in phones.cards.values() if c.ok), default=0)
                    await wall.wait_until(
                        lambda: bool(wall.seq_max) and wall.seq_max[-1] >= last, 60
                    )
                finally:
                    progress.cancel()
                after, gen_after, t1 = server.sample(), self_cpu_s(), now_ns()
                step = "reading the board"
                final = await moderator_state(http, code, token)
                result.update(
                    summarise(
                        config,
                        phones,
                        wall,
                        final,
                        server_cpu_s=after.cpu_s - before.cpu_s,
                        generator_cpu_s=gen_after - gen_before,
                        window_s=(t1 - t0) / 1e9,
                        phone_messages=sum(p.messages for p in phones.phones) - messages_before,
                        rss_kib=(before.rss_kib, after.rss_kib),
                    )
                )
                result["ok"] = result["board_exact"] and not result["refused"]
    except Exception as exc:  # a broken run is a result too
        result["error"] = f"{type(exc).__name__} while {step}: {exc}"[:500]
        say(result["error"])
    finally:
        try:
            async with asyncio.timeout(45):
                if moderator is not None:
                    await moderator.close()
                if phones is not None:
                    await phones.stop()
                    phones.pool.close()
                if wall is not None:
                    await wall.stop()
                await server.stop()
        finally:
            server.kill_now()
        shutil.rmtree(workdir, ignore_errors=True)
    return result


async def _report(phones: CardPhones, wall: WallFeed, say: Any) -> None:
    t0 = time.monotonic()
    while True:
        await asyncio.sleep(5)
        sent = sum(1 for c in phones.cards.values() if c.sent_ns is not None)
        say(
            f"{time.monotonic() - t0:5.0f} s: cards sent {sent}/{len(phones.cards)}, "
            f"answered {phones.votes_answered}; wall seq {wall.seq_max[-1] if wall.seq_max else 0}"
        )


def summarise(
    config: IdeasConfig,
    phones: CardPhones,
    wall: WallFeed,
    final: dict[str, Any],
    **phase: Any,
) -> dict[str, Any]:
    cards = list(phones.cards.values())
    acked = [c for c in cards if c.ok]
    ack_ms = [(c.ack_ns - c.sent_ns) / 1e6 for c in acked if c.ack_ns and c.sent_ns]
    fresh_ms: list[float] = []
    late = 0
    for c in acked:
        index = bisect.bisect_left(wall.seq_max, c.seq or 0)
        if index >= len(wall.times_ns) or c.ack_ns is None:
            late += 1
            continue
        # The wall may show a card before its ack is read; that counts as 0, not negative.
        fresh_ms.append(max(0.0, (wall.times_ns[index] - c.ack_ns) / 1e6))
    board = final["state"]["boards"][0]
    on_board = Counter(i["id"] for i in board["ideas"])
    exact = sorted(on_board) == sorted(c.id for c in acked if c.id) and all(
        n == 1 for n in on_board.values()
    )
    sizes = [b for b, t in zip(wall.online, wall.times_ns, strict=True) if b > 0]
    window = phase["window_s"]
    return {
        "cards_planned": len(cards),
        "cards_acked": len(acked),
        "refused": dict(Counter(c.reason for c in cards if not c.ok)),
        "board_cards": len(on_board),
        "board_exact": exact,
        "ack_ms": distribution(ack_ms),
        "wall_freshness_ms": distribution(fresh_ms),
        "wall_never_showed": late,
        "wall_messages": len(sizes),
        "wall_message_kib": distribution([s / 1024 for s in sizes]),
        "phone_messages": phase["phone_messages"],
        "phone_messages_per_phone": round(phase["phone_messages"] / max(1, config.n), 1),
        "window_s": round(window, 1),
        "server_cpu_s": round(phase["server_cpu_s"], 2),
        "server_cores": round(phase["server_cpu_s"] / window, 2) if window else None,
        "server_rss_kib": phase["rss_kib"],
        "generator_cpu_s": round(phase["generator_cpu_s"], 2),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--cards", type=int, default=3)
    parser.add_argument("--spread", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS / "ideas.json")
    parser.add_argument(
        "--no-embed", action="store_true", help="the server does not embed cards on arrival"
    )
    args = parser.parse_args()
    config = IdeasConfig(
        n=args.n,
        cards=args.cards,
        spread_s=args.spread,
        seed=args.seed,
        embed_cards=not args.no_embed,
    )
    result = asyncio.run(run(config, lambda line: print(line, flush=True)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "config"}, indent=2))


if __name__ == "__main__":
    main()
