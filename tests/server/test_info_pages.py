"""The accessibility statement, barrier reports and the Leichte-Sprache page."""

from __future__ import annotations

import json
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from server.settings import Settings


def test_statement_and_easy_language_are_linked_from_every_page(
    client: TestClient[Litestar], event: dict[str, Any]
) -> None:
    statement = client.get("/barrierefreiheit")
    assert statement.status_code == 200
    assert "Erklärung zur Barrierefreiheit" in statement.text
    assert "Barriere melden" in statement.text
    easy = client.get("/leichte-sprache")
    assert easy.status_code == 200 and "Sie brauchen ein Handy." in easy.text
    for path in ("/", f"/j/{event['code']}"):
        page = client.get(path).text
        assert 'href="/barrierefreiheit"' in page and 'href="/leichte-sprache"' in page


def test_a_barrier_report_is_stored_for_the_operator(
    client: TestClient[Litestar], settings: Settings
) -> None:
    sent = client.post(
        "/barrierefreiheit",
        data={"text": "Der Knopf ist zu klein", "page": "/p/ABC123", "contact": ""},
    )
    assert sent.status_code == 200 and "Danke" in sent.text
    lines = (settings.data_path / "barrier_reports.jsonl").read_text(encoding="utf-8").splitlines()
    report = json.loads(lines[-1])
    assert report["text"] == "Der Knopf ist zu klein" and report["page"] == "/p/ABC123"
    empty = client.post("/barrierefreiheit", data={"text": "  "})
    assert empty.status_code == 422 and "Bitte beschreiben Sie die Barriere." in empty.text
