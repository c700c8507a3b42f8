"""A survey in a real browser: the inventory from its template, answered on two phones.

One phone answers straight through and agrees to be listed. The other stops
after three sections, copies its resume link, and finishes on another device
(a fresh browser context). Then the organiser's results page shows both
responses and the breakdown by Land, and the listed initiative is reviewed,
published and seen on the public directory page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.liveserver import ADMIN_TOKEN, CONSOLE, LiveServer, NewContext

pytestmark = pytest.mark.e2e

WAIT_MS = 30_000


def next_section(page: Page, number: int) -> None:
    page.get_by_role("button", name="Weiter", exact=True).click()
    expect(page.get_by_text(f"Abschnitt {number} von 7")).to_be_visible(timeout=WAIT_MS)


def sections_1_to_3(page: Page, name: str, land: str) -> None:
    page.get_by_label("Name der Initiative").fill(name)
    page.get_by_label("In welchem Land ist sie tätig?").select_option(label=land)
    page.get_by_label("Gründungsjahr").fill("2016")
    page.get_by_role("radio", name="Unternehmen").check()
    next_section(page, 2)
    page.get_by_role("checkbox", name="Gewerkschaften").check()
    # the member count of unions appears with its type, businesses' does not
    expect(page.get_by_label("Wie viele Mitglieder: Gewerkschaften")).to_be_visible()
    expect(page.get_by_label("Wie viele Mitglieder: Unternehmen")).to_be_hidden()
    page.get_by_label("Wie viele Mitglieder: Gewerkschaften").fill("3")
    next_section(page, 3)
    page.get_by_role("radio", name="monatlich").check()
    page.get_by_role("checkbox", name="Arbeitsgruppen").check()
    page.get_by_label("Wie viele Arbeitsgruppen gibt es?").fill("2")
    next_section(page, 4)


def sections_4_to_7(page: Page, topic: str, contact: str | None = None) -> None:
    page.get_by_role("checkbox", name=topic).check()
    for option, place in (("Akteure vernetzen", "1"), ("Den Wandel gestalten", "2")):
        page.get_by_label(option).select_option(label=f"Platz {place}")
    page.get_by_label("Den Standort sichern").select_option(label="Platz 3")
    page.get_by_label("Gute Arbeit und Beschäftigung").select_option(label="Platz 4")
    page.get_by_label("Welche Ziele verfolgt die Initiative?").fill("Gute Arbeit in der Region")
    next_section(page, 5)
    next_section(page, 6)  # nothing required here
    page.get_by_role("radio", name="Nein").check()
    next_section(page, 7)
    # going back keeps the answers
    page.get_by_role("button", name="Zurück").click()
    expect(page.get_by_text("Abschnitt 6 von 7")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_role("radio", name="Nein")).to_be_checked()
    next_section(page, 7)
    if contact is None:
        page.get_by_role("radio", name="Nein").check()
        expect(page.get_by_label("Name der Ansprechperson")).to_be_hidden()
    else:
        page.get_by_role("radio", name="Ja").check()
        page.get_by_label("Name der Ansprechperson").fill(contact)
        page.get_by_label("E-Mail-Adresse").fill("kontakt@example.org")
    page.get_by_role("button", name="Antworten absenden").click()
    expect(page.get_by_text("Vielen Dank!")).to_be_visible(timeout=WAIT_MS)


def test_two_phones_answer_the_inventory_one_resumes_elsewhere(
    live_server: LiveServer, new_context: NewContext
) -> None:
    status, created = live_server.request(
        "POST", "/api/surveys", {"template": "bestandsaufnahme"}, token=ADMIN_TOKEN
    )
    assert status == 201, created
    code = created["code"]
    respond = f"{live_server.url}/u/{code}"

    anna = new_context().new_page()
    anna.goto(respond)
    anna.get_by_role("link", name="Umfrage starten").click()
    sections_1_to_3(anna, "Industriebündnis Ruhr", "Nordrhein-Westfalen")
    sections_4_to_7(anna, "Energie", contact="Anna Berger")

    ben = new_context().new_page()
    ben.goto(respond)
    ben.get_by_role("link", name="Umfrage starten").click()
    sections_1_to_3(ben, "Allianz Lausitz", "Brandenburg")
    # stops here; the intro offers to continue, and the resume link to take along
    ben.goto(respond)
    expect(ben.get_by_role("link", name="Weiter mit Abschnitt 4 von 7")).to_be_visible()
    ben.get_by_text("Später oder auf einem anderen Gerät weitermachen").click()
    link = ben.get_by_label("Ihr Link zum Weitermachen").input_value()
    assert re.fullmatch(rf"{re.escape(respond)}\?weiter=[A-Za-z0-9_-]+", link)
    ben.context.close()

    tablet = new_context().new_page()
    tablet.goto(link)
    tablet.get_by_role("link", name="Weiter mit Abschnitt 4 von 7").click()
    expect(tablet.get_by_text("Abschnitt 4 von 7")).to_be_visible()
    sections_4_to_7(tablet, "Fachkräfte")
    # submitted once: the link now only says thank you
    tablet.goto(respond)
    expect(tablet.get_by_text("Sie haben an dieser Umfrage schon teilgenommen.")).to_be_visible()

    organiser = new_context(viewport=CONSOLE).new_page()
    organiser.goto(created["links"]["results"])
    expect(organiser.get_by_text("2 Rückmeldungen")).to_be_visible()
    energy = organiser.locator("#r-topics").locator("xpath=..")
    expect(energy.get_by_text("2 Antworten")).to_be_visible()
    organiser.get_by_label("Aufschlüsseln nach").select_option(
        label="In welchem Land ist sie tätig?"
    )
    organiser.get_by_role("button", name="Anzeigen").click()
    topics = organiser.locator("#r-topics").locator("xpath=..")
    expect(topics.get_by_role("columnheader", name="Nordrhein-Westfalen (n=1)")).to_be_visible()
    expect(topics.get_by_role("columnheader", name="Brandenburg (n=1)")).to_be_visible()
    energy_row = topics.get_by_role("row", name=re.compile("^Energie"))
    expect(energy_row).to_contain_text("1 (100 %)")

    # the directory: Anna's initiative agreed to be listed; reviewed, published, shown
    organiser.get_by_role("link", name="Verzeichnis der Initiativen").click()
    entry = organiser.get_by_role("article", name="Industriebündnis Ruhr")
    expect(entry).to_contain_text("Noch nicht geprüft")
    expect(organiser.get_by_role("article", name="Allianz Lausitz")).to_have_count(0)
    entry.get_by_role("button", name="Veröffentlichen").click()
    expect(organiser.get_by_role("article", name="Industriebündnis Ruhr")).to_contain_text(
        "Veröffentlicht"
    )
    organiser.get_by_role("button", name="Öffentliche Seite einschalten").click()
    expect(organiser.get_by_text("Die öffentliche Seite ist eingeschaltet.")).to_be_visible()
    visitor = new_context().new_page()
    visitor.goto(f"{respond}/initiativen")
    public_entry = visitor.get_by_role("article", name="Industriebündnis Ruhr")
    expect(public_entry).to_contain_text("Anna Berger")
    expect(public_entry.get_by_role("button")).to_have_count(0)
