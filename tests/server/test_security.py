"""Attacks from the outside review of issue 15, replayed through the test client.

Each test is the attack as it was reproduced against a running server; on
the code before the fix it succeeded, so each of these failed there.
"""

from __future__ import annotations

import logging
import stat
from logging.config import dictConfig
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from server.api import join_scope
from server.app import create_app
from server.cli import main as cli_main
from server.logs import show_secret_links, uvicorn_log_config
from server.services import Services
from server.settings import Settings
from tests.server.conftest import ADMIN, create_event, form_fields, join
from tests.server.test_live import ack_for, hello, until

Client = TestClient[Litestar]

EVIL = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}


def joined(client: Client, code: str) -> int:
    count: int = client.get(f"/api/events/{code}").json()["participants"]["joined"]
    return count


def participant_token(client: Client, code: str) -> str | None:
    return client.cookies.get(f"dg_p_{code}")


# --- 1. identity takeover through the join's dedupe -----------------------------


def test_a_join_cid_sent_by_another_browser_does_not_hand_over_the_identity(
    client: Client, event: dict[str, Any]
) -> None:
    """The attacker replays the victim's form cid: before, the answer was her token."""
    code = event["code"]
    victim = form_fields(client, f"/j/{code}")
    first = client.post(f"/j/{code}", data={"name": "Anna", **victim}, follow_redirects=False)
    assert first.status_code == 303
    anna = participant_token(client, code)
    assert anna is not None
    client.cookies.clear()  # from here on: another browser
    attacker = form_fields(client, f"/j/{code}")
    stolen = client.post(
        f"/j/{code}",
        data={"cid": victim["cid"], "csrf": attacker.get("csrf", "")},
        follow_redirects=False,
    )
    assert stolen.status_code == 303
    theirs = participant_token(client, code)
    assert theirs is not None
    assert theirs.split(".")[0] != anna.split(".")[0]
    assert joined(client, code) == 2  # a join of their own, not Anna's
    assert "Anna" not in client.get(f"/p/{code}").text


def test_the_same_cid_from_two_browsers_is_two_joins_even_in_a_storm(
    client: Client, event: dict[str, Any]
) -> None:
    """Dedupe per client: other joiners' cids neither collide nor push a resend out."""
    code = event["code"]
    mine = form_fields(client, f"/j/{code}")
    client.post(f"/j/{code}", data=mine, follow_redirects=False)
    me = participant_token(client, code)
    jar = dict(client.cookies)
    for _ in range(70):  # more joiners than the old shared window of 64 cids
        client.cookies.clear()
        other = form_fields(client, f"/j/{code}")
        client.post(f"/j/{code}", data={**other, "cid": mine["cid"]}, follow_redirects=False)
    client.cookies.clear()
    client.cookies.update({k: v for k, v in jar.items() if not k.startswith("dg_p_")})
    again = client.post(f"/j/{code}", data=mine, follow_redirects=False)  # my resend
    assert again.status_code == 303
    assert participant_token(client, code) == me
    assert joined(client, code) == 71


def test_api_join_keys_are_secrets_bound_to_the_sender(
    client: Client, app: Litestar, event: dict[str, Any]
) -> None:
    code = event["code"]
    url = f"/api/events/{code}/participants"
    short = client.post(url, json={"name": "Anna"}, headers={"Idempotency-Key": "1"})
    assert short.status_code == 422
    assert short.json()["reason"] == "idempotency_key_invalid"
    assert joined(client, code) == 0
    svc: Services = app.state["svc"]
    key = "9f6a1c1e-4b51-4bb8-9d0c-5f1f3c2a7e11"
    here, cid = join_scope(svc, code, "10.0.0.7", key)
    there, _ = join_scope(svc, code, "10.0.0.8", key)
    assert cid is not None and here.key != there.key  # same key, other sender: a new join
    assert key not in here.key  # the log keeps an HMAC, never the key


# --- 1b. forms from other sites ---------------------------------------------------


def test_another_site_cannot_plant_an_identity_through_the_join_form(
    client: Client, event: dict[str, Any]
) -> None:
    """A hidden auto-submitting form on evil.example posting to /j/CODE."""
    code = event["code"]
    client.get(f"/j/{code}")  # the visitor has been here before: a client id cookie
    planted = client.post(
        f"/j/{code}", data={"cid": "known-to-the-attacker"}, headers=EVIL, follow_redirects=False
    )
    assert planted.status_code == 403
    assert participant_token(client, code) is None
    assert joined(client, code) == 0
    assert "Sicherheit" in planted.text  # and a fresh form to join for real
    # An old browser that sends neither header: without the page's token, refused too.
    bare = client.post(f"/j/{code}", data={"cid": "x1"}, follow_redirects=False)
    assert bare.status_code == 403 and joined(client, code) == 0
    # Even with a token, a post that says it is cross-site is refused.
    fields = form_fields(client, f"/j/{code}")
    stolen = client.post(f"/j/{code}", data=fields, headers=EVIL, follow_redirects=False)
    assert stolen.status_code == 403 and joined(client, code) == 0
    sandboxed = {"Origin": "null"}  # a sandboxed frame on another site
    framed = client.post(f"/j/{code}", data=fields, headers=sandboxed, follow_redirects=False)
    assert framed.status_code == 403 and joined(client, code) == 0
    # The same form from our own page works.
    own = {"Origin": "http://testserver.local", "Sec-Fetch-Site": "same-origin"}
    ok = client.post(f"/j/{code}", data=fields, headers=own, follow_redirects=False)
    assert ok.status_code == 303 and joined(client, code) == 1


def test_another_site_cannot_log_a_phone_out(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    fields = form_fields(client, f"/j/{code}")
    client.post(f"/j/{code}", data={"name": "Anna", **fields}, follow_redirects=False)
    leave_fields = form_fields(client, f"/p/{code}")
    forged = client.post(f"/p/{code}/leave", data={"cid": "x"}, headers=EVIL)
    assert forged.status_code == 403
    assert joined(client, code) == 1
    assert participant_token(client, code) is not None
    no_token = client.post(f"/p/{code}/leave", data={"cid": leave_fields["cid"]})
    assert no_token.status_code == 403 and joined(client, code) == 1
    english = client.post(
        f"/p/{code}/leave", data={"cid": "x"}, headers=EVIL, params={"lang": "en"}
    )
    assert "Nothing was changed" in english.text
    left = client.post(f"/p/{code}/leave", data=leave_fields)
    assert left.status_code == 200 and joined(client, code) == 0


def test_admin_forms_need_their_token(client: Client, event: dict[str, Any]) -> None:
    client.get("/admin/login", params={"token": ADMIN})
    forged = client.post("/admin/events", data={"title": "Phish", "format": "custom"})
    assert forged.status_code == 403
    rekey = client.post(f"/admin/events/{event['code']}/rekey", data={}, headers=EVIL)
    assert rekey.status_code == 403
    old = client.get(event["links"]["moderator"].replace("http://testserver.local", ""))
    assert old.status_code == 200  # the moderator link still works


# --- 5. low: tokens that are not ASCII ----------------------------------------------


def test_a_non_ascii_participant_cookie_is_no_identity_and_no_500(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    cookie = f"dg_p_{code}=\u00e4\u00e4.\u00e4\u00e4".encode("latin-1")
    for path in (f"/j/{code}", f"/p/{code}"):
        page = client.get(path, headers=[(b"cookie", cookie)])
        assert page.status_code in (200, 303), (path, page.status_code)
    with client.websocket_connect(f"/api/events/{code}/live") as ws:
        ws.send_json({"type": "hello", "token": "\u00e4\u00e4.\u00e4\u00e4"})
        answer = ws.receive_json(timeout=30)
        assert answer["type"] == "error" and answer["reason"] == "bad_token"


def test_deeply_nested_json_is_a_bad_message_not_a_crash(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    nested = '{"type": "poll.vote", "cid": "deep", "choices": ' + "[" * 1000 + "]" * 1000 + "}"
    with client.websocket_connect(f"/api/events/{code}/live") as ws:
        hello(ws, event["moderator_token"])
        ws.send_text(nested)
        error = until(ws, ack_for("deep"))
        assert error["ok"] is False and error["reason"] == "bad_message"
        ws.send_json({"type": "screen.show", "cid": "after", "what": "blank"})
        assert until(ws, ack_for("after"))["ok"] is True


def test_an_over_long_cid_is_refused_not_cut(client: Client, event: dict[str, Any]) -> None:
    """Before: two cids sharing 64 characters collided, the second was a 'duplicate'."""
    code = event["code"]
    first, second = "x" * 64 + "-blank", "x" * 64 + "-welcome"
    with client.websocket_connect(f"/api/events/{code}/live") as ws:
        hello(ws, event["moderator_token"])
        ws.send_json({"type": "screen.show", "cid": first, "what": "blank"})
        refused = until(ws, ack_for(first))
        assert refused["ok"] is False and refused["reason"] == "cid_invalid"
        ws.send_json({"type": "screen.show", "cid": second, "what": "welcome"})
        assert until(ws, ack_for(second))["reason"] == "cid_invalid"
        ws.send_json({"type": "screen.show", "cid": "x" * 64, "what": "blank"})
        assert until(ws, ack_for("x" * 64))["ok"] is True  # 64 is still fine


def test_a_too_large_message_is_answered_with_its_cid(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    with client.websocket_connect(f"/api/events/{code}/live") as ws:
        hello(ws, event["moderator_token"])
        big = {"type": "participant.rename", "cid": "big-1", "name": "x" * 17_000}
        ws.send_json(big)
        ack = until(ws, lambda m: m["type"] == "ack")
        assert ack["reason"] == "message_too_large"
        assert ack["cid"] == "big-1"  # the client can match it and stop waiting


def test_pages_say_what_they_may_load_and_that_no_one_may_frame_them(
    client: Client, event: dict[str, Any]
) -> None:
    for path in ("/", f"/j/{event['code']}", f"/s/{event['code']}", "/schema"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        # The screen, which has nothing to click, may be framed by our own console's
        # preview; no other page, and by no other site.
        screen = path.startswith("/s/")
        ancestors = "frame-ancestors 'self'" if screen else "frame-ancestors 'none'"
        assert "default-src 'self'" in csp and ancestors in csp, path
        assert "script-src 'self';" in csp  # no inline scripts
        assert headers["x-frame-options"] == ("SAMEORIGIN" if screen else "DENY")
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
    client.get(event["links"]["moderator"].replace("http://testserver.local", ""))
    poster = client.get(f"/console/{event['code']}/poster")
    assert poster.status_code == 200 and "onclick" not in poster.text
    # The report's CSS is inline (it is also a download and the PDF's source): styles only.
    report = client.get(f"/console/{event['code']}/report")
    assert report.status_code == 200 and "<style>" in report.text
    assert "onclick" not in report.text
    csp = report.headers["content-security-policy"]
    assert "style-src 'self' 'unsafe-inline';" in csp and "script-src 'self';" in csp


class Recorder(logging.Handler):
    """Keeps every record it is handed, to see what reached the log."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_websocket_handshakes_leave_no_address_in_the_log() -> None:
    config = uvicorn_log_config()
    dictConfig(config)
    logger = logging.getLogger("uvicorn.error")
    handler = Recorder()
    records = handler.records
    logger.addHandler(handler)
    try:
        logger.info('%s - "WebSocket %s" [accepted]', "203.0.113.9:5123", "/ws/phone/ABCDEF")
        logger.info("connection open")  # websockets, once per socket: a storm's worth of noise
        logger.info("Application startup complete.")
        logger.info("connection closed")
    finally:
        logger.removeHandler(handler)
    assert [r.getMessage() for r in records] == ["Application startup complete."]


def test_secret_links_go_to_a_private_file_when_stdout_is_a_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = show_secret_links(["  Admin: http://x/admin/login?token=s3cret"], tmp_path, tty=False)
    out = capsys.readouterr().out
    assert "s3cret" not in out and where in out
    assert "s3cret" in Path(where).read_text()
    assert stat.S_IMODE(Path(where).stat().st_mode) == 0o600
    show_secret_links(["  Admin: http://x/admin/login?token=s3cret"], tmp_path, tty=True)
    assert "s3cret" in capsys.readouterr().out


# --- 3. one client swamping an event -----------------------------------------------


def test_an_event_takes_at_most_its_joins_per_minute(settings: Settings) -> None:
    app = create_app(msgspec.structs.replace(settings, joins_per_minute=3))
    with TestClient(app, base_url="http://testserver.local") as client:
        code = create_event(client)["code"]
        url = f"/api/events/{code}/participants"
        statuses = [client.post(url, json={}).status_code for _ in range(4)]
        assert statuses == [201, 201, 201, 429]
        busy = client.post(url, json={}, headers={"Accept-Language": "en"}).json()
        assert busy["reason"] == "joins_busy" and "try again in a minute" in busy["detail"]
        page = client.post(f"/j/{code}", data=form_fields(client, f"/j/{code}"))
        assert page.status_code == 429 and "Minute" in page.text  # the form says so too


def test_the_moderator_pauses_joining_with_one_key(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    join(client, code, "Anna")
    with client.websocket_connect(f"/api/events/{code}/live") as ws:
        hello(ws, event["moderator_token"])
        ws.send_json({"type": "event.lock_joining", "cid": "lock"})
        assert until(ws, ack_for("lock"))["ok"] is True
        state = client.get(
            f"/api/events/{code}/state",
            headers={"Authorization": f"Bearer {event['moderator_token']}"},
        ).json()["state"]
        assert state["joining_locked"] is True and state["joins_last_minute"] == 1
        refused = client.post(f"/api/events/{code}/participants", json={"name": "Bot"})
        assert refused.status_code == 409 and refused.json()["reason"] == "joining_locked"
        form = client.post(f"/j/{code}", data=form_fields(client, f"/j/{code}"))
        assert "Beitritt gerade angehalten" in form.text
        ws.send_json({"type": "event.lock_joining", "locked": False, "cid": "open"})
        assert until(ws, ack_for("open"))["ok"] is True
    assert client.post(f"/api/events/{code}/participants", json={}).status_code == 201
    console = client.get(event["links"]["moderator"].replace("http://testserver.local", ""))
    assert console.status_code == 200
    page = client.get(f"/console/{code}")
    assert 'value="event.lock_joining"' in page.text and 'data-key="j"' in page.text


def test_x_forwarded_for_is_believed_only_from_named_proxies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr("server.cli.uvicorn.run", lambda *a, **kw: seen.update(kw))
    monkeypatch.delenv("DIALOGRAUM_TRUSTED_PROXIES", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    cli_main(["serve", "--port", "0"])
    assert seen["proxy_headers"] is False and seen["forwarded_allow_ips"] == ""
    monkeypatch.setenv("DIALOGRAUM_TRUSTED_PROXIES", "10.0.0.2, 10.0.0.3")
    cli_main(["serve", "--port", "0"])
    assert seen["proxy_headers"] is True and seen["forwarded_allow_ips"] == "10.0.0.2, 10.0.0.3"
    assert seen["http"].__name__ == "HeaderTimeoutProtocol"
