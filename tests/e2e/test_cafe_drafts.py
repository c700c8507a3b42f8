"""A host's unsaved key points are never lost on the phone.

Typed in round 1 and not saved when round 2 starts, they stay on the card
with a button that saves them for round 1 (not for round 2, whose form is
right below). A host the moderator replaces mid-round is told so and keeps
the form, with what they typed, for the round they hosted. Screenshots go to
$CAFE_SHOTS when it is set.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.liveserver import LiveServer, NewContext
from tests.e2e.test_cafe import SHOTS, shot
from tests.e2e.test_live_event import open_console
from tests.e2e.test_polls import open_phone

pytestmark = pytest.mark.e2e


def set_host(console: Page, table: str, name: str) -> None:
    host_form = console.locator("#console-cafe form:has(input[value='cafe.set_host'])")
    host_form.locator("select[name=table]").select_option(table)
    person = host_form.locator("select[name=participant] option", has_text=name)
    value = person.get_attribute("value")
    assert value
    host_form.locator("select[name=participant]").select_option(value)
    host_form.get_by_role("button", name="Gastgeber*in festlegen").click()


def test_unsaved_key_points_survive_the_next_round_and_a_new_host(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    code = event["code"]
    anna = open_phone(new_context, live_server, code, "Anna")
    open_phone(new_context, live_server, code, "Ben")
    console = open_console(new_context, event)
    form = console.locator("#console-cafe form").first
    form.locator("textarea[name=tables]").fill("Fachkräfte sichern\nEnergie und Netze")
    form.locator("input[name=rounds]").fill("3")
    form.get_by_role("button", name="Café planen").click()
    expect(anna.locator("#cafe-me")).to_contain_text("Runde 1: gehen Sie zu")
    set_host(console, "t1", "Anna")
    expect(console.locator("#console-cafe .cafe-tables tbody tr").first).to_contain_text("Anna")
    console.get_by_role("button", name="Runde 1 starten").click()

    notes = anna.locator("#cafe-me [data-host-notes] textarea")
    expect(notes).to_be_visible()
    notes.fill("Ausbildung im Verbund")  # typed, not saved
    console.get_by_role("button", name="Runde beenden").click()
    console.get_by_role("button", name="Runde 2 starten").click()
    expect(anna.locator("#cafe-me")).to_contain_text("Runde 2 von 3")
    box = anna.locator("#cafe-me [data-host-draft-box]")
    expect(box).to_contain_text("Noch nicht gespeichert: Ihre Kernpunkte aus Runde 1")
    expect(box.locator("textarea")).to_have_value("Ausbildung im Verbund")
    expect(anna.locator("#cafe-me [data-host-notes] label")).to_have_text("Kernpunkte aus Runde 2")
    expect(anna.locator("#cafe-me [data-host-notes] textarea")).to_have_value("")
    shot(anna, "phone-unsaved-round-1")
    if SHOTS:  # the narrowest phone too
        anna.set_viewport_size({"width": 320, "height": 740})
        shot(anna, "phone-unsaved-round-1-320", full_page=True)
        anna.set_viewport_size({"width": 360, "height": 740})
    box.get_by_role("button", name="Für Runde 1 speichern").click()
    expect(box).to_have_count(0)
    harvest = console.locator("#console-cafe .cafe-notes").first
    expect(harvest).to_contain_text("Ausbildung im Verbund")

    # round 2: the moderator gives table 1 to Ben while Anna types
    anna.locator("#cafe-me [data-host-notes] textarea").fill("Pendelwege verkürzen")
    set_host(console, "t1", "Ben")
    card = anna.locator("#cafe-me")
    expect(card).to_contain_text("Sie sind nicht mehr Gastgeber*in an Tisch 1")
    expect(card.locator("[data-host-notes] textarea")).to_have_value("Pendelwege verkürzen")
    shot(anna, "phone-no-longer-host")
    card.get_by_role("button", name="Kernpunkte speichern").click()
    expect(harvest).to_contain_text("Pendelwege verkürzen")
    expect(card.locator("[data-host-draft-box]")).to_have_count(0)
