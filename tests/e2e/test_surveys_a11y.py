"""WCAG 2.1 AA on the survey pages (axe-core, as tests/e2e/test_accessibility.py).

The intro, every section of the inventory (each question kind), a section
with errors, the thanks page and the results with and without a breakdown.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.liveserver import ADMIN_TOKEN, CONSOLE, PHONE, LiveServer, NewContext
from tests.e2e.test_accessibility import check

pytestmark = pytest.mark.e2e


def test_survey_pages_pass_axe(live_server: LiveServer, new_context: NewContext) -> None:
    status, created = live_server.request(
        "POST", "/api/surveys", {"template": "bestandsaufnahme"}, token=ADMIN_TOKEN
    )
    assert status == 201, created
    code = created["code"]
    page = new_context(PHONE).new_page()
    page.goto(f"{live_server.url}/u/{code}")
    check(page, "survey intro")
    for n in range(1, 8):
        page.goto(f"{live_server.url}/u/{code}/{n}")
        expect(page.get_by_text(f"Abschnitt {n} von 7")).to_be_visible()
        check(page, f"survey section {n}")
    page.goto(f"{live_server.url}/u/{code}/1")
    page.get_by_label("Name der Initiative").fill("Bündnis")
    page.get_by_label("In welchem Land ist sie tätig?").select_option("BE")
    page.get_by_label("Gründungsjahr").fill("1800")
    page.get_by_role("radio", name="Unternehmen").check()
    page.get_by_role("button", name="Weiter", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    check(page, "survey section with an error")
    organiser = new_context(CONSOLE).new_page()
    organiser.goto(created["links"]["results"])
    expect(organiser.get_by_role("heading", level=1)).to_be_visible()
    check(organiser, "survey results")
    organiser.goto(f"{live_server.url}/u/{code}/ergebnisse?by=region")
    check(organiser, "survey results by region")
    answers = {
        "name": "Allianz Lausitz", "region": "BB", "founded": 2019, "respondent_type": "union",
        "member_types": ["union"], "meetings": "monthly", "forms": ["events"],
        "topics": ["energy"], "goals": "Wandel", "networked": "no", "consent": "yes",
        "contact_name": "Erika", "contact_email": "e@example.org",
    }  # fmt: skip
    assert (
        live_server.request("POST", f"/api/surveys/{code}/responses", {"answers": answers})[0]
        == 201
    )
    organiser.goto(f"{live_server.url}/u/{code}/initiativen")
    expect(organiser.get_by_role("article", name="Allianz Lausitz")).to_be_visible()
    check(organiser, "directory of initiatives")
