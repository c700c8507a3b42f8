"""Start and stop the server under test, and read its memory and CPU from /proc.

Each run gets a fresh server in a fresh data directory, so one run's
rooms, caches and heap never colour the next one. The server is a child
process of the harness (not an in-process app) so that its RSS and CPU
time can be read on their own, and so that the load generator competes
with it for the cores the way real phones on a venue laptop would not:
the report says so rather than hiding it.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import io
import itertools
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple

import httpx

CLK_TCK = os.sysconf("SC_CLK_TCK")

# Lines in the server log worth a reader's attention, by what they mean.
LOG_PATTERNS = {
    "errors": re.compile(r"\bERROR\b|\bCRITICAL\b"),
    "warnings": re.compile(r"\bWARNING\b"),
    "tracebacks": re.compile(r"^Traceback"),
    "stuck": re.compile(r"closing a stuck connection"),
    "overflow": re.compile(r"outbox overflowed"),
}


@dataclass(frozen=True)
class ProcSample:
    """One reading of a process: resident memory, its peak, and CPU seconds so far."""

    at: float  # time.monotonic()
    rss_kib: int
    hwm_kib: int
    cpu_s: float
    threads: int
    # VmRSS split: the process's own memory, and the pages of mapped files (the
    # embedding model is mmapped read-only: its pages are the kernel's cache,
    # faulted in as words are first looked up, and dropped under pressure).
    anon_kib: int = 0
    file_kib: int = 0


def sample_process(pid: int) -> ProcSample:
    """Read VmRSS/VmHWM/Threads from status and utime+stime from stat.

    The stat line's second field is the command name in parentheses and may
    contain spaces, so fields are counted after the last ``)``.
    """
    status: dict[str, str] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        status[key] = value.strip()
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    utime, stime = int(fields[11]), int(fields[12])
    return ProcSample(
        at=time.monotonic(),
        rss_kib=int(status["VmRSS"].split()[0]),
        hwm_kib=int(status["VmHWM"].split()[0]),
        cpu_s=(utime + stime) / CLK_TCK,
        threads=int(status["Threads"]),
        anon_kib=int(status.get("RssAnon", "0 kB").split()[0]),
        file_kib=int(status.get("RssFile", "0 kB").split()[0]),
    )


class MachineCpu(NamedTuple):
    """Whole-machine CPU seconds so far, summed over cores, from the first line of /proc/stat."""

    busy_s: float  # user + nice + system + irq + softirq
    steal_s: float  # taken by the hypervisor for other guests


def machine_cpu() -> MachineCpu:
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return MachineCpu((user + nice + system + irq + softirq) / CLK_TCK, steal / CLK_TCK)


async def busy_cores(over_s: float = 1.0) -> float:
    """How many cores the whole machine kept busy over the next ``over_s`` seconds."""
    start, t0 = machine_cpu(), time.monotonic()
    await asyncio.sleep(over_s)
    return (machine_cpu().busy_s - start.busy_s) / (time.monotonic() - t0)


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on right now.

    The kernel picks it, unless ``DIALOGRAUM_BENCH_PORTS`` (``FIRST-LAST``)
    names a range: on a machine shared by several people each gets a range
    of their own, so one person's servers never take another's ports. The
    range is walked round-robin, so a port handed out but not yet bound
    (Redis, then the server) is not handed out again at once.
    """
    span = os.environ.get("DIALOGRAUM_BENCH_PORTS")
    if not span:
        return _bind_probe(0)
    low, _, high = span.partition("-")
    first, last = int(low), int(high or low)
    size = last - first + 1
    for _ in range(size):
        candidate = first + next(_ROUND) % size
        with contextlib.suppress(OSError):
            return _bind_probe(candidate)
    raise OSError(f"no free port in DIALOGRAUM_BENCH_PORTS={span}")


_ROUND = itertools.count()


def _bind_probe(port: int) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))
        bound: int = sock.getsockname()[1]
        return bound


def server_command(source: Path | None = None) -> list[str]:
    """The installed ``dialograum`` script next to this interpreter, else ``-m server``.

    With ``source`` (an exported tree, see :func:`export_tree`) always
    ``-m server``, so that ``PYTHONPATH`` picks that tree's packages.
    """
    script = Path(sys.executable).parent / "dialograum"
    if script.exists() and source is None:
        return [str(script), "serve"]
    return [sys.executable, "-m", "server", "serve"]


# What the server runs from; pyproject.toml is there only to say what was measured.
SERVED = ("server", "rooms", "templates", "static", "locale", "pyproject.toml")


def export_tree(rev: str, into: Path) -> str:
    """Write the served files of commit ``rev`` into ``into``; returns the full commit id.

    The server normally runs from the working tree, which on a shared
    machine may hold someone's half-finished edit. An exported tree pins
    the run to one commit and nobody's edits reach it. Uses ``git archive``
    only: the repository and its working tree are not touched.
    """
    repo = Path(__file__).resolve().parent.parent
    commit = subprocess.run(  # noqa: S603 - fixed arguments
        ["git", "rev-parse", "--verify", f"{rev}^{{commit}}"],  # noqa: S607
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    ).stdout.strip()
    archive = subprocess.run(  # noqa: S603 - fixed arguments
        ["git", "archive", "--format=tar", commit, *SERVED],  # noqa: S607
        cwd=repo,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return commit


_RUNNING: set[ServerProcess] = set()


@atexit.register
def _kill_leftovers() -> None:
    """A harness that dies (Ctrl-C, SIGTERM, a bug) must not leave servers behind."""
    for server in list(_RUNNING):
        server.kill_now()


class ServerProcess:
    """A Dialograum server on 127.0.0.1 with its own data directory and log file."""

    def __init__(
        self, workdir: Path, extra_env: dict[str, str] | None = None, source: Path | None = None
    ) -> None:
        """``source``: run the server from this exported tree instead of the working tree."""
        self.workdir = workdir
        self.source = source
        self.port = free_port()
        self.admin_token = secrets.token_urlsafe(24)
        self.log_path = workdir / "server.log"
        self._extra_env = extra_env or {}
        self._proc: asyncio.subprocess.Process | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise RuntimeError("server not started")
        return self._proc.pid

    def env(self) -> dict[str, str]:
        """The environment from the brief: join limits raised, since every phone is 127.0.0.1."""
        env = dict(os.environ)
        env.update(
            {
                "ADMIN_TOKEN": self.admin_token,
                "DIALOGRAUM_DATA_DIR": str(self.workdir),
                "DIALOGRAUM_DB": str(self.workdir / "db.sqlite3"),
                "DIALOGRAUM_SAMPLE_EVENT": "false",
                "DIALOGRAUM_JOIN_BURST": "100000",
                "DIALOGRAUM_JOIN_PER_SECOND": "100000",
                # Links point at loopback, and the server skips looking for a LAN address.
                "DIALOGRAUM_PUBLIC_URL": self.base_url,
                "PYTHONUNBUFFERED": "1",
            }
        )
        if self.source is not None:
            # ahead of the editable install's finder, which points at the working tree
            env["PYTHONPATH"] = str(self.source)
        env.update(self._extra_env)
        return env

    async def start(self, ready_within_s: float = 90.0) -> None:
        """Spawn the server and wait until ``/healthz`` answers, or fail with its log tail."""
        self._log = self.log_path.open("wb")
        command = [*server_command(self.source), "--host", "127.0.0.1", "--port", str(self.port)]
        self._proc = await asyncio.create_subprocess_exec(
            *command,
            env=self.env(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=self.source,  # None: the harness's own
        )
        _RUNNING.add(self)
        deadline = time.monotonic() + ready_within_s
        async with httpx.AsyncClient(base_url=self.base_url, trust_env=False) as http:
            while time.monotonic() < deadline:
                if self._proc.returncode is not None:
                    raise RuntimeError(
                        f"server exited with {self._proc.returncode}:\n{self.log_tail()}"
                    )
                with contextlib.suppress(httpx.TransportError):
                    if (await http.get("/healthz", timeout=2)).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise TimeoutError(f"server not ready after {ready_within_s:.0f} s:\n{self.log_tail()}")

    def sample(self) -> ProcSample:
        return sample_process(self.pid)

    def alive(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    async def stop(self, grace_s: float = 10.0) -> int | None:
        """SIGTERM for a clean uvicorn shutdown; SIGKILL if it is not gone within ``grace_s``.

        Safe to call more than once, and from a ``finally`` after a timeout.
        """
        proc = self._proc
        if proc is None:
            return None
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), grace_s)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        return proc.returncode

    def kill_now(self) -> None:
        """SIGKILL without waiting: the last resort, safe from a ``finally`` or ``atexit``."""
        if self._proc is not None and self._proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._proc.pid, signal.SIGKILL)
        _RUNNING.discard(self)

    def log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def log_summary(self, keep: int = 8) -> dict[str, object]:
        """Counts of the log lines that signal trouble, and the first few of them verbatim."""
        counts = dict.fromkeys(LOG_PATTERNS, 0)
        samples: list[str] = []
        clean = False
        with contextlib.suppress(OSError):
            for line in self.log_path.read_text(errors="replace").splitlines():
                hit = False
                for name, pattern in LOG_PATTERNS.items():
                    if pattern.search(line):
                        counts[name] += 1
                        hit = True
                clean = clean or "Application shutdown complete" in line
                if hit and len(samples) < keep:
                    samples.append(line[:300])
        return {**counts, "clean_shutdown": clean, "samples": samples}
