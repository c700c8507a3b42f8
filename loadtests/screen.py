"""The screen probe: one projector client in a process of its own.

It runs apart from the phone generator on purpose. With a thousand phone
sockets busy in the generator's event loop, a screen client sharing that
loop (or its GIL) would stamp pushes late, and the latency we report would
be the generator's, not the server's. A separate process reads the socket
as soon as the kernel has the bytes.

Usage: ``python -m loadtests.screen ws://127.0.0.1:PORT/api/events/CODE/live``

Prints one line per message, flushed at once, stamped with
``time.monotonic_ns()`` (CLOCK_MONOTONIC, shared by every process on the
machine, so the harness can subtract its own stamps):

    msg <t_ns> <seq> <joined> <online> <poll> <status> <voters> <counts> <words> <mode> <qna>
    closed <t_ns> <code> <reason>
    error <t_ns> <text>

``poll`` is the poll on screen (``screen_poll``), ``status`` its status,
``voters`` and ``counts`` its ``results`` (``o1:3,o2:5``), as the screen's
JSON view has them; ``-``, ``-``, ``-1``, ``-`` when no poll is on screen or
its results are held back. ``words`` is the word cloud of a text poll as
``<distinct words>:<their summed counts>``, ``-`` for none. ``mode`` is
what the projector shows (``poll``, ``qna``, …). ``qna`` is the Q&A session
on stage as ``<questions shown>:<their summed votes>:<top 5>``, the top 5 as
``q3=12,q1=9,…`` in the screen's order (``-`` for none), or ``-`` when the
event has no Q&A. The join scenario reads only the first five fields.
"""

from __future__ import annotations

import asyncio
import sys
import time

import msgspec
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed


class Counts(msgspec.Struct):
    joined: int
    online: int


class Word(msgspec.Struct):
    word: str
    count: int


class Results(msgspec.Struct):
    """Every kind's results carry ``voters``; choice polls also ``counts``, text polls ``words``."""

    voters: int
    counts: dict[str, int] | None = None
    words: list[Word] | None = None


class PollView(msgspec.Struct):
    id: str
    status: str
    results: Results | None = None


class QuestionView(msgspec.Struct):
    id: str
    votes: int
    status: str


class SessionView(msgspec.Struct):
    id: str
    questions: list[QuestionView]
    on_stage: bool = False


class View(msgspec.Struct):
    participants: Counts
    screen: str = "-"
    screen_poll: str | None = None
    polls: list[PollView] = []
    qna: list[SessionView] = []


class Push(msgspec.Struct):
    """Welcome and state pushes share these fields; everything else is ignored."""

    type: str
    seq: int | None = None
    state: View | None = None


_decode = msgspec.json.Decoder(Push).decode
_hello = msgspec.json.encode({"type": "hello", "token": None, "after": None}).decode()


def emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def poll_fields(view: View) -> str:
    """``<poll> <status> <voters> <counts> <words>`` for the poll on screen."""
    for poll in view.polls:
        if poll.id == view.screen_poll:
            if poll.results is None:
                return f"{poll.id} {poll.status} -1 - -"
            counts = ",".join(f"{k}:{v}" for k, v in (poll.results.counts or {}).items()) or "-"
            words = poll.results.words
            cloud = f"{len(words)}:{sum(w.count for w in words)}" if words else "-"
            return f"{poll.id} {poll.status} {poll.results.voters} {counts} {cloud}"
    return "- - -1 - -"


def qna_fields(view: View) -> str:
    """``<questions>:<votes>:<top 5>`` of the session on stage, as the screen ranks them."""
    stage = next((s for s in view.qna if s.on_stage), None)
    if stage is None:
        return "-"
    waiting = [q for q in stage.questions if q.status in ("visible", "live")]
    top = ",".join(f"{q.id}={q.votes}" for q in waiting[:5]) or "-"
    return f"{len(stage.questions)}:{sum(q.votes for q in stage.questions)}:{top}"


async def watch(url: str) -> int:
    try:
        async with connect(
            url, compression=None, proxy=None, ping_interval=None, open_timeout=30
        ) as ws:
            await ws.send(_hello)
            while True:
                raw = await ws.recv(decode=False)
                now = time.monotonic_ns()
                push = _decode(raw)
                if push.state is None:
                    emit(f"other {now} {push.type}")
                    continue
                counts = push.state.participants
                poll = poll_fields(push.state)
                mode, qna = push.state.screen or "-", qna_fields(push.state)
                emit(f"msg {now} {push.seq} {counts.joined} {counts.online} {poll} {mode} {qna}")
    except ConnectionClosed as exc:
        code = exc.rcvd.code if exc.rcvd is not None else 1006
        reason = exc.rcvd.reason if exc.rcvd is not None else ""
        emit(f"closed {time.monotonic_ns()} {code} {reason or '-'}")
        return 1
    except (OSError, msgspec.DecodeError) as exc:
        emit(f"error {time.monotonic_ns()} {type(exc).__name__}: {exc}")
        return 2


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: python -m loadtests.screen WS_URL")
    sys.exit(asyncio.run(watch(sys.argv[1])))


if __name__ == "__main__":
    main()
