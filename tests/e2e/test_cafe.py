"""World Café in a real browser: phones get tables, rounds change them, hosts harvest.

The moderator sets the café up through the console's form while four phones are
online; the phones show their table; starting round 2 changes every phone's
table; a host writes key points that reach the console and, at the end, the
screen's harvest wall. Screenshots go to $CAFE_SHOTS when it is set.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.liveserver import LiveServer, NewContext
from tests.e2e.test_live_event import open_console, open_screen
from tests.e2e.test_polls import open_phone

pytestmark = pytest.mark.e2e

SHOTS = os.environ.get("CAFE_SHOTS")


def shot(page: Page, name: str, full_page: bool = False) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=full_page)


def table_of(phone: Page) -> str:
    text = phone.locator("#cafe-me .cafe-table").inner_text()
    found = re.search(r"Tisch (\d+)", text)
    assert found, text
    return found.group(1)


def test_phones_get_tables_and_change_them_when_round_two_starts(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    code = event["code"]
    phones = [open_phone(new_context, live_server, code, f"Person {i}") for i in range(1, 5)]
    console = open_console(new_context, event)
    screen = open_screen(new_context, event)
    form = console.locator("#console-cafe form").first
    form.locator("textarea[name=tables]").fill(
        "Fachkräfte sichern\nEnergie und Netze\nFlächen für Gewerbe"
    )
    form.locator("input[name=rounds]").fill("2")
    form.locator("input[name=round_minutes]").fill("15")
    form.get_by_role("button", name="Café planen").click()
    for phone in phones:
        expect(phone.locator("#cafe-me")).to_contain_text("Runde 1: gehen Sie zu")
    shot(phones[0], "phone-before")

    # Person 1 hosts table 1; the plan moves the guests around them.
    host_form = console.locator("#console-cafe form:has(input[value='cafe.set_host'])")
    host_form.locator("select[name=table]").select_option("t1")
    person_1 = host_form.locator("select[name=participant] option", has_text="Person 1")
    value = person_1.get_attribute("value")
    assert value
    host_form.locator("select[name=participant]").select_option(value)
    host_form.get_by_role("button", name="Gastgeber*in festlegen").click()
    expect(console.locator("#console-cafe .cafe-tables tbody tr").first).to_contain_text("Person 1")
    console.get_by_role("button", name="Runde 1 starten").click()
    expect(screen.locator("#stage")).to_have_attribute("data-mode", "cafe")
    expect(screen.locator(".cafe-timer .countdown")).to_have_text(re.compile(r"^1[45]:\d\d$"))
    first = []
    for phone in phones:
        expect(phone.locator("#cafe-me")).to_contain_text("Runde 1 von 2")
        expect(phone.locator("#cafe-me .countdown")).to_have_text(re.compile(r"^1[45]:\d\d$"))
        first.append(table_of(phone))
    shot(phones[0], "phone-round-1")
    shot(screen, "screen-timer")

    host = phones[0]
    notes = host.locator("#cafe-me textarea[name=text]")
    expect(notes).to_be_visible()
    notes.fill("Ausbildung im Verbund\nPendelwege verkürzen")
    host.get_by_role("button", name="Kernpunkte speichern").click()
    expect(console.locator("#console-cafe .cafe-notes").first).to_contain_text("Ausbildung im")
    shot(host, "phone-host")

    console.get_by_role("button", name="Runde beenden").click()
    expect(screen.locator(".cafe-banner.change")).to_contain_text("Wechsel!")
    expect(phones[1].locator("#cafe-me")).to_contain_text("Wechsel!")
    shot(screen, "screen-changeover")
    shot(phones[1], "phone-changeover")

    console.get_by_role("button", name="Runde 2 starten").click()
    for i, phone in enumerate(phones):
        expect(phone.locator("#cafe-me")).to_contain_text("Runde 2 von 2")
        if i > 0:  # guests move on; the host stays at table 1
            assert table_of(phone) != first[i]
    assert table_of(host) == "1"
    shot(console, "console-cafe", full_page=True)

    console.get_by_role("button", name="Runde beenden").click()
    expect(screen.locator(".harvest")).to_contain_text("Pendelwege verkürzen")
    shot(screen, "screen-harvest")

    cards = console.context.new_page()
    cards.goto(f"{live_server.url}/console/{code}/cafe/cards")
    expect(cards.locator(".tent-card")).to_have_count(3)
    cards.emulate_media(media="print")
    shot(cards, "print-cards", full_page=True)
    lists = console.context.new_page()
    lists.goto(f"{live_server.url}/console/{code}/cafe/lists")
    expect(lists.locator(".assignment-list:not(.table-sheet)")).to_have_count(2)  # a page a round
    expect(lists.locator(".table-sheet")).to_have_count(3)  # and one per table
    lists.emulate_media(media="print")
    shot(lists, "print-lists", full_page=True)
