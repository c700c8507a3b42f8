"""A real Dialograum server in a subprocess, for the browser tests and tools/screenshots.py.

No pytest in here: the screenshot tool uses it too.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, ViewportSize

REPO = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "e2e-admin-token"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
EVENT_TITLE = "Zukunft der Industrie in der Region"
PHONE: ViewportSize = {"width": 360, "height": 740}
SCREEN: ViewportSize = {"width": 1920, "height": 1080}
CONSOLE: ViewportSize = {"width": 1440, "height": 900}

# The new_context fixture: viewport and Playwright context options in, a context out.
NewContext = Callable[..., "BrowserContext"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """``with LiveServer() as server:`` starts the server and waits for /healthz."""

    def __init__(self, data_dir: Path | None = None, startup_timeout: float = 20.0) -> None:
        self._own_tmp: tempfile.TemporaryDirectory[str] | None = None
        if data_dir is None:
            self._own_tmp = tempfile.TemporaryDirectory(prefix="dialograum-e2e-")
            data_dir = Path(self._own_tmp.name)
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "server.log"
        self.startup_timeout = startup_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_offset = 0

    # --- lifecycle ---------------------------------------------------------

    def start(self) -> None:
        env = {
            **os.environ,
            "ADMIN_TOKEN": ADMIN_TOKEN,
            "DIALOGRAUM_DATA_DIR": str(self.data_dir),
            "DIALOGRAUM_DB": str(self.data_dir / "db.sqlite3"),
            "DIALOGRAUM_SAMPLE_EVENT": "false",
            "DIALOGRAUM_PUBLIC_URL": self.url,
            "PYTHONUNBUFFERED": "1",
        }
        command = [sys.executable, "-m", "server", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port)]
        with self.log_path.open("wb") as log:
            self._proc = subprocess.Popen(
                command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"server exited with {self._proc.returncode}:\n{self.log()}")
            try:
                health = f"{self.url}/healthz"
                with urllib.request.urlopen(health, timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)  # poll interval, bounded by the deadline above
        self.stop()
        raise RuntimeError(f"server not healthy after {self.startup_timeout}s:\n{self.log()}")

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)
        self._proc = None
        if self._own_tmp is not None:
            self._own_tmp.cleanup()
            self._own_tmp = None

    def __enter__(self) -> LiveServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- log ---------------------------------------------------------------

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def new_log(self) -> str:
        """What the server logged since the last call."""
        text = self.log()
        fresh, self._log_offset = text[self._log_offset :], len(text)
        return fresh

    # --- API ---------------------------------------------------------------

    def request(
        self, method: str, path: str, body: dict[str, Any] | None = None, token: str | None = None
    ) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data, headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(req, timeout=10) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def create_event(self, title: str = EVENT_TITLE, **extra: Any) -> dict[str, Any]:
        body = {"title": title, "format": "world_cafe", "language": "de", **extra}
        status, data = self.request("POST", "/api/events", body, token=ADMIN_TOKEN)
        if status != 201:
            raise RuntimeError(f"create event: {status} {data}")
        result: dict[str, Any] = data
        return result

    def join(self, code: str, name: str | None, organisation_type: str | None) -> dict[str, Any]:
        body = {"name": name, "organisation_type": organisation_type}
        status, data = self.request("POST", f"/api/events/{code}/participants", body)
        if status != 201:
            raise RuntimeError(f"join: {status} {data}")
        result: dict[str, Any] = data
        return result

    def join_in(
        self,
        context: BrowserContext,
        code: str,
        name: str | None = None,
        organisation_type: str | None = None,
    ) -> str:
        """Join through the API and give a browser context the participant cookie.

        Quicker than the join form (which test_live_event covers): the page at
        /p/<code> then opens as that participant. Returns the participant id.
        """
        joined = self.join(code, name, organisation_type)
        context.add_cookies(
            [
                {
                    "name": f"dg_p_{code}",
                    "value": joined["token"],
                    "domain": "127.0.0.1",
                    "path": "/",
                    "httpOnly": True,
                    "sameSite": "Strict",
                }
            ]
        )
        participant: str = joined["participant_id"]
        return participant

    def live(self, code: str, token: str | None) -> LiveSocket:
        """The JSON live socket (docs/api.md) as a moderator, participant or screen."""
        return LiveSocket(f"ws://127.0.0.1:{self.port}/api/events/{code}/live", token)


class LiveSocket:
    """A blocking client of the JSON live socket, for setting up polls and votes fast.

    ``with server.live(code, token) as sock: sock.send("poll.open", poll="p1")``;
    ``send`` waits for the command's ack and raises unless it is ok (``try_send``
    returns the ack as it is). State pushes are read and kept in ``state``.
    """

    def __init__(self, url: str, token: str | None, timeout: float = 10.0) -> None:
        from websockets.sync.client import connect

        self.timeout = timeout
        # As a context manager: websockets deprecates a bare connect() (17.1).
        self._exit = contextlib.ExitStack()
        self._ws = self._exit.enter_context(
            connect(url, proxy=None, compression=None, open_timeout=timeout)
        )
        self._ws.send(json.dumps({"type": "hello", "token": token, "after": None}))
        welcome = self._receive()
        if welcome.get("type") != "welcome":
            self.close()
            raise RuntimeError(f"live socket: no welcome but {welcome}")
        self.role: str = welcome["role"]
        self.seq: int = welcome["seq"]
        self.state: dict[str, Any] = welcome["state"]

    def _receive(self) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(self._ws.recv(timeout=self.timeout))
        if message.get("type") == "state":
            self.seq, self.state = message["seq"], message["state"]
        return message

    def try_send(self, type: str, **fields: Any) -> dict[str, Any]:
        cid = uuid.uuid4().hex
        self._ws.send(json.dumps({"type": type, "cid": cid, **fields}))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            message = self._receive()
            if message.get("type") == "ack" and message.get("cid") == cid:
                return message
        raise TimeoutError(f"no ack for {type} within {self.timeout}s")

    def send(self, type: str, **fields: Any) -> dict[str, Any]:
        ack = self.try_send(type, **fields)
        if not ack["ok"]:
            raise RuntimeError(f"{type} {fields}: refused with {ack['reason']}")
        return ack

    def close(self) -> None:
        self._exit.close()

    def __enter__(self) -> LiveSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
