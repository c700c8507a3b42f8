"""``dialograum serve`` (also ``python -m server``): start the server.

Every option also comes from the environment (see :mod:`server.settings`);
the command line wins.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

import msgspec
import uvicorn

from server.settings import from_env


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
            "--public-url",
            help="base URL phones use, e.g. http://192.168.1.20:8000 (DIALOGRAUM_PUBLIC_URL); "
            "default: this machine's LAN address",
        )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        settings = from_env(
            host=args.host, port=args.port, db=args.db, redis=args.redis, public_url=args.public_url
        )
    except msgspec.ValidationError as exc:
        sys.exit(f"dialograum: invalid setting: {exc}")
    # The factory reads the environment, so hand the command line over through it.
    for name, var in (
        ("host", "DIALOGRAUM_HOST"),
        ("port", "DIALOGRAUM_PORT"),
        ("db", "DIALOGRAUM_DB"),
        ("redis", "REDIS_URL"),
        ("public_url", "DIALOGRAUM_PUBLIC_URL"),
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
        ws="websockets-sansio",
        ws_max_size=settings.ws_max_bytes * 4,
        ws_per_message_deflate=False,
        access_log=False,  # privacy by default: no IPs and no secret links in logs
        log_level="info",
    )


if __name__ == "__main__":  # pragma: no cover
    main()
