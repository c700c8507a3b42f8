"""The Litestar app factory: wires store, broker, hubs and handlers together.

``create_app(settings)`` is all the tests and uvicorn need; nothing here
decides anything about a room.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.enums import ScopeType
from litestar.exceptions import ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from rooms.lobby.domain import Format, Language
from server import (
    allocator,
    api,
    cafe_pages,
    contacts,
    info_pages,
    live,
    live_docs,
    overview,
    pages,
    privacy_pages,
    retention,
    suggest,
)
from server.auth import Signer, key_hash, load_secret, new_key
from server.backends import Backends
from server.ballot_keys import BallotKeys
from server.broker import Broker, LocalBroker
from server.conns import SocketLimits, Sockets
from server.headers import security_headers
from server.hub import HubSettings
from server.library_pages import ROUTES as LIBRARY_ROUTES
from server.logs import show_secret_links
from server.netinfo import public_base
from server.present import Presenter
from server.ratelimit import TokenBuckets
from server.rawsend import keep_raw_send
from server.redis_broker import RedisBroker
from server.registry import Rooms
from server.render import STATIC, Renderer
from server.report.files import shutdown_pdf_pool
from server.report.routes import ROUTES as REPORT_ROUTES
from server.services import Services
from server.settings import Settings, from_env
from server.slide_routes import ROUTES as SLIDE_ROUTES
from server.stores.base import EventStore, StoreError
from server.stores.redis import RedisStore, redacted
from server.stores.sqlite import SqliteStore
from server.surveys.routes import ROUTES as SURVEY_ROUTES
from server.template_routes import ROUTES as TEMPLATE_ROUTES

log = logging.getLogger("dialograum")


def make_backends(settings: Settings) -> tuple[EventStore, Broker]:
    """The embedded default (SQLite + in-process broker), or Redis when configured."""
    if settings.redis:
        return (
            RedisStore(settings.redis, settings.redis_cluster),
            RedisBroker(settings.redis, settings.presence_ttl_s, settings.redis_cluster),
        )
    return SqliteStore(settings.db, synchronous=settings.sqlite_sync), LocalBroker()


async def share_secrets(svc: Services, store: EventStore) -> None:
    """Workers on one Redis must accept each other's admin link and participant cookies.

    Unless ADMIN_TOKEN and DIALOGRAUM_SECRET_KEY are set, the first worker's
    values are kept in Redis and every other worker adopts them.
    """
    if not isinstance(store, RedisStore):
        return
    settings = svc.settings
    if not settings.admin_token:
        svc.admin_token = await store.shared_value("admin_token", svc.admin_token)
    if not settings.secret_key:
        secret = load_secret(settings.data_path, None).decode()
        svc.signer = Signer((await store.shared_value("secret_key", secret)).encode())


def cache_static_for_good(app: ASGIApp) -> ASGIApp:
    """Static URLs carry a content hash (render.static_url): phones may keep them.

    A middleware, because the static router's own ``cache_control`` did not
    reach the file responses in Litestar 2.25.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or not scope["path"].startswith("/static/"):
            await app(scope, receive, send)
            return

        async def send_with_cache(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"cache-control", b"public, max-age=31536000, immutable"))
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with_cache)

    return middleware


def announce(text: str) -> None:
    print(text, file=sys.stdout, flush=True)


async def bootstrap(svc: Services) -> None:
    """Print the admin link; on first start create a sample event and print its links."""
    settings = svc.settings
    announce("")
    announce("Dialograum läuft / is running")
    secrets = [f"  Admin:        {svc.base_url}/admin/login?token={svc.admin_token}"]
    codes = await svc.rooms.store.rooms()
    # With Redis, several workers start at once; a sample event would be made by each.
    if not codes and settings.sample_event and not settings.redis:
        key = new_key()
        created = await svc.rooms.create_event(
            "Zukunft der Industrie in unserer Region",
            Format.WORLD_CAFE,
            Language.DE,
            None,
            key_hash(key),
        )
        assert isinstance(created, str)
        links = svc.links(created, key)
        secrets.append(f"  Moderation ({created}): {links.moderator}")
        announce(f"  Beispielveranstaltung / sample event {created}:")
        announce(f"  Leinwand:     {links.screen}")
        announce(f"  Teilnahme:    {links.join}")
    elif codes:
        announce(f"  {len(codes)} Veranstaltung(en) / event(s); Links im Admin-Bereich.")
    show_secret_links(secrets, settings.data_path)
    announce("")


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or from_env()
    renderer = Renderer()
    base_url = public_base(settings.public_url, settings.host, settings.port)
    admin_token = settings.admin_token or new_key()
    store, broker = make_backends(settings)
    holder: dict[str, Services] = {}

    def join_url(code: str) -> str:
        return holder["svc"].join_url(code)

    keys = BallotKeys(store)  # the secrets of anonymous polls, for the writers and the pages
    presenter = Presenter(renderer, join_url, keys)
    hub_settings = HubSettings(
        window=settings.tick_ms / 1000,
        phone_window=settings.phone_tick_ms / 1000,
        phone_counts_per_s=settings.phone_counts_per_s,
        burst=settings.burst,
        per_second=settings.per_second,
        shared_log=bool(settings.redis),
        presence_refresh=settings.presence_ttl_s / 3,
        limits=settings.limits,
        gather_s=settings.gather_ms / 1000,
    )
    rooms = Rooms(store, broker, presenter, hub_settings, keys=keys)
    svc = Services(
        settings=settings,
        rooms=rooms,
        renderer=renderer,
        presenter=presenter,
        # With Redis the secret may be replaced by the shared one (share_secrets).
        signer=Signer(load_secret(settings.data_path, settings.secret_key)),
        admin_token=admin_token,
        base_url=base_url,
        join_limits=TokenBuckets(settings.join_burst, settings.join_per_second),
        event_joins=TokenBuckets(settings.joins_per_minute, settings.joins_per_minute / 60),
        sockets=Sockets(
            SocketLimits(
                per_address=settings.sockets_per_address,
                anonymous_per_address=settings.screens_per_address,
                per_participant=settings.sockets_per_participant,
                per_event=settings.sockets_per_event,
            )
        ),
    )
    holder["svc"] = svc

    async def on_open() -> None:
        await share_secrets(svc, store)
        await bootstrap(svc)

    backends = Backends(
        store,
        broker,
        rooms,
        redacted(settings.redis) if settings.redis else settings.db,
        on_open,
        retry=bool(settings.redis),
    )
    svc.backends = backends
    if isinstance(broker, RedisBroker):
        broker.on_connection = backends.connection_changed

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        app.state["svc"] = svc
        await backends.start()
        sweeper = asyncio.create_task(retention.run(svc, settings.retention_sweep_s))
        if settings.embed_cards:
            # the sentence encoder loads in its thread once the server is up, not on the
            # first click; a second later, so the start itself is not slowed down
            asyncio.get_running_loop().call_later(1.0, suggest.start)
        try:
            yield
        finally:
            sweeper.cancel()
            shutdown_pdf_pool()
            svc.planner.close()
            suggest.close()
            await backends.close()

    return Litestar(
        route_handlers=[
            pages.start,
            pages.join_form,
            pages.join_submit,
            pages.phone,
            pages.leave,
            pages.switch_language,
            pages.screen,
            pages.qr_image,
            pages.moderator_link,
            pages.console,
            pages.poster,
            info_pages.accessibility,
            info_pages.report_barrier,
            info_pages.easy_language,
            cafe_pages.table_cards,
            cafe_pages.assignment_lists,
            cafe_pages.check_in,
            contacts.contacts,
            pages.admin_login,
            pages.admin,
            pages.admin_create,
            pages.admin_rekey,
            api.create_event,
            api.event_info,
            api.join,
            api.moderator_state,
            api.healthz,
            live_docs.live_without_upgrade,
            *REPORT_ROUTES,
            *SLIDE_ROUTES,
            *TEMPLATE_ROUTES,
            *LIBRARY_ROUTES,
            *privacy_pages.ROUTES,
            *SURVEY_ROUTES,
            overview.overview_xlsx,
            live.screen_socket,
            live.phone_socket,
            live.console_socket,
            live.api_socket,
            create_static_files_router(
                path="/static", directories=[STATIC], include_in_schema=False
            ),
        ],
        lifespan=[lifespan],
        middleware=[cache_static_for_good, security_headers],
        # Phones on venue Wi-Fi: htmx shrinks from 52 to 16 KB, pages by ~4×.
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024),
        exception_handlers={
            api.ApiError: api.api_error_handler,
            pages.NoSuchEvent: pages.no_such_event_page,
            ValidationException: api.validation_error_handler,
            StoreError: pages.store_unavailable_page,
        },
        openapi_config=OpenAPIConfig(
            title="Dialograum API", version="0.1.0", path="/schema", use_handler_docstrings=True
        ),
    )


def create_default_app() -> ASGIApp:
    """Entry point for ``uvicorn --factory server.app:create_default_app``.

    The server process's malloc is tuned here, in each worker process before
    its threads start (server/allocator.py); tests that build apps leave
    their own process alone.
    """
    tuned = allocator.tune()
    if tuned:
        logging.getLogger("dialograum.allocator").info("malloc: %s", tuned)
    return keep_raw_send(create_app(from_env()))
