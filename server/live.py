"""WebSocket handlers: one per page kind, and the JSON API's live socket.

Each connection gets a subscriber with a bounded, latest-wins outbox that
its own task drains, so a slow phone never holds up the room. Inbound
messages are commands; each is answered with an ack once its events are
durable. A bad message gets an error ack; the connection stays healthy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any, cast
from urllib.parse import urlsplit

from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromPath
from litestar.types import Message

from rooms import views
from rooms.base import Actor, Rejected, Role
from rooms.codes import normalise_code
from rooms.ideas.domain import PostIdea
from rooms.ideas.sort import SortCards, SuggestClusters
from rooms.room import Command
from server import suggest
from server.auth import LANG_COOKIE, key_matches, moderator_cookie, participant_cookie
from server.conns import Ticket
from server.embedding import EMBEDDER
from server.fanout import Subscriber
from server.framesend import frame_writer
from server.hub import Hub
from server.i18n import from_accept_language, pick_language, reason_text
from server.outbox import Outbox, Send, drain
from server.patches import PATCH_KIND
from server.rawsend import raw_send
from server.services import Services, client_ip, services
from server.stores.base import StoreError
from server.wire import (
    Ack,
    BadMessage,
    Error,
    Hello,
    Progress,
    Welcome,
    cid_of,
    encode,
    parse,
    with_presence,
)

log = logging.getLogger("dialograum.live")

AnySocket = WebSocket[Any, Any, Any]

CLOSE_FORBIDDEN = 4403
CLOSE_UNKNOWN_EVENT = 4404
CLOSE_POLICY = 1008
CLOSE_TRY_AGAIN = 1013  # clients reconnect on this, and resume


def origin_allowed(socket: AnySocket, svc: Services) -> bool:
    """Browsers always send Origin on a WebSocket upgrade; it must be our own.

    Litestar's CSRF and CORS middleware do not cover WebSockets. Clients
    that are not browsers (load tests, overlays) send no Origin and are let
    through: they cannot carry a victim's cookies.
    """
    origin = socket.headers.get("origin")
    if origin is None:
        return True
    netloc = urlsplit(origin).netloc.lower()
    allowed = {socket.headers.get("host", "").lower(), urlsplit(svc.base_url).netloc.lower()}
    return netloc in allowed


async def refuse(socket: AnySocket, code: int) -> None:
    if socket.connection_state == "init":
        await socket.receive()
    await socket.close(code=code)


def socket_language(socket: AnySocket, hub: Hub) -> str:
    return pick_language(
        socket.cookies.get(LANG_COOKIE),
        hub.state.lobby.language.value,
        from_accept_language(socket.headers.get("accept-language")),
    )


async def receive_text(socket: AnySocket) -> str | bytes:
    event = await socket.receive()
    if event["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(detail="disconnect", code=event.get("code", 1000))
    text = event.get("text")
    if isinstance(text, str):
        return text
    data = event.get("bytes")
    return data if isinstance(data, bytes) else b""


def asgi_text_sender(socket: AnySocket) -> Send:
    """Send a text frame through the socket's ASGI ``send``, skipping two wrappers.

    ``send_text`` goes through ``send_data``, two more coroutines per
    message; with a tick to a thousand phones those were ~3 % of the event
    loop's CPU (py-spy, the ``ceiling`` load test).
    Where the server's own ``send`` is at hand (server/rawsend.py), it is
    used directly.
    """
    # Both are coroutine functions; the outbox drives their coroutines itself.
    asgi_send = cast(
        Callable[[Message], Coroutine[Any, Any, None]], raw_send(socket.scope) or socket.send
    )

    def send(text: str | bytes) -> Coroutine[Any, Any, None]:
        # a text frame either way: a state built as UTF-8 bytes (server/present.py) is
        # decoded back only here, where the frame writer could not take it
        if isinstance(text, bytes):
            text = text.decode()
        return asgi_send({"type": "websocket.send", "bytes": None, "text": text})

    return send


def _closed() -> None:
    """What a finished session's subscriber and ticket call on close: nothing to do."""


class Session:
    """One open socket in one room: its subscriber, its sender task, its command loop."""

    def __init__(
        self,
        socket: AnySocket,
        svc: Services,
        hub: Hub,
        sub: Subscriber,
        actor: Actor,
        ticket: Ticket,
        greeted: bool = False,
    ) -> None:
        self.socket = socket
        self.svc = svc
        self.hub = hub
        self.sub = sub
        self.actor = actor
        self.ticket = ticket
        self._greeted = greeted  # the API socket's hello came before the session
        self._closing = False
        sub.close = self.request_close
        ticket.close = self.request_close

    def request_close(self) -> None:
        """Close from the server side (overflow, room gone); the client resumes."""
        if self._closing:
            return
        self._closing = True
        self.sub.outbox.close()
        asyncio.get_running_loop().create_task(self._close(CLOSE_TRY_AGAIN))

    async def _close(self, code: int) -> None:
        with contextlib.suppress(Exception):
            await self.socket.close(code=code)

    def reply(
        self,
        cid: str | None,
        ok: bool,
        seq: int | None = None,
        reason: str | None = None,
        created: str | None = None,
    ) -> None:
        """Queue an ack; uncorrelated errors share one slot, so floods of them coalesce."""
        text = encode(Ack(cid, ok, seq, reason, created, reason_text(self.sub.lang, reason)))
        self.hub.deliver(self.sub, f"ack:{cid}" if cid else "error", text)

    async def run(self, on_hello: Callable[[Hello], None]) -> None:
        svc = self.svc
        # Direct sends write whole frames to uvicorn's transport (server/framesend.py).
        self.sub.outbox.write = frame_writer(raw_send(self.socket.scope))
        sender = asyncio.get_running_loop().create_task(
            drain(
                self.sub.outbox,
                asgi_text_sender(self.socket),
                svc.settings.stuck_after_s,
                self._on_stuck,
            )
        )
        svc.rooms.attach(self.hub, self.sub)
        embed = svc.settings.embed_cards
        try:
            while not self._closing:
                if self._greeted:
                    raw = await receive_text(self.socket)
                else:
                    # A socket that says nothing holds memory for nothing: pages send
                    # their hello as soon as they open, so silence means a script.
                    try:
                        raw = await asyncio.wait_for(
                            receive_text(self.socket), svc.settings.hello_timeout_s
                        )
                    except TimeoutError:
                        await self._close(CLOSE_POLICY)
                        break
                    self._greeted = True
                if len(raw) > svc.settings.ws_max_bytes:
                    self.reply(cid_of(raw), False, None, "message_too_large")
                    continue
                try:
                    message, cid = parse(raw)
                except BadMessage as exc:
                    self.reply(exc.cid, False, None, exc.reason)
                    continue
                if isinstance(message, Hello):
                    on_hello(message)
                    continue
                if isinstance(message, SuggestClusters | SortCards):  # logged as a proposal
                    answered = await self._propose(message)
                    if isinstance(answered, Rejected):
                        self.reply(cid, False, None, answered.reason)
                        continue
                    command: Command = answered
                elif self.sub.kind.startswith("api:"):  # API clients say who, or mean everyone
                    command = message
                else:
                    command = with_presence(message, self.hub.online)
                if svc.settings.plan_in_worker:  # a café plan: computed off the event loop
                    await svc.planner.prepare(self.hub.state, command, self.actor, cid)
                result = await self.hub.submit(self.actor, command, cid)
                self.reply(cid, result.ok, result.seq, result.reason, result.id)
                if isinstance(command, PostIdea) and result.ok and result.id and embed:
                    self._embed_later(result.id)
        except WebSocketDisconnect:
            pass
        finally:
            svc.rooms.detach(self.hub, self.sub)
            svc.sockets.release(self.ticket)
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
            self._unlink()

    def _unlink(self) -> None:
        """Break the session's reference cycles once its socket is done.

        The subscriber and the ticket call back into the session
        (``request_close``), which holds them: a cycle; the outbox's frame
        writer holds the server's protocol, and a direct send that failed
        holds its traceback (:meth:`Outbox.discard`). So a closed connection
        (its uvicorn protocol, transport, queues and tasks, ~20 KB) waited
        for a full collection, and the GC settler runs one only after
        as many departures as phones attached: at 1,000 phones up to a
        thousand dead connections at a time (docs/architecture.md, "Memory
        over a long event"). Without the cycles, reference counting frees
        them as the socket ends.
        """
        self.sub.close = _closed
        self.ticket.close = _closed
        self.sub.outbox.discard()

    def _embed_later(self, idea: str) -> None:
        """Embed a new card in the background, so sorting later finds it ready."""
        board = self.hub.state.ideas.board_of_idea(idea)
        if board is not None:
            EMBEDDER.note(board.ideas[idea].text)

    async def _propose(self, message: SuggestClusters | SortCards) -> Command | Rejected:
        """Compute a proposal in a thread; meanwhile this socket is told how far it got."""
        loop = asyncio.get_running_loop()
        board = message.board
        key = f"progress:{board}"

        def show(stage: str, done: int, total: int) -> None:
            if self.sub.kind.startswith("api:"):
                text = encode(Progress(board, stage, done, total))
            else:
                text = self.svc.renderer.render(
                    self.sub.lang,
                    "ideas/progress.html",
                    board=board,
                    stage=stage,
                    done=done,
                    total=total,
                )
            self.hub.deliver(self.sub, key, text)

        def from_thread(stage: str, done: int, total: int) -> None:
            loop.call_soon_threadsafe(show, stage, done, total)

        try:
            return await suggest.answer(self.hub.state.ideas, self.actor, message, from_thread)
        except Exception:  # the model failed: say so, and keep the socket
            log.exception("room %s: cluster proposal failed", self.hub.code)
            return Rejected("suggest_failed")
        finally:
            show("done", 0, 0)

    async def _on_stuck(self) -> None:
        log.info("room %s: closing a stuck connection", self.hub.code)
        self._closing = True
        await self._close(CLOSE_TRY_AGAIN)


def admit(
    socket: AnySocket, svc: Services, hub: Hub, participant: str | None, anonymous: bool
) -> Ticket | None:
    """A place for this socket under the per-address, per-event and per-participant bounds."""
    return svc.sockets.admit(client_ip(socket), hub.code, participant, anonymous)


async def open_room(socket: AnySocket, code: str) -> tuple[Services, Hub] | None:
    svc = services(socket)
    if not origin_allowed(socket, svc):
        await refuse(socket, CLOSE_FORBIDDEN)
        return None
    canonical = normalise_code(code)
    try:
        hub = await svc.rooms.get(canonical) if canonical else None
    except StoreError as exc:
        # Redis is away: the client keeps "reconnecting" (its banner says so) and
        # resends what was not acknowledged once a worker can load the room again.
        log.warning("room %s: cannot load, the store is unavailable: %s", canonical, exc)
        await refuse(socket, CLOSE_TRY_AGAIN)
        return None
    if hub is None:
        await refuse(socket, CLOSE_UNKNOWN_EVENT)
        return None
    return svc, hub


def resume(hub: Hub, sub: Subscriber, always: bool) -> Callable[[Hello], None]:
    """On hello, send current views if the page is behind (or always, for the console)."""

    def on_hello(hello: Hello) -> None:
        if always or hello.after is None or hello.after != hub.state.seq:
            hub.send_current(sub)

    return on_hello


# --- page sockets -----------------------------------------------------------


@websocket("/ws/screen/{code:str}")
async def screen_socket(socket: AnySocket, code: FromPath[str]) -> None:
    opened = await open_room(socket, code)
    if opened is None:
        return
    svc, hub = opened
    ticket = admit(socket, svc, hub, None, anonymous=True)
    if ticket is None:
        await refuse(socket, CLOSE_TRY_AGAIN)
        return
    await socket.accept()
    sub = Subscriber("screen", socket_language(socket, hub), None, page_outbox(svc))
    session = Session(socket, svc, hub, sub, Actor(Role.SCREEN), ticket)
    await session.run(resume(hub, sub, always=False))


def page_outbox(svc: Services) -> Outbox:
    """A page's outbox: its parts of one tick go out as one frame."""
    return Outbox(svc.settings.outbox_limit, join=True)


@websocket("/ws/phone/{code:str}")
async def phone_socket(socket: AnySocket, code: FromPath[str]) -> None:
    opened = await open_room(socket, code)
    if opened is None:
        return
    svc, hub = opened
    pid = svc.signer.participant_from(hub.code, socket.cookies.get(participant_cookie(hub.code)))
    if pid is None:
        await refuse(socket, CLOSE_FORBIDDEN)
        return
    ticket = admit(socket, svc, hub, pid, anonymous=False)
    if ticket is None:
        await refuse(socket, CLOSE_TRY_AGAIN)
        return
    await socket.accept()
    sub = Subscriber("phone", socket_language(socket, hub), pid, page_outbox(svc))
    actor = Actor(Role.PARTICIPANT, pid)
    await Session(socket, svc, hub, sub, actor, ticket).run(resume(hub, sub, always=False))


@websocket("/ws/console/{code:str}")
async def console_socket(socket: AnySocket, code: FromPath[str]) -> None:
    opened = await open_room(socket, code)
    if opened is None:
        return
    svc, hub = opened
    key = socket.cookies.get(moderator_cookie(hub.code))
    if not key_matches(key, hub.state.lobby.moderator_key_hash):
        await refuse(socket, CLOSE_FORBIDDEN)
        return
    ticket = admit(socket, svc, hub, None, anonymous=False)
    if ticket is None:
        await refuse(socket, CLOSE_TRY_AGAIN)
        return
    await socket.accept()
    sub = Subscriber("console", socket_language(socket, hub), None, page_outbox(svc))
    session = Session(socket, svc, hub, sub, Actor(Role.MODERATOR), ticket)
    await session.run(resume(hub, sub, always=True))


# --- the JSON API socket ------------------------------------------------------


@websocket("/api/events/{code:str}/live")
async def api_socket(socket: AnySocket, code: FromPath[str]) -> None:
    """JSON live socket: hello → welcome, then state pushes and acks (docs/api.md)."""
    opened = await open_room(socket, code)
    if opened is None:
        return
    svc, hub = opened
    ticket = admit(socket, svc, hub, None, anonymous=False)  # its hello says who
    if ticket is None:
        await refuse(socket, CLOSE_TRY_AGAIN)
        return
    try:
        await api_session(socket, svc, hub, ticket)
    finally:
        svc.sockets.release(ticket)


def welcome(svc: Services, hub: Hub, hello: Hello, lang: str) -> tuple[Actor, str, str] | None:
    """Who the hello's token names, the kind of views they get, and their welcome, encoded.

    None for a token that names nobody. Only the encoded welcome leaves this
    function: the session's coroutine lives as long as its connection, and a
    view struct kept in its frame (the whole room as it was at the join: café
    tables, polls, questions) was held by every open socket, 1,000 stale
    copies of a growing room in the stamina run (docs/benchmarks.md).
    """
    pid = svc.signer.participant_from(hub.code, hello.token)
    state: views.View
    if pid is not None:
        actor = Actor(Role.PARTICIPANT, pid)
        state = views.participant_view(hub.state, pid, hub.online_count, hub.pseudonyms(pid))
    elif hello.token is None:
        actor = Actor(Role.SCREEN)
        state = views.public_view(hub.state, hub.online_count)
    elif key_matches(hello.token, hub.state.lobby.moderator_key_hash):
        actor = Actor(Role.MODERATOR)
        state = views.moderator_view(hub.state, hub.online)
    else:
        return None
    kind = f"api:{actor.role.value}"
    if pid is not None and hello.patches:
        kind = PATCH_KIND
        # The welcome's shape counts for the patches' base (server/patches.py).
        hub.presenter.shared(kind, lang, hub.state, hub.online)
    return actor, kind, encode(Welcome(actor.role.value, hub.state.seq, state))


async def api_session(socket: AnySocket, svc: Services, hub: Hub, ticket: Ticket) -> None:
    await socket.accept()
    lang = socket_language(socket, hub)
    try:
        raw = await asyncio.wait_for(receive_text(socket), timeout=svc.settings.hello_timeout_s)
        message, _ = parse(raw)
        if not isinstance(message, Hello):
            raise BadMessage("hello_first")
    except (BadMessage, TimeoutError) as exc:
        reason = exc.reason if isinstance(exc, BadMessage) else "hello_first"
        with contextlib.suppress(Exception):
            await socket.send_text(encode(Error(reason, reason_text(lang, reason) or reason)))
            await socket.close(code=CLOSE_POLICY)
        return
    except WebSocketDisconnect:
        return
    greeting = welcome(svc, hub, message, lang)
    if greeting is None:
        with contextlib.suppress(Exception):
            await socket.send_text(encode(Error("bad_token", reason_text(lang, "bad_token") or "")))
            await socket.close(code=CLOSE_FORBIDDEN)
        return
    actor, kind, first = greeting
    del greeting, raw, message  # a session lasts hours: its frame keeps only what it needs
    pid = actor.participant
    if not svc.sockets.identify(ticket, pid, anonymous=actor.role is Role.SCREEN):
        with contextlib.suppress(Exception):
            await socket.close(code=CLOSE_TRY_AGAIN)  # one screen too many from this address
        return
    sub = Subscriber(kind, lang, pid, Outbox(svc.settings.outbox_limit))
    sub.outbox.put("welcome", first)
    del first
    session = Session(socket, svc, hub, sub, actor, ticket, greeted=True)
    await session.run(lambda hello: hub.send_current(sub))
