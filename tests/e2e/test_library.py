"""The Werkzeugkiste in a real browser: save an event as a template from the console,
find it in the admin's library, export it, delete it, import the file again, and
create an event from it (issue 13)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.liveserver import ADMIN_TOKEN, CONSOLE, LiveServer, NewContext

pytestmark = pytest.mark.e2e


def test_save_export_delete_import_and_create(
    live_server: LiveServer, new_context: NewContext
) -> None:
    status, event = live_server.request(
        "POST",
        "/api/events",
        {"template": "werkstatt-de", "title": "Werkstatt Süd"},
        token=ADMIN_TOKEN,
    )
    assert status == 201, event
    code = event["code"]
    console = new_context(CONSOLE).new_page()
    console.goto(event["links"]["moderator"])
    console.get_by_role("link", name="Als Vorlage speichern", exact=True).click()
    console.fill("#tpl-name", "Werkstatt Süd Vorlage")
    console.fill("#tpl-author", "Landkreis Süd")
    console.get_by_role("button", name="In der Bibliothek speichern").click()
    expect(console.locator(".notice")).to_contain_text("Werkstatt Süd Vorlage")

    admin = new_context(CONSOLE).new_page()
    admin.goto(f"{live_server.url}/admin/login?token={ADMIN_TOKEN}")
    admin.get_by_role("link", name="Vorlagen-Bibliothek").click()
    item = admin.locator(f"#t-werkstatt-sued-vorlage-{code.lower()}")
    expect(item).to_contain_text("Landkreis Süd")
    item.locator(".library-preview summary").click()
    expect(item.locator(".library-preview li")).to_have_count(4)
    expect(item.locator(".library-preview")).to_contain_text("Redeliste")
    with admin.expect_download() as download:
        item.get_by_role("link", name="Exportieren (.dialograum.json)").click()
    path = download.value.path()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["author"] == "Landkreis Süd" and len(data["phases"]) == 4

    item.locator(".library-delete summary").click()
    item.get_by_role("checkbox").check()
    item.get_by_role("button", name="Endgültig löschen").click()
    expect(admin.locator(".notice")).to_have_text("Vorlage gelöscht.")
    expect(admin.locator(f"#t-werkstatt-sued-vorlage-{code.lower()}")).to_have_count(0)

    admin.fill("#name", "Werkstatt Süd, importiert")
    admin.set_input_files("#file", str(path))
    admin.get_by_role("button", name="Importieren", exact=True).click()
    expect(admin.locator(".notice")).to_have_text("Importiert: Werkstatt Süd, importiert")
    item = admin.locator(f"#t-werkstatt-sued-vorlage-{code.lower()}")
    item.get_by_role("link", name="Veranstaltung daraus anlegen").click()
    expect(admin.locator("#template")).to_have_value(f"werkstatt-sued-vorlage-{code.lower()}")
    admin.fill("#title", "Werkstatt Nord")
    admin.get_by_role("button", name="Veranstaltung anlegen und Moderation öffnen").click()
    expect(admin.locator("#console-agenda tbody tr")).to_have_count(4)
