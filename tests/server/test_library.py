"""The Werkzeugkiste's pages: the admin's library, import by upload, delete, export,
the console's "save as template", and duplicating an event (issue 13)."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from server.toolbox import builtins, encode
from tests.server.conftest import ADMIN, form_fields

Client = TestClient[Litestar]
AUTH = {"Authorization": f"Bearer {ADMIN}"}


def _admin(client: Client) -> None:
    client.get("/admin/login", params={"token": ADMIN})


def _file(**changes: Any) -> dict[str, Any]:
    """The German Zukunftswerkstatt as a file, with an own id and any changes."""
    raw: dict[str, Any] = json.loads(_builtin_bytes())
    raw.update({"id": "kreis-zw", "name": "Zukunftswerkstatt Kreis", "author": "Kreis Nord"})
    raw.update(changes)
    return raw


def _builtin_bytes() -> bytes:
    return encode(builtins()["zukunftswerkstatt-de"])


def _upload(client: Client, body: bytes, **fields: str) -> Any:
    data = {**form_fields(client, "/admin/vorlagen"), **fields}
    files = {"file": ("vorlage.dialograum.json", body, "application/json")}
    return client.post("/admin/vorlagen", data=data, files=files)


def _own(client: Client) -> list[dict[str, Any]]:
    return [t for t in client.get("/api/templates").json() if not t["builtin"]]


def test_the_library_lists_built_in_templates_with_preview_and_actions(client: Client) -> None:
    assert client.get("/admin/vorlagen").status_code == 401
    _admin(client)
    page = client.get("/admin/vorlagen", headers={"Accept-Language": "de"})
    assert page.status_code == 200
    text = page.text
    assert "Vorlagen" in text and "Zukunftswerkstatt" in text and "Werkstattgespräch" in text
    assert text.count('class="library-item"') == len(builtins())
    assert "Kritikphase" in text and "Pinnwand: Was läuft schief?" in text  # the preview
    assert "/admin?template=zukunftswerkstatt-de#template" in text
    assert "/admin/vorlagen/zukunftswerkstatt-de/datei" in text
    assert "/loeschen" not in text  # built-in templates cannot be deleted
    chosen = client.get("/admin", params={"template": "world-cafe-de"}).text
    assert '<option value="world-cafe-de" selected>' in chosen


def test_export_downloads_the_file(client: Client) -> None:
    _admin(client)
    response = client.get("/admin/vorlagen/werkstatt-en/datei")
    assert response.status_code == 200
    assert 'filename="werkstatt-en.dialograum.json"' in response.headers["content-disposition"]
    assert response.json()["id"] == "werkstatt-en" and response.json()["dialograum"] == "template"
    assert client.get("/admin/vorlagen/nope/datei").status_code == 404


def test_import_by_upload_then_delete_with_a_confirm_step(client: Client) -> None:
    _admin(client)
    page = _upload(client, json.dumps(_file()).encode(), name="", author="")
    assert page.status_code == 200, page.text
    assert "Importiert: Zukunftswerkstatt Kreis" in page.text
    assert [t["id"] for t in _own(client)] == ["kreis-zw"]
    assert "/admin/vorlagen/kreis-zw/loeschen" in page.text
    # without the box ticked, nothing is deleted
    refused = client.post("/admin/vorlagen/kreis-zw/loeschen", data=form_fields(client, "/admin"))
    assert refused.status_code == 422 and "Ja, löschen" in refused.text
    assert len(_own(client)) == 1
    # without the form token, nothing is deleted either
    forged = client.post("/admin/vorlagen/kreis-zw/loeschen", data={"confirm": "yes"})
    assert forged.status_code == 403 and len(_own(client)) == 1
    gone = client.post(
        "/admin/vorlagen/kreis-zw/loeschen",
        data={**form_fields(client, "/admin"), "confirm": "yes"},
    )
    assert gone.status_code == 200 and "Vorlage gelöscht" in gone.text
    assert _own(client) == []
    builtin = client.post(
        "/admin/vorlagen/world-cafe-de/loeschen",
        data={**form_fields(client, "/admin"), "confirm": "yes"},
    )
    assert builtin.status_code == 422 and "world-cafe-de" in client.get("/api/templates").text


def test_import_fields_override_the_file(client: Client) -> None:
    _admin(client)
    page = _upload(client, json.dumps(_file()).encode(), name="Unsere Werkstatt", author="Bezirk")
    assert page.status_code == 200
    (own,) = _own(client)
    assert own["name"] == "Unsere Werkstatt" and own["author"] == "Bezirk"


def test_bad_files_are_refused_naming_the_field_and_the_form_keeps_what_was_typed(
    client: Client,
) -> None:
    _admin(client)
    survey = json.dumps({"title": "Umfrage", "sections": []}).encode()
    bad_minutes = _file()
    bad_minutes["phases"][1]["minutes"] = "zwanzig"
    unknown = _file(colour="blau")
    missing = _file()
    del missing["phases"][0]["title"]
    dangling = _file()
    dangling["phases"][2]["activities"] = ["board:nirgends"]
    refused = _file()
    refused["phases"][0]["minutes"] = 0
    cases = [
        (b"{not json", "kein JSON-Dokument"),
        (survey, "keine Dialograum-Vorlage"),
        (json.dumps(_file(version=2)).encode(), "Das Feld „version“ sagt 2"),
        (
            json.dumps(bad_minutes).encode(),
            "Der Wert im Feld „phases[1].minutes“ passt nicht"
            " (erwartet: eine ganze Zahl, gefunden: Text).",
        ),
        (json.dumps(_file(format="party")).encode(), "„format“ passt nicht ('party' ist keiner"),
        (json.dumps(unknown).encode(), "Das Feld „colour“ gehört nicht in eine Vorlage"),
        (json.dumps(missing).encode(), "Das Feld „phases[0].title“ fehlt"),
        (json.dumps(dangling).encode(), "„phases[2]“ zeigt auf board:nirgends"),
        (json.dumps(refused).encode(), "„phases[0]“ lässt sich nicht anlegen"),
        (json.dumps(_file(id="world-cafe-de")).encode(), "eingebauten Vorlage"),
        (b"x" * (600 * 1024), "größer als 512 KB"),
    ]
    for body, expected in cases:
        page = _upload(client, body, name="Mein Name", author="Meine Organisation")
        assert page.status_code == 422, expected
        message = re.search(r'id="import-error">(.*?)</p>', page.text, re.S)
        assert message is not None and expected in unescape(message.group(1)), expected
        assert 'value="Mein Name"' in page.text and 'value="Meine Organisation"' in page.text
    assert _own(client) == []  # nothing half-imported
    none = client.post("/admin/vorlagen", data=form_fields(client, "/admin/vorlagen"))
    assert none.status_code == 422 and "Bitte wählen Sie eine .dialograum.json-Datei" in none.text


def test_messages_in_english(client: Client) -> None:
    _admin(client)
    client.get("/lang/en")
    data = {**form_fields(client, "/admin/vorlagen")}
    files = {"file": ("x.json", json.dumps(_file(colour="blue")).encode(), "application/json")}
    page = client.post("/admin/vorlagen", data=data, files=files)
    assert page.status_code == 422
    assert "The field “colour” does not belong in a template." in page.text
    assert "Template library" in page.text and "Preview: the phases" in page.text
    assert "Create an event from it" in page.text and "Import a template" in page.text


def _event_from_template(client: Client) -> dict[str, Any]:
    body = {"template": "zukunftswerkstatt-de", "title": "Zukunft Nord"}
    response = client.post("/api/events", json=body, headers=AUTH)
    assert response.status_code == 201
    data: dict[str, Any] = response.json()
    client.get(data["links"]["moderator"].replace("http://testserver.local", ""))
    return data


def test_save_as_template_from_the_console(client: Client) -> None:
    event = _event_from_template(client)
    code = event["code"]
    form = client.get(f"/console/{code}/vorlage")
    assert form.status_code == 200 and 'value="Zukunft Nord"' in form.text
    empty = client.post(
        f"/console/{code}/vorlage", data={**form_fields(client, f"/console/{code}/vorlage")}
    )
    assert empty.status_code == 422 and "Bitte geben Sie der Vorlage einen Namen" in empty.text
    fields = {"name": "ZW Nord", "description": "Drei Stunden, 30 Leute", "author": "Kreis Nord"}
    saved = client.post(
        f"/console/{code}/vorlage",
        data={**form_fields(client, f"/console/{code}/vorlage"), **fields},
    )
    assert (
        saved.status_code == 200 and "Gespeichert in der Vorlagen-Bibliothek: ZW Nord" in saved.text
    )
    (own,) = _own(client)
    assert own["id"] == f"zw-nord-{code.lower()}" and own["author"] == "Kreis Nord"
    assert own["description"] == "Drei Stunden, 30 Leute" and own["phases"] == 5
    # another browser, without the moderator's cookie, cannot save
    other = TestClient(client.app, base_url="http://testserver.local")
    assert other.get(f"/console/{code}/vorlage").status_code == 403
    forged = client.post(f"/console/{code}/vorlage", data=fields)
    assert forged.status_code == 403


def test_duplicate_an_event_is_its_structure_without_the_people(client: Client) -> None:
    event = _event_from_template(client)
    code = event["code"]
    joined = client.post(f"/api/events/{code}/participants", json={"name": "Ada"})
    assert joined.status_code == 201
    _admin(client)
    page = client.post(f"/admin/events/{code}/duplizieren", data=form_fields(client, "/admin"))
    assert page.status_code == 200
    new = re.search(r"/console/([A-Z0-9]+)", page.text)
    assert new is not None and new.group(1) != code
    console = client.get(f"/console/{new.group(1)}")
    assert console.status_code == 200 and "Kopie von Zukunft Nord" in console.text
    assert "Kritikphase" in console.text
    original = client.get(f"/api/events/{code}/template", headers=AUTH).json()
    copy = client.get(f"/api/events/{new.group(1)}/template", headers=AUTH).json()
    for key in ("polls", "boards", "qna", "actions", "phases"):
        assert copy.get(key) == original.get(key), key
    state = client.get(f"/api/events/{new.group(1)}", headers=AUTH).json()
    assert state["participants"]["joined"] == 0
    forged = client.post(f"/admin/events/{code}/duplizieren", data={})
    assert forged.status_code == 403


def test_the_console_cannot_fill_the_library(client: Client, monkeypatch: Any) -> None:
    monkeypatch.setattr("server.library_pages.MAX_OWN", 1)
    event = _event_from_template(client)
    code = event["code"]
    url = f"/console/{code}/vorlage"
    first = client.post(url, data={**form_fields(client, url), "name": "Eins"})
    assert first.status_code == 200
    again = client.post(url, data={**form_fields(client, url), "name": "Eins"})
    assert again.status_code == 200  # replacing its own template is not a new one
    full = client.post(url, data={**form_fields(client, url), "name": "Zwei"})
    assert full.status_code == 422 and "Die Vorlagen-Bibliothek ist voll" in full.text
    assert [t["name"] for t in _own(client)] == ["Eins"]
