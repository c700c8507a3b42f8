"""What the server writes to its log: no IP addresses, no paths with secrets.

uvicorn logs every WebSocket handshake at INFO with the client's address and
the path (``1.2.3.4:5678 - "WebSocket /ws/phone/ABC123" [accepted]``), even
with its access log off. The README promises no IP addresses in the logs, so
those records are dropped by a filter on ``uvicorn.error``, which uvicorn's
own logging config installs in every worker process.

The secret links (admin token, the sample event's moderator key) are printed
by :func:`show_secret_links`: to the terminal when there is one, otherwise
into a file only the server's user can read, never into a log.
"""

from __future__ import annotations

import copy
import logging
import os
import sys
from pathlib import Path
from typing import Any

import uvicorn.config

LINKS_FILE = "secret-links.txt"  # a file name, not a secret


# ``websockets`` logs every socket's opening and closing to uvicorn's error log at INFO:
# a thousand lines per join storm that say nothing a counter does not, each one
# formatted and written while the storm waits (~3 % of the event loop in its profile).
_PER_SOCKET = frozenset({"connection open", "connection closed"})


class NoClientAddresses(logging.Filter):
    """Drop uvicorn's per-connection records (they carry the client's address), and
    the per-socket open and close lines of ``websockets``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.msg if isinstance(record.msg, str) else ""
        return not message.startswith('%s - "WebSocket %s"') and message not in _PER_SOCKET


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's default logging config, with :class:`NoClientAddresses` on its error log."""
    config: dict[str, Any] = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config.setdefault("filters", {})["no_client_addresses"] = {"()": NoClientAddresses}
    config["loggers"]["uvicorn.error"]["filters"] = ["no_client_addresses"]
    return config


def show_secret_links(lines: list[str], data_dir: Path, tty: bool | None = None) -> str:
    """Hand the secret links to the operator; returns where they went.

    On a terminal they are printed. Under systemd, a container or a process
    manager, stdout is a log, so they go to ``<data dir>/secret-links.txt``
    (mode 0600) and the log says only where to find them.
    """
    on_terminal = sys.stdout.isatty() if tty is None else tty
    if on_terminal:
        for line in lines:
            print(line, file=sys.stdout, flush=True)
        return "terminal"
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LINKS_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    path.chmod(0o600)
    print(
        f"  Geheime Links / secret links: {path} (nur für Sie lesbar / readable by you only)",
        file=sys.stdout,
        flush=True,
    )
    return str(path)
