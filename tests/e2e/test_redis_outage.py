"""A phone through a Redis restart: it says it is reconnecting, keeps the vote, counts it once.

A worker of its own on a Redis of its own (AOF on, ``appendfsync always``):
the phone votes while Redis is down, sees "Verbindung wird wiederhergestellt",
and after Redis is back the vote is counted exactly once, with no reload.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect
from websockets.sync.client import connect

from tests.e2e.liveserver import PHONE
from tests.redis.cluster import OwnRedis, Worker

pytestmark = [pytest.mark.redis, pytest.mark.timeout(90)]

ADMIN = "outage-admin-token"


def health(worker: Worker) -> int | None:
    try:
        with urllib.request.urlopen(f"{worker.http}/healthz", timeout=2) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def until(check: Callable[[], bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def post(
    worker: Worker, path: str, body: dict[str, object], token: str | None = None
) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310
        f"{worker.http}{path}", json.dumps(body).encode(), headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def moderator_commands(
    worker: Worker, code: str, token: str, commands: list[dict[str, object]]
) -> list[dict[str, Any]]:
    acks: list[dict[str, Any]] = []
    with connect(f"{worker.ws}/api/events/{code}/live") as sock:
        sock.send(json.dumps({"type": "hello", "token": token}))
        assert json.loads(sock.recv(10))["type"] == "welcome"
        for i, command in enumerate(commands):
            sock.send(json.dumps({**command, "cid": f"m{i}"}))
            while True:
                message = json.loads(sock.recv(10))
                if message.get("type") == "ack" and message.get("cid") == f"m{i}":
                    acks.append(message)
                    break
    return acks


def voters(worker: Worker, code: str, token: str) -> int:
    request = urllib.request.Request(  # noqa: S310
        f"{worker.http}/api/events/{code}/state", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return int(json.loads(response.read())["state"]["polls"][0]["voters"])


@pytest.fixture
def own_worker(tmp_path: Path) -> Iterator[tuple[Worker, OwnRedis]]:
    own = OwnRedis(tmp_path, appendfsync="always")
    own.start()
    worker = Worker(tmp_path, own.url, {"ADMIN_TOKEN": ADMIN})
    try:
        worker.start()
        until(lambda: health(worker) == 200, 30, "the worker")
        yield worker, own
    finally:
        worker.stop()
        own.stop()


def test_a_phone_rides_out_a_redis_restart(
    own_worker: tuple[Worker, OwnRedis], browser: Browser, tmp_path: Path
) -> None:
    worker, own = own_worker
    event = post(
        worker, "/api/events", {"title": "Plenum", "format": "werkstatt", "language": "de"}, ADMIN
    )
    code, moderator = event["code"], event["moderator_token"]
    acks = moderator_commands(
        worker,
        code,
        moderator,
        [
            {
                "type": "poll.create",
                "kind": "single",
                "question": "Was zuerst?",
                "options": ["Schiene", "Straße"],
            },
            {"type": "poll.open", "poll": "p1"},
        ],
    )
    assert all(a["ok"] for a in acks), acks
    context = browser.new_context(viewport=PHONE, locale="de-DE")
    try:
        phone = context.new_page()
        phone.goto(f"{worker.http}/j/{code}")
        phone.get_by_role("button", name="Teilnehmen").click()
        form = phone.locator("form[data-poll=p1]")
        expect(form.locator(".poll-question")).to_have_text("Was zuerst?")
        banner = phone.locator("#conn")
        expect(banner).to_be_hidden()

        own.kill()
        expect(banner).to_be_visible(timeout=15_000)
        expect(banner).to_have_text(re.compile(r"^Verbindung wird wiederhergestellt\s…$"))
        phone.screenshot(path=str(tmp_path / "phone-reconnecting.png"))
        # The whole page is still there; the vote waits for the connection.
        form.get_by_label("Schiene").check()
        form.get_by_role("button", name="Abstimmen").click()

        own.start()
        expect(banner).to_be_hidden(timeout=30_000)
        expect(form.locator(".mine")).to_contain_text("Schiene", timeout=15_000)
        until(lambda: health(worker) == 200, 15, "the worker to be healthy again")
        assert voters(worker, code, moderator) == 1
    finally:
        context.close()
