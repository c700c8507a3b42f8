"""Many commands per phone, each stamped: sent, acked, with what ``seq``.

The plenum's phones send one vote each (see :class:`loadtests.clients.Phones`);
brainstorm and reconnect send several, and reconnect sends some twice on
purpose (same ``cid`` after a drop). A :class:`Commands` hooks into the
phones' ack callback and keys everything by ``cid``, so a resent command's
second ack lands on the same record and a doubled effect would show up in
the final state, not here.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import msgspec
from websockets.typing import BytesLike

from loadtests.clients import Ack, Phone, Phones


@dataclass(eq=False)
class Sent:
    """One command: who sent it, what, when, and its (first) ack."""

    phone: int
    cid: str
    payload: bytes
    sent_ns: int | None = None
    ack_ns: int | None = None
    ack: Ack | None = None
    acks: int = 0  # how many acks this cid got (resends get the first answer again)
    error: str | None = None


_decode_ack = msgspec.json.Decoder(Ack).decode


class Commands:
    """Timed commands from phones; ``wait_all`` until every one has an ack or an error."""

    def __init__(self, phones: Phones) -> None:
        self.phones = phones
        self.by_cid: dict[str, Sent] = {}
        self.answered = 0
        self._progress = asyncio.Event()  # set at every answer: wait_all re-checks then
        phones.on_ack = self.on_ack

    def plan(self, items: list[tuple[Phone, float, str, dict[str, object]]]) -> None:
        """``(phone, delay s, cid, fields)``: send ``fields`` with ``cid`` after the delay."""
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        for phone, delay, cid, fields in items:
            payload = msgspec.json.encode({**fields, "cid": cid})
            sent = self.by_cid[cid] = Sent(phone.index, cid, payload)
            loop.call_at(t0 + delay, self.send, phone, sent)

    def register(self, phone: Phone, cid: str, fields: dict[str, object]) -> Sent:
        """A command to be sent later by the caller (with :meth:`send`), already awaited."""
        sent = self.by_cid[cid] = Sent(
            phone.index, cid, msgspec.json.encode({**fields, "cid": cid})
        )
        return sent

    def send(self, phone: Phone, sent: Sent) -> None:
        try:
            if phone.socket is None:
                raise ConnectionError(phone.error or "no live socket")
            sent.sent_ns = time.monotonic_ns()
            phone.socket.send_text(sent.payload)
        except ConnectionError as exc:
            sent.error = str(exc)
            self._answer()

    def on_ack(self, phone: Phone, data: BytesLike) -> None:
        stamped = time.monotonic_ns()
        ack = _decode_ack(data)
        sent = self.by_cid.get(ack.cid or "")
        if sent is None:
            return
        sent.acks += 1
        if sent.ack is None:
            sent.ack, sent.ack_ns = ack, stamped
            self._answer()

    def _answer(self) -> None:
        self.answered += 1
        self._progress.set()

    def waiting(self) -> int:
        """Commands with neither an ack nor an error yet, counted afresh."""
        return sum(1 for s in self.by_cid.values() if s.ack is None and s.error is None)

    async def wait_all(self, within_s: float) -> None:
        """Until every command has an ack or an error, or ``within_s`` (TimeoutError).

        Re-checked at every answer, and once the counter says all are in,
        counted from the commands themselves: a command answered twice (an
        error, then an ack of its resend) must not end the wait early (the
        stamina smoke once checked its results with two commands still in
        flight, its wait over at once).
        """
        async with asyncio.timeout(within_s):
            # the counter first (cheap); the scan only once it says all are in
            while self.answered < len(self.by_cid) or self.waiting():
                self._progress.clear()
                await self._progress.wait()

    @property
    def ok(self) -> list[Sent]:
        return [s for s in self.by_cid.values() if s.ack is not None and s.ack.ok]
