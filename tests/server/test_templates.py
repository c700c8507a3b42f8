"""The Werkzeugkiste over HTTP: built-in templates, events made from them, export and import."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from server.app import create_app
from server.settings import Settings
from server.toolbox import builtins
from tests.server.conftest import ADMIN

Client = TestClient[Litestar]
AUTH = {"Authorization": f"Bearer {ADMIN}"}


def _create(client: Client, **body: Any) -> dict[str, Any]:
    response = client.post("/api/events", json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def _state(client: Client, event: dict[str, Any]) -> dict[str, Any]:
    token = {"Authorization": f"Bearer {event['moderator_token']}"}
    body: dict[str, Any] = client.get(f"/api/events/{event['code']}/state", headers=token).json()
    state: dict[str, Any] = body["state"]
    return state


def _export(client: Client, event: dict[str, Any]) -> dict[str, Any]:
    token = {"Authorization": f"Bearer {event['moderator_token']}"}
    response = client.get(f"/api/events/{event['code']}/template", headers=token)
    assert response.status_code == 200, response.text
    assert ".dialograum.json" in response.headers["content-disposition"]
    data: dict[str, Any] = response.json()
    return data


def test_the_four_formats_are_built_in_in_german_and_english(client: Client) -> None:
    listed = client.get("/api/templates").json()
    pairs = {(t["format"], t["language"]) for t in listed if t["builtin"]}
    formats = ("world_cafe", "werkstatt", "design_thinking", "zukunftswerkstatt")
    assert pairs == {(f, lang) for f in formats for lang in ("de", "en")}
    assert all(t["phases"] >= 4 and t["minutes"] > 0 for t in listed)


def test_an_event_from_a_template_has_its_agenda_and_drafts(client: Client) -> None:
    event = _create(client, template="zukunftswerkstatt-de")
    assert event["format"] == "zukunftswerkstatt" and event["title"] == "Zukunftswerkstatt"
    state = _state(client, event)
    phases = state["agenda"]["phases"]
    assert [p["title"] for p in phases] == [
        "Begrüßung",
        "Kritikphase",
        "Fantasiephase",
        "Verwirklichungsphase",
        "Abschluss",
    ]
    assert phases[1]["activities"] == ["board:b1"] and phases[1]["screen"] == "board:b1"
    assert phases[4]["activities"] == ["poll:p1"]
    assert state["agenda"]["current"] is None and all(p["status"] == "planned" for p in phases)
    assert state["boards"][0]["prompt"] == "Was läuft schief? Was stört Sie?"
    assert state["polls"][0]["status"] == "draft"


def test_an_unknown_template_is_refused_with_the_field(client: Client) -> None:
    response = client.post("/api/events", json={"template": "nope"}, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["field"] == "template"


def test_export_import_on_a_fresh_server_and_create_gives_the_same_structure(
    client: Client, tmp_path: Path
) -> None:
    original = _create(client, template="werkstatt-de", title="Werkstatt Energie")
    exported = _export(client, original)
    assert exported["dialograum"] == "template" and exported["version"] == 1
    text = json.dumps(exported)
    assert original["moderator_token"] not in text and "participants" not in text
    fresh = Settings(
        db=str(tmp_path / "fresh.sqlite3"),
        data_dir=str(tmp_path / "fresh"),
        admin_token=ADMIN,
        public_url="http://testserver.local",
        sample_event=False,
        tick_ms=20,
    )
    with TestClient(create_app(fresh), base_url="http://testserver.local") as other:
        imported = other.post("/api/templates", content=json.dumps(exported), headers=AUTH)
        assert imported.status_code == 201, imported.text
        assert imported.json()["builtin"] is False
        assert exported["id"] in {t["id"] for t in other.get("/api/templates").json()}
        copy = _create(other, template=exported["id"])
        again = _export(other, copy)
        assert copy["title"] == "Werkstatt Energie"
        assert {**again, "id": None} == {**exported, "id": None}
        assert _state(other, copy)["agenda"]["phases"][2]["activities"] == ["speakers", "qna:s1"]


def test_a_bad_file_is_refused_naming_the_field_and_nothing_is_stored(
    client: Client, settings: Settings
) -> None:
    good = json.loads(
        json.dumps(
            {
                "dialograum": "template",
                "version": 1,
                "id": "mine",
                "name": "Mine",
                "boards": [{"ref": "k", "prompt": "Was?"}],
                "phases": [{"title": "A", "minutes": 10, "activities": ["board:k"]}],
            }
        )
    )
    bad_minutes = {**good, "phases": [{"title": "A", "minutes": "zehn"}]}
    foreign = {**good, "dialograum": "something-else"}
    dangling = {**good, "phases": [{"title": "A", "minutes": 5, "activities": ["poll:x"]}]}
    too_long = {**good, "phases": [{"title": "A", "minutes": 5000}]}
    for body, field in (
        (bad_minutes, "phases[0].minutes"),
        (foreign, "dialograum"),
        (dangling, "phases[0]"),
        (too_long, "phases[0]"),
        ({**good, "id": "world-cafe-de"}, "id"),
    ):
        response = client.post("/api/templates", content=json.dumps(body), headers=AUTH)
        assert response.status_code == 422, (field, response.text)
        assert response.json()["field"] == field
        assert field in response.json()["detail"]
    assert client.post("/api/templates", content=b"{not json", headers=AUTH).status_code == 422
    assert not (Path(settings.data_dir) / "templates").exists() or not list(
        (Path(settings.data_dir) / "templates").iterdir()
    )
    assert client.post("/api/templates", content=json.dumps(good)).status_code == 401
    assert client.post("/api/templates", content=json.dumps(good), headers=AUTH).status_code == 201


def test_every_built_in_template_makes_an_event(client: Client) -> None:
    for template_id, template in builtins().items():
        event = _create(client, template=template_id)
        assert len(_state(client, event)["agenda"]["phases"]) == len(template.phases)


def test_the_admin_page_creates_an_event_from_a_template(client: Client) -> None:
    client.get("/admin/login", params={"token": ADMIN})
    page = client.get("/admin")
    assert 'value="design-thinking-en"' in page.text and "Ohne Vorlage" in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    created = client.post(
        "/admin/events",
        data={"template": "design-thinking-de", "format": "world_cafe", "csrf": csrf.group(1)},
    )
    assert created.status_code == 200, created.text
    target = re.search(r"url=/console/([A-Z0-9]{6})", created.text)
    assert target is not None
    console = client.get(f"/console/{target.group(1)}")
    assert "Design-Thinking-Workshop" in console.text  # the template's name as the title
    assert "Verstehen" in console.text and "Nächste Schritte" in console.text
    assert 'id="phase-row-a6"' in console.text
    unknown = client.post(
        "/admin/events", data={"template": "nope", "title": "X", "csrf": csrf.group(1)}
    )
    assert unknown.status_code == 422 and "keine Vorlage" in unknown.text


def test_the_console_link_exports_with_the_moderator_cookie(client: Client) -> None:
    event = _create(client, template="world-cafe-en")
    path = f"/api/events/{event['code']}/template"
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 403
    client.get(event["links"]["moderator"].replace("http://testserver.local", ""))
    console = client.get(f"/console/{event['code']}")
    assert f'href="{path}" download' in console.text
    exported = client.get(path)
    assert exported.status_code == 200
    assert [p["title"] for p in exported.json()["phases"]][:2] == ["Welcome", "Café rounds"]


def test_the_export_names_nobody(client: Client) -> None:
    event = _create(client, template="zukunftswerkstatt-de")
    person = client.post(
        f"/api/events/{event['code']}/participants", json={"name": "Greta Gans"}
    ).json()
    with client.websocket_connect(f"/api/events/{event['code']}/live") as ws:
        ws.send_json({"type": "hello", "token": event["moderator_token"]})
        ws.send_json(
            {"type": "action.create", "title": "Abendbus", "owner": "Olga Orth", "cid": "a1"}
        )
        for _ in range(60):
            message = ws.receive_json(timeout=30)
            if message.get("cid") == "a1":
                assert message["ok"], message
                break
    text = json.dumps(_export(client, event))
    assert "Abendbus" in text
    assert "Olga Orth" not in text and "Greta Gans" not in text
    assert person["participant_id"] not in text
