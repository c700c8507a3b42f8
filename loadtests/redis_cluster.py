"""A real Redis Cluster on local ports: three masters and three replicas.

Started from ``redis-server`` and ``redis-cli --cluster create``, in a
temporary directory, on six consecutive ports (cluster bus +10000), with
AOF as docs/deploy.md advises. The nodes fail over after one second
(``cluster-node-timeout``), so a test can kill a master and see its replica
take over within seconds. Used by the tests (tests/conftest.py's
``redis_cluster``) and by ``python -m loadtests.scaleout --only cluster``.

Every wait is on a condition with a deadline. The processes are ours: they
are stopped by PID at the end, and where util-linux's ``setpriv`` exists they
also die with the process that started them if it is killed, so no cluster
outlives a run.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import redis

NODES = 6
NODE_TIMEOUT_MS = 1000


def tools_missing() -> list[str]:
    return [tool for tool in ("redis-server", "redis-cli") if shutil.which(tool) is None]


def wait_for(check: Callable[[], bool], within: float, what: str) -> None:
    """Poll ``check`` until it holds; fail naming ``what`` after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within:g} s waiting for {what}")
        time.sleep(0.05)


def _with_parent(argv: list[str]) -> list[str]:
    """``argv`` run so that it dies with this process if this process is killed.

    util-linux's ``setpriv --pdeathsig KILL`` sets the parent-death signal
    and execs the program: nothing runs in Python between fork and exec
    (a ``preexec_fn`` would, which is unsafe with threads). Without setpriv,
    the program runs as is and is stopped by :meth:`LocalCluster.stop`.
    """
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "KILL", *argv] if setpriv else argv


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


class LocalCluster:
    """Six ``redis-server`` processes joined into a cluster with one replica per master."""

    def __init__(self, first_port: int) -> None:
        self.ports = [first_port + i for i in range(NODES)]
        self.dir = Path(tempfile.mkdtemp(prefix="dialograum-cluster-"))
        self.procs: dict[int, subprocess.Popen[bytes]] = {}

    @property
    def url(self) -> str:
        return f"redis+cluster://127.0.0.1:{self.ports[0]}"

    def node(self, port: int) -> redis.Redis:
        return redis.Redis(port=port, socket_timeout=2, socket_connect_timeout=1)

    def start_node(self, port: int) -> None:
        home = self.dir / str(port)
        home.mkdir(exist_ok=True)
        argv = [
            "redis-server",
            *("--port", str(port), "--bind", "127.0.0.1", "--dir", str(home)),
            *("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"),
            *("--cluster-node-timeout", str(NODE_TIMEOUT_MS)),
            # as docs/deploy.md advises: one shard failing over does not stop the others
            *("--cluster-require-full-coverage", "no"),
            *("--appendonly", "yes", "--appendfsync", "everysec", "--save", ""),
            *("--maxmemory-policy", "noeviction"),
        ]
        with (home / "redis.log").open("ab") as log:
            self.procs[port] = subprocess.Popen(  # noqa: S603 - fixed arguments
                _with_parent(argv), stdout=log, stderr=subprocess.STDOUT
            )
        wait_for(lambda: self._answers(port), 10, f"redis-server on port {port}")

    def _answers(self, port: int) -> bool:
        proc = self.procs[port]
        if proc.poll() is not None:
            raise AssertionError(f"redis-server on {port} exited:\n{self.log(port)}")
        try:
            with self.node(port) as client:
                return bool(client.ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        taken = [p for p in self.ports if not port_free(p) or not port_free(p + 10000)]
        if taken:
            raise RuntimeError(
                f"ports {taken} (or their bus ports) are taken; set CLUSTER_TEST_PORT"
            )
        for port in self.ports:
            self.start_node(port)
        created = subprocess.run(  # noqa: S603 - fixed arguments
            [  # noqa: S607 - redis-cli from PATH, as redis-server
                "redis-cli",
                "--cluster",
                "create",
                *(f"127.0.0.1:{port}" for port in self.ports),
                *("--cluster-replicas", "1", "--cluster-yes"),
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
        if created.returncode != 0:
            raise RuntimeError(f"redis-cli --cluster create failed: {created.stdout!r}")
        self.wait_healthy()

    def info(self, port: int, section: str) -> dict[str, str]:
        """``CLUSTER INFO`` (section "cluster") or an ``INFO`` section, as text."""
        with self.node(port) as client:
            if section != "cluster":
                return {k: str(v) for k, v in client.info(section).items()}
            raw = client.execute_command("CLUSTER", "INFO")
        if isinstance(raw, dict):
            return {str(k): str(v) for k, v in raw.items()}
        text = raw.decode() if isinstance(raw, bytes) else str(raw)
        return dict(line.split(":", 1) for line in text.split() if ":" in line)

    def live(self) -> list[int]:
        return [port for port, proc in self.procs.items() if proc.poll() is None]

    def healthy(self) -> bool:
        """Every live node sees a whole cluster, and each master's replica is in sync."""
        try:
            masters = 0
            for port in self.live():
                if self.info(port, "cluster").get("cluster_state") != "ok":
                    return False
                replication = self.info(port, "replication")
                if replication["role"] == "master":
                    masters += int(replication.get("connected_slaves", "0")) >= 1
                elif replication.get("master_link_status") != "up":
                    return False
            return masters == NODES // 2
        except (redis.RedisError, KeyError):
            return False

    def wait_healthy(self, within: float = 30) -> None:
        wait_for(self.healthy, within, "a healthy cluster (3 masters, each with a replica)")

    def owner(self, key: str) -> int:
        """The port of the master that serves ``key``'s slot, as a live node sees it."""
        with self.node(self.live()[0]) as client:
            slot = int(client.execute_command("CLUSTER", "KEYSLOT", key))
            for start, end, master, *_ in client.execute_command("CLUSTER", "SLOTS"):
                if int(start) <= slot <= int(end):
                    return int(master[1])
        raise AssertionError(f"no node serves the slot of {key}")

    def replica_of(self, key: str) -> int:
        """The port of a replica of ``key``'s slot."""
        with self.node(self.live()[0]) as client:
            slot = int(client.execute_command("CLUSTER", "KEYSLOT", key))
            for start, end, _master, *replicas in client.execute_command("CLUSTER", "SLOTS"):
                if int(start) <= slot <= int(end) and replicas:
                    return int(replicas[0][1])
        raise AssertionError(f"no replica serves the slot of {key}")

    def kill(self, port: int) -> None:
        proc = self.procs[port]
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def failed_over(self, key: str, dead: int) -> bool:
        try:
            port = self.owner(key)
            return port != dead and self.info(port, "cluster").get("cluster_state") == "ok"
        except (redis.RedisError, AssertionError):
            return False

    def restart(self, port: int) -> None:
        """Start a killed node again: it rejoins as a replica of whoever took over."""
        self.start_node(port)
        self.wait_healthy()

    def flush(self) -> None:
        for port in self.live():
            with self.node(port) as client:
                if client.info("replication")["role"] == "master":
                    client.flushall()

    def log(self, port: int) -> str:
        with contextlib.suppress(OSError):
            return (self.dir / str(port) / "redis.log").read_text(errors="replace")[-2000:]
        return ""

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)
