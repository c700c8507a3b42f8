"""The HTML pages through the test client: join, identity, console access, admin."""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.server.conftest import ADMIN, create_event, form_fields

Client = TestClient[Litestar]


def test_start_page_asks_for_the_code_in_german_by_default(client: Client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'lang="de"' in page.text
    assert "Veranstaltungscode" in page.text


def test_start_page_speaks_english_when_the_browser_asks(client: Client) -> None:
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Event code" in page.text


def test_codes_are_accepted_as_people_type_them(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    typed = f" {code[:3].lower()}-{code[3:].lower()} "
    response = client.get("/", params={"code": typed}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/j/{code}"
    lower = client.get(f"/j/{code.lower()}", follow_redirects=False)
    assert lower.headers["location"] == f"/j/{code}"


def test_unknown_and_malformed_codes_get_a_clear_page(client: Client) -> None:
    unknown = client.get("/", params={"code": "ZZZ-ZZZ"})
    assert unknown.status_code == 404
    assert "Diesen Code kennen wir nicht." in unknown.text
    assert 'value="ZZZ-ZZZ"' in unknown.text  # the typo stays visible
    malformed = client.get("/", params={"code": "hallo"})
    assert malformed.status_code == 422
    assert "sechs Buchstaben und Ziffern" in malformed.text
    assert 'value="hallo"' in malformed.text  # what they typed is kept
    assert client.get("/j/ZZZZZZ").status_code == 404


def join_in_browser(client: Client, code: str, name: str = "Anna", org: str = "union") -> str:
    fields = form_fields(client, f"/j/{code}")
    response = client.post(
        f"/j/{code}",
        data={"name": name, "organisation_type": org, **fields},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/p/{code}"
    return fields["cid"]


def test_joining_sets_a_cookie_that_survives_a_reload(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    join_in_browser(client, code)
    cookie = client.cookies.get(f"dg_p_{code}")
    assert cookie is not None
    phone = client.get(f"/p/{code}")
    assert phone.status_code == 200
    assert "Anna" in phone.text
    assert "Gewerkschaft" in phone.text
    assert f'ws-connect="/ws/phone/{code}"' in phone.text
    # The join link now goes straight to the phone page.
    again = client.get(f"/j/{code}", follow_redirects=False)
    assert again.headers["location"] == f"/p/{code}"


def test_participant_cookie_is_httponly_and_lax(client: Client, event: dict[str, Any]) -> None:
    """Lax: a link from mail or chat keeps the identity; forms and sockets check origin."""
    code = event["code"]
    fields = form_fields(client, f"/j/{code}")
    response = client.post(f"/j/{code}", data=fields, follow_redirects=False)
    header = response.headers["set-cookie"].lower()
    assert header.startswith(f"dg_p_{code.lower()}=")
    assert "httponly" in header
    assert "samesite=lax" in header


def test_a_double_submitted_join_form_joins_once(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    fields = form_fields(client, f"/j/{code}")
    for _ in range(2):  # the first answer was lost: the browser sends the form again
        sent = client.post(f"/j/{code}", data={"name": "Anna", **fields}, follow_redirects=False)
        assert sent.status_code == 303
        client.cookies.delete(f"dg_p_{code}")
    assert client.get(f"/api/events/{code}").json()["participants"]["joined"] == 1


def test_join_errors_keep_what_was_typed(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    long_name = "Annegret " * 6
    fields = form_fields(client, f"/j/{code}")
    response = client.post(
        f"/j/{code}", data={"name": long_name, "organisation_type": "union", **fields}
    )
    assert response.status_code == 422
    assert "höchstens 40 Zeichen" in response.text
    assert long_name.strip() in response.text
    assert 'value="union" checked' in response.text
    bad_org = client.post(
        f"/j/{code}", data={"name": "Bo", "organisation_type": "mafia", "csrf": fields["csrf"]}
    )
    assert bad_org.status_code == 422
    assert "aufgeführten Bereiche" in bad_org.text


def test_leaving_clears_identity_and_offers_to_rejoin(
    client: Client, event: dict[str, Any]
) -> None:
    code = event["code"]
    join_in_browser(client, code)
    left = client.post(f"/p/{code}/leave", data=form_fields(client, f"/p/{code}"))
    assert left.status_code == 200
    assert "verlassen" in left.text
    assert f'href="/j/{code}"' in left.text
    assert client.get(f"/p/{code}", follow_redirects=False).status_code == 303
    assert client.get(f"/api/events/{code}").json()["participants"]["joined"] == 0


def test_closed_events_get_a_clear_page(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    with client.websocket_connect(f"/api/events/{code}/live") as ws:
        ws.send_json({"type": "hello", "token": event["moderator_token"]})
        ws.receive_json(timeout=30)
        ws.send_json({"type": "event.close", "cid": "close"})
        for _ in range(10):
            message = ws.receive_json(timeout=30)
            if message["type"] == "ack":
                assert message["ok"] is True
                break
    page = client.get(f"/j/{code}")
    assert page.status_code == 410
    assert "beendet" in page.text


def test_the_console_needs_the_moderator_link(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    denied = client.get(f"/console/{code}")
    assert denied.status_code == 403
    assert "Moderationslink" in denied.text
    wrong = client.get(f"/m/{code}", params={"key": "guess"})
    assert wrong.status_code == 403
    link = client.get(event["links"]["moderator"].replace("http://testserver.local", ""))
    assert link.status_code == 200
    assert f'url=/console/{code}"' in link.text  # same-site hop so the Strict cookie is sent
    console = client.get(f"/console/{code}")
    assert console.status_code == 200
    assert event["links"]["join"] in console.text
    assert "<svg" in console.text
    poster = client.get(f"/console/{code}/poster")
    assert poster.status_code == 200
    assert "Teilnahme-Plakat" in poster.text or "Machen Sie mit" in poster.text


def test_the_screen_shows_title_qr_and_code(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    screen = client.get(f"/s/{code}")
    assert screen.status_code == 200
    assert "Zukunft der Industrie" in screen.text
    assert f"{code[:3]}-{code[3:]}" in screen.text
    assert "<svg" in screen.text
    qr = client.get(f"/qr/{code}")
    assert qr.headers["content-type"].startswith("image/svg+xml")


def test_admin_login_then_create_event_lands_in_the_console(client: Client) -> None:
    assert client.get("/admin").status_code == 401
    assert client.get("/admin/login", params={"token": "nope"}).status_code == 403
    login = client.get("/admin/login", params={"token": ADMIN})
    assert login.status_code == 200
    fields = form_fields(client, "/admin")
    created = client.post(
        "/admin/events",
        data={
            "title": "Design Thinking: Fachkräfte",
            "format": "design_thinking",
            "language": "en",
            "csrf": fields["csrf"],
        },
    )
    assert created.status_code == 200
    target = re.search(r"url=/console/([A-Z0-9]{6})", created.text)
    assert target is not None
    console = client.get(f"/console/{target.group(1)}")
    assert console.status_code == 200
    assert "Design Thinking: Fachkräfte" in console.text
    assert 'lang="en"' in console.text  # the event's language


def test_admin_form_errors_keep_the_input(client: Client) -> None:
    client.get("/admin/login", params={"token": ADMIN})
    csrf = form_fields(client, "/admin")["csrf"]
    response = client.post(
        "/admin/events", data={"title": "x" * 130, "format": "custom", "csrf": csrf}
    )
    assert response.status_code == 422
    assert "kürzeren Titel" in response.text
    assert "x" * 130 in response.text


def test_language_switch_is_remembered(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    switched = client.get("/lang/en", params={"next": f"/j/{code}"}, follow_redirects=False)
    assert switched.headers["location"] == f"/j/{code}"
    assert "Take part" in client.get(f"/j/{code}").text
    evil = client.get("/lang/en", params={"next": "//evil.example"}, follow_redirects=False)
    assert evil.headers["location"] == "/"


def test_english_events_default_to_english(client: Client) -> None:
    english = create_event(client, language="en")
    assert "Take part" in client.get(f"/j/{english['code']}").text


def test_admin_replaces_a_lost_moderator_link(client: Client, event: dict[str, Any]) -> None:
    code = event["code"]
    client.get("/admin/login", params={"token": ADMIN})
    page = client.post(f"/admin/events/{code}/rekey", data=form_fields(client, "/admin"))
    assert page.status_code == 200
    new_link = re.search(rf"(/m/{code}\?key=[^\"<\s]+)", page.text)
    assert new_link is not None
    old = client.get(event["links"]["moderator"].replace("http://testserver.local", ""))
    assert old.status_code == 403
    assert client.get(new_link.group(1).replace("&amp;", "&")).status_code == 200
    assert client.get(f"/console/{code}").status_code == 200


def test_assets_are_compressed_and_cached_for_slow_phones(client: Client) -> None:
    page = client.get("/")
    css = re.search(r'href="(/static/app\.css\?v=[0-9a-f]+)"', page.text)
    assert css is not None
    asset = client.get(css.group(1), headers={"Accept-Encoding": "gzip"})
    assert asset.headers["content-encoding"] == "gzip"
    assert "immutable" in asset.headers["cache-control"]
    assert page.headers["cache-control"] == "no-store"
