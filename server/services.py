"""Everything a request handler needs, built once per app and kept on ``app.state``."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from litestar.connection import ASGIConnection

from server.auth import Signer
from server.backends import Backends
from server.cafe_planner import Planner
from server.conns import Sockets
from server.links import Links, links_for
from server.present import Presenter
from server.ratelimit import TokenBuckets
from server.registry import Rooms
from server.render import Renderer
from server.settings import Settings


@dataclass
class Services:
    settings: Settings
    rooms: Rooms
    renderer: Renderer
    presenter: Presenter
    signer: Signer
    admin_token: str
    base_url: str
    join_limits: TokenBuckets
    sockets: Sockets
    event_joins: TokenBuckets | None = None
    backends: Backends | None = None
    planner: Planner = field(default_factory=Planner)  # café plans; stopped with the app

    def join_refusal(self, address: str, code: str) -> str | None:
        """Why a join must wait, or None: too many from this address, or into this event.

        The per-event bucket holds a minute's worth (``joins_per_minute``) and
        refills at that rate, so a hall that scans the code at once gets in,
        and a script that keeps joining runs dry.
        """
        now = time.monotonic()
        if not self.join_limits.allow(address, now):
            return "rate_limited"
        if self.event_joins is not None and not self.event_joins.allow(code, now):
            return "joins_busy"
        return None

    @property
    def problem(self) -> str | None:
        """Why the server cannot serve events right now (Redis unreachable), or None."""
        return self.backends.problem if self.backends is not None else None

    def links(self, code: str, moderator_key: str | None = None) -> Links:
        return links_for(self.base_url, code, moderator_key)

    def join_url(self, code: str) -> str:
        return self.links(code).join


def services(connection: ASGIConnection[Any, Any, Any, Any]) -> Services:
    svc: Services = connection.app.state["svc"]
    return svc


def client_ip(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The peer address; behind a proxy, uvicorn's --proxy-headers fills it in."""
    client = connection.client
    return client.host if client is not None else "unknown"
