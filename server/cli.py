"""``dialograum serve`` (also ``python -m server``): start the server.

Every option also comes from the environment (see :mod:`server.settings`);
the command line wins. ``dialograum export`` and ``dialograum import`` move
one event between stores (see :mod:`server.transfer`).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

import msgspec
import uvicorn

from rooms.codes import normalise_code
from server.logs import uvicorn_log_config
from server.settings import Settings, from_env
from server.slowloris import HeaderTimeoutProtocol
from server.stores.base import EventStore, StoreError


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="dialograum", description="Dialograum server")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="start the server (default)")
    for target in (parser, serve):
        target.add_argument("--host", help="address to listen on (DIALOGRAUM_HOST, 0.0.0.0)")
        target.add_argument("--port", type=int, help="port (DIALOGRAUM_PORT, 8000)")
        target.add_argument("--db", help="SQLite file (DIALOGRAUM_DB, data/dialograum.sqlite3)")
        target.add_argument("--redis", help="Redis URL for scale-out (REDIS_URL)")
        target.add_argument(
            "--workers",
            type=int,
            help="worker processes on this port (DIALOGRAUM_WORKERS, 1); more than one needs Redis",
        )
        target.add_argument(
            "--public-url",
            help="base URL phones use, e.g. http://192.168.1.20:8000 (DIALOGRAUM_PUBLIC_URL); "
            "default: this machine's LAN address",
        )
    export = sub.add_parser("export", help="write one event's log as JSON to stdout")
    export.add_argument("code", help="the event's join code")
    export.add_argument(
        "--with-contacts",
        action="store_true",
        help="keep the contacts people gave when joining an action (personal data); "
        "left out by default",
    )
    imp = sub.add_parser("import", help="read an event file and create the event in the store")
    imp.add_argument("file", help="the file `dialograum export` wrote ('-' for stdin)")
    for target in (export, imp):
        target.add_argument("--db", help="SQLite file (DIALOGRAUM_DB)")
        target.add_argument("--redis", help="Redis URL (REDIS_URL); without it, SQLite")
    return parser.parse_args(argv)


WORKER_HEALTHCHECK_S = 30


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.command in ("export", "import"):
        sys.exit(transfer(args))
    try:
        settings = from_env(
            host=args.host,
            port=args.port,
            db=args.db,
            redis=args.redis,
            public_url=args.public_url,
            workers=args.workers,
        )
    except (msgspec.ValidationError, ValueError) as exc:
        sys.exit(f"dialograum: invalid setting: {exc}")
    if settings.workers > 1 and not settings.redis:
        sys.exit(
            "dialograum: several workers share their rooms through Redis; "
            "set REDIS_URL (or --redis), or run one worker"
        )
    # The factory reads the environment, so hand the command line over through it.
    # Each worker process builds its own app from it (uvicorn --workers spawns them).
    for name, var in (
        ("host", "DIALOGRAUM_HOST"),
        ("port", "DIALOGRAUM_PORT"),
        ("db", "DIALOGRAUM_DB"),
        ("redis", "REDIS_URL"),
        ("public_url", "DIALOGRAUM_PUBLIC_URL"),
        ("header_timeout_s", "DIALOGRAUM_HEADER_TIMEOUT_S"),
    ):
        value = getattr(settings, name)
        if value is not None:
            os.environ[var] = str(value)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        "server.app:create_default_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers if settings.workers > 1 else None,
        # uvicorn's supervisor kills a worker that does not answer its ping within this
        # long. Its default, 5 s, killed (and restarted) workers that were only slow: a
        # freshly spawned one importing the app on a loaded machine, and with it every
        # phone connected to it. A dead worker still ends at once; a hung one 30 s later.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        ws="websockets-sansio",
        http=HeaderTimeoutProtocol,  # headers (and WebSocket handshakes) within 10 s
        ws_max_size=settings.ws_max_bytes * 4,
        ws_per_message_deflate=False,
        access_log=False,  # privacy by default: no IPs and no secret links in logs
        log_config=uvicorn_log_config(),  # and no IPs from the WebSocket handshakes either
        # X-Forwarded-For only from the proxies named in DIALOGRAUM_TRUSTED_PROXIES; uvicorn's
        # default trusts 127.0.0.1, so anyone on the server itself could pick an address.
        proxy_headers=bool(settings.trusted_proxies.strip()),
        forwarded_allow_ips=settings.trusted_proxies.strip() or "",
        log_level="info",
    )


def store_for(settings: Settings) -> EventStore:
    from server.stores.redis import RedisStore
    from server.stores.sqlite import SqliteStore

    if settings.redis:
        return RedisStore(settings.redis, settings.redis_cluster)
    return SqliteStore(settings.db, synchronous=settings.sqlite_sync)


def transfer(args: argparse.Namespace) -> int:
    """Run ``export`` or ``import``; returns the exit status, errors go to stderr."""
    from server.transfer import TransferError, export_event, import_event

    settings = from_env(db=args.db, redis=args.redis)
    if args.db and not args.redis:  # an explicit file wins over REDIS_URL in the environment
        settings = msgspec.structs.replace(settings, redis=None)
    from server.stores.redis import redacted

    where = redacted(settings.redis) if settings.redis else settings.db

    data = b""
    if args.command == "import":
        try:
            data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
        except OSError as exc:
            print(f"dialograum import: {exc}", file=sys.stderr)
            return 1
    code = normalise_code(args.code) or args.code if args.command == "export" else ""

    async def run() -> int:
        store = store_for(settings)
        await store.open()
        try:
            if args.command == "export":
                exported = await export_event(store, code, with_contacts=args.with_contacts)
                sys.stdout.buffer.write(exported)
                sys.stdout.buffer.flush()
            else:
                imported = await import_event(store, data)
                print(f"dialograum: imported event {imported} into {where}", file=sys.stderr)
        finally:
            await store.close()
        return 0

    try:
        return asyncio.run(run())
    except (TransferError, StoreError, OSError) as exc:
        print(f"dialograum {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    main()
