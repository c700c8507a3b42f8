"""Settings from the environment, overridable on the command line.

Every setting has an environment variable (``DIALOGRAUM_*`` or the
conventional name such as ``REDIS_URL``) so that systemd units, Procfiles
and containers configure it the same way a laptop does.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from rooms.activities import Limits


class Settings(msgspec.Struct):
    host: str = "0.0.0.0"  # noqa: S104 - phones at the venue must reach the laptop
    port: int = 8000
    db: str = "data/dialograum.sqlite3"
    redis: str | None = None
    # A Redis Cluster at REDIS_URL (any one node), as ``redis+cluster://`` in the URL also says
    redis_cluster: bool = False
    public_url: str | None = None
    admin_token: str | None = None
    secret_key: str | None = None
    data_dir: str = "data"
    tick_ms: int = 100
    # Phones get the shared views (vote counts on questions, say) at most this often;
    # projector and console every tick; a phone's own view and its acks at once.
    phone_tick_ms: int = 1000
    # While only counts move (votes on questions, who is online), a room pushes them to
    # at most this many phones a second: at 1,000 phones every 2 s, at 2,000 every 4 s.
    phone_counts_per_s: float = 500.0
    # In a busy room (100 commands a second or more) a batch waits this long for more
    # commands to share its append: less CPU per vote, acks that much later; 0: never.
    gather_ms: Annotated[float, msgspec.Meta(ge=0, le=1000)] = 10.0
    ws_max_bytes: int = 16 * 1024
    outbox_limit: int = 64
    stuck_after_s: float = 10.0
    burst: int = 20
    per_second: float = 2.0
    join_burst: int = 600
    join_per_second: float = 20.0
    sample_event: bool = True
    cookie_secure: bool = False
    workers: int = 1
    presence_ttl_s: float = 30.0
    # load the sentence encoder at start and embed each card as it is posted (a worker
    # thread), so sorting finds it cached; false: the model loads on the first sort
    embed_cards: bool = True
    # Bounds on one client (docs/security.md has each default and why).
    sockets_per_address: int = 4000
    screens_per_address: int = 20
    sockets_per_participant: int = 4
    sockets_per_event: int = 12_000
    hello_timeout_s: float = 15.0
    header_timeout_s: float = 10.0
    joins_per_minute: int = 1200  # new participants per event and minute
    # Proxies whose X-Forwarded-For is believed (comma-separated addresses or
    # networks). Empty: none, every address is the peer's own.
    trusted_proxies: str = ""
    limits: Limits = Limits()
    timezone: str = "Europe/Berlin"  # local times in reports and CSV files
    retention_days: int = 90  # personal data is deleted this long after the event's date
    # Where people report a barrier (an email address or a URL), shown in the
    # accessibility statement; reports sent through its form are stored in data_dir too.
    accessibility_contact: str | None = None
    retention_sweep_s: float = 3600.0  # how often the server looks for events that are due
    plan_in_worker: bool = True  # café plans in a worker process, not on the event loop
    # SQLite's fsync policy. FULL (default): an acknowledged vote survives a power cut.
    # NORMAL: it survives a crash of the server, not of the machine; for tests and
    # throw-away rehearsals on a slow disk, where one fsync per batch is the cost.
    sqlite_sync: Literal["FULL", "NORMAL"] = "FULL"

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)


_ENV = {
    "host": "DIALOGRAUM_HOST",
    "port": "DIALOGRAUM_PORT",
    "db": "DIALOGRAUM_DB",
    "redis": "REDIS_URL",
    "redis_cluster": "DIALOGRAUM_REDIS_CLUSTER",
    "public_url": "DIALOGRAUM_PUBLIC_URL",
    "admin_token": "ADMIN_TOKEN",
    "secret_key": "DIALOGRAUM_SECRET_KEY",
    "data_dir": "DIALOGRAUM_DATA_DIR",
    "tick_ms": "DIALOGRAUM_TICK_MS",
    "phone_tick_ms": "DIALOGRAUM_PHONE_TICK_MS",
    "phone_counts_per_s": "DIALOGRAUM_PHONE_COUNTS_PER_S",
    "gather_ms": "DIALOGRAUM_GATHER_MS",
    "ws_max_bytes": "DIALOGRAUM_WS_MAX_BYTES",
    "burst": "DIALOGRAUM_BURST",
    "per_second": "DIALOGRAUM_PER_SECOND",
    "join_burst": "DIALOGRAUM_JOIN_BURST",
    "join_per_second": "DIALOGRAUM_JOIN_PER_SECOND",
    "sample_event": "DIALOGRAUM_SAMPLE_EVENT",
    "cookie_secure": "DIALOGRAUM_COOKIE_SECURE",
    "workers": "DIALOGRAUM_WORKERS",
    "embed_cards": "DIALOGRAUM_EMBED_CARDS",
    "sockets_per_address": "DIALOGRAUM_SOCKETS_PER_ADDRESS",
    "screens_per_address": "DIALOGRAUM_SCREENS_PER_ADDRESS",
    "sockets_per_participant": "DIALOGRAUM_SOCKETS_PER_PARTICIPANT",
    "sockets_per_event": "DIALOGRAUM_SOCKETS_PER_EVENT",
    "hello_timeout_s": "DIALOGRAUM_HELLO_TIMEOUT_S",
    "header_timeout_s": "DIALOGRAUM_HEADER_TIMEOUT_S",
    "joins_per_minute": "DIALOGRAUM_JOINS_PER_MINUTE",
    "trusted_proxies": "DIALOGRAUM_TRUSTED_PROXIES",
    "timezone": "DIALOGRAUM_TIMEZONE",
    "retention_days": "DIALOGRAUM_RETENTION_DAYS",
    "accessibility_contact": "DIALOGRAUM_ACCESSIBILITY_CONTACT",
    "plan_in_worker": "DIALOGRAUM_PLAN_IN_WORKER",
    "sqlite_sync": "DIALOGRAUM_SQLITE_SYNC",
}


def from_env(environ: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Build settings from the environment; ``overrides`` (not None) win.

    Values are converted by msgspec, so ``DIALOGRAUM_PORT=abc`` fails with
    a message naming the field instead of a traceback deep in uvicorn.
    """
    env = os.environ if environ is None else environ
    raw: dict[str, object] = {}
    for name, var in _ENV.items():
        if var in env and env[var] != "":
            raw[name] = env[var]
    raw.update({k: v for k, v in overrides.items() if v is not None})
    limits = limits_from_env(env)
    if limits:
        raw.setdefault("limits", limits)
    flags = ("sample_event", "cookie_secure", "embed_cards", "plan_in_worker", "redis_cluster")
    for flag in flags:
        if isinstance(raw.get(flag), str):
            raw[flag] = str(raw[flag]).lower() in ("1", "true", "yes", "on")
    return msgspec.convert(raw, Settings, strict=False)


LIMIT_PREFIX = "DIALOGRAUM_LIMIT_"


def limit_variables() -> dict[str, tuple[str, str, int]]:
    """Every limit's environment variable: name -> (section, field, default).

    ``DIALOGRAUM_LIMIT_POLLS_MAX_OPTIONS=30`` sets ``Limits.polls.max_options``.
    Derived from the registry's :class:`~rooms.activities.Limits`, so a new
    activity's limits are configurable without a line here.
    """
    out: dict[str, tuple[str, str, int]] = {}
    defaults = Limits()
    for section in Limits.__struct_fields__:
        part = getattr(defaults, section)
        for field in type(part).__struct_fields__:
            out[f"{LIMIT_PREFIX}{section}_{field}".upper()] = (section, field, getattr(part, field))
    return out


def limits_from_env(env: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """The limits the environment overrides, by section; msgspec converts and checks them.

    An unknown ``DIALOGRAUM_LIMIT_*`` variable is an error, so a typo does
    not silently leave a limit at its default.
    """
    known = limit_variables()
    out: dict[str, dict[str, str]] = {}
    for var, value in env.items():
        if not var.startswith(LIMIT_PREFIX) or value == "":
            continue
        if var not in known:
            raise ValueError(f"unknown limit {var}; known: {', '.join(sorted(known))}")
        section, field, _ = known[var]
        out.setdefault(section, {})[field] = value
    return out
