"""Server CPU per vote against how many voters are in flight at once: what an append costs.

``python -m loadtests.vote_cost --senders 1 10 50 --votes 3000`` starts a
server (SQLite, one worker), opens a poll, and lets ``K`` phones vote on
their own sockets, each changing its vote ``votes / K`` times and waiting for
each ack before the next vote (a closed loop, so at most ``K`` votes are in
flight). The server's CPU (``/proc``, all its threads) over the votes, per
vote, with the acks' p50 and p99.

Why it exists: the hub appends commands in batches, and an append (a
transaction, its fsync, the SQLite thread's round trip, waking whoever
waits) costs about the same for one vote as for many. With ``K = 1`` every
vote is a batch of its own; with ``K = 50`` batches form while an append is
in flight. The difference is what an append costs, and why a busy room's
batch waits a moment for more (``server/writer.py``, ``Writer._gather``,
which a closed loop of one sender never triggers). ``--gather-ms`` sets
the server's ``DIALOGRAUM_GATHER_MS``; ``--sync NORMAL`` its
``DIALOGRAUM_SQLITE_SYNC`` (the fsync's share). The senders alternate
round by round; medians of the rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from loadtests.run import say
from loadtests.scenarios.common import create_event
from loadtests.server_proc import ServerProcess, sample_process


async def _ack(socket: ClientConnection, cid: str) -> dict[str, Any]:
    """Read until the ack of ``cid`` (state pushes in between are skipped)."""
    while True:
        message: dict[str, Any] = json.loads(await socket.recv())
        if message.get("type") == "ack" and message.get("cid") == cid:
            return message


async def _open(url: str, token: str) -> ClientConnection:
    socket = await connect(url, max_size=None, compression=None)
    await socket.send(json.dumps({"type": "hello", "token": token}))
    await socket.recv()  # the welcome
    return socket


async def one_round(senders: int, votes: int, env: dict[str, str]) -> dict[str, Any]:
    """One server, ``senders`` phones, about ``votes`` votes in all: CPU per vote and ack times."""
    workdir = Path(tempfile.mkdtemp(prefix="dialograum-vote-cost-"))
    server = ServerProcess(workdir, env)
    await server.start()
    sockets: list[ClientConnection] = []
    try:
        async with httpx.AsyncClient(base_url=server.base_url, trust_env=False) as http:
            event = await create_event(http, server.admin_token)
            code = event["code"]
            tokens = []
            for i in range(senders):
                joined = await http.post(f"/api/events/{code}/participants", json={"name": f"P{i}"})
                joined.raise_for_status()
                tokens.append(joined.json()["token"])
        url = f"{server.ws_url}/api/events/{code}/live"
        moderator = await _open(url, event["moderator_token"])
        sockets.append(moderator)
        fields = {"kind": "single", "question": "Wohin?", "options": ["A", "B"]}
        await moderator.send(json.dumps({"type": "poll.create", "cid": "c", **fields}))
        poll = (await _ack(moderator, "c"))["id"]
        await moderator.send(json.dumps({"type": "poll.open", "cid": "o", "poll": poll}))
        if not (await _ack(moderator, "o"))["ok"]:
            raise RuntimeError("the poll did not open")
        for token in tokens:
            sockets.append(await _open(url, token))
        each = max(1, votes // senders)
        acks: list[float] = []

        async def read_moderator() -> None:  # the console's pushes, drained
            while True:
                await moderator.recv()

        async def vote(i: int, socket: ClientConnection) -> None:
            for j in range(each):
                cid = f"v{j}"
                choice = "o1" if (i + j) % 2 else "o2"  # a change every time: a real command
                sent = time.perf_counter()
                await socket.send(
                    json.dumps({"type": "poll.vote", "cid": cid, "poll": poll, "choice": choice})
                )
                if not (await _ack(socket, cid))["ok"]:
                    raise RuntimeError(f"vote {cid} of phone {i} refused")
                acks.append((time.perf_counter() - sent) * 1000)

        reader = asyncio.create_task(read_moderator())
        await asyncio.sleep(1.0)  # the joins' pushes are out before the clock starts
        before, started = sample_process(server.pid), time.perf_counter()
        await asyncio.gather(*(vote(i, s) for i, s in enumerate(sockets[1:])))
        wall = time.perf_counter() - started
        after = sample_process(server.pid)
        reader.cancel()
        acks.sort()
        n = len(acks)
        return {
            "senders": senders,
            "votes": n,
            "cpu_us_per_vote": round((after.cpu_s - before.cpu_s) / n * 1e6, 1),
            "votes_per_s": round(n / wall),
            "ack_p50_ms": round(acks[n // 2], 2),
            "ack_p99_ms": round(acks[min(n - 1, int(n * 0.99))], 2),
        }
    finally:
        for socket in sockets:
            await socket.close()
        await server.stop()


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    env = {"DIALOGRAUM_BURST": "1000000", "DIALOGRAUM_PER_SECOND": "1000000"}
    if args.gather_ms is not None:
        env["DIALOGRAUM_GATHER_MS"] = str(args.gather_ms)
    if args.sync is not None:
        env["DIALOGRAUM_SQLITE_SYNC"] = args.sync
    rounds: dict[int, list[dict[str, Any]]] = {k: [] for k in args.senders}
    for r in range(args.repeat):
        for k in args.senders if r % 2 == 0 else list(reversed(args.senders)):
            row = await one_round(k, args.votes, env)
            rounds[k].append(row)
            say(
                f"[vote_cost K={k} {r + 1}/{args.repeat}] {row['cpu_us_per_vote']} µs CPU a vote, "
                f"{row['votes_per_s']} votes/s, ack p50 {row['ack_p50_ms']} / "
                f"p99 {row['ack_p99_ms']} ms"
            )
    summary = {
        k: {
            metric: statistics.median(row[metric] for row in rows)
            for metric in ("cpu_us_per_vote", "votes_per_s", "ack_p50_ms", "ack_p99_ms")
        }
        for k, rows in rounds.items()
    }
    return {"settings": env, "rounds": rounds, "medians": summary}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m loadtests.vote_cost", description=__doc__)
    parser.add_argument("--senders", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--votes", type=int, default=3000, help="votes per round, in all")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per number of senders")
    parser.add_argument("--gather-ms", type=float, help="the server's DIALOGRAUM_GATHER_MS")
    parser.add_argument("--sync", choices=["FULL", "NORMAL"], help="DIALOGRAUM_SQLITE_SYNC")
    parser.add_argument("--out", type=Path, help="write the rounds and medians as JSON here")
    args = parser.parse_args(argv)
    result = asyncio.run(main_async(args))
    print("| senders | µs CPU a vote | votes/s | ack p50 (ms) | ack p99 (ms) |")
    print("|---|---|---|---|---|")
    for k, row in result["medians"].items():
        print(
            f"| {k} | {row['cpu_us_per_vote']:.0f} | {row['votes_per_s']:.0f} "
            f"| {row['ack_p50_ms']:.2f} | {row['ack_p99_ms']:.2f} |"
        )
    if args.out is not None:
        args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
