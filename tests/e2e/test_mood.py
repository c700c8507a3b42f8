"""The mood meter in a real browser: a tap on the phone, the count on the console, the
bars on the projector, which fit at every projector size."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.liveserver import CONSOLE, PHONE, SCREEN, LiveServer, NewContext
from tests.e2e.overflow import assert_fits_everywhere

pytestmark = pytest.mark.e2e


def test_a_tap_on_the_phone_reaches_console_and_screen(
    live_server: LiveServer, event: dict[str, Any], new_context: NewContext
) -> None:
    code = event["code"]
    for i, mood in enumerate([5, 4, 4, 2]):
        token = live_server.join(code, f"Teilnehmerin {i + 1}", None)["token"]
        with live_server.live(code, token) as person:
            person.send("mood.set", mood=mood)
    console = new_context(CONSOLE).new_page()
    console.goto(event["links"]["moderator"])
    expect(console.locator("#console-mood")).to_contain_text("4 Personen")
    phone_context = new_context(PHONE)
    live_server.join_in(phone_context, code, "Eva Klein")
    phone = phone_context.new_page()
    phone.goto(f"{live_server.url}/p/{code}")
    phone.locator("#phone-mood-me form:has(input[value='4']) button").click()
    expect(phone.locator("#phone-mood-me button[aria-pressed='true']")).to_have_text("4")
    expect(phone.locator("#phone-mood-me")).to_contain_text("Ihre Stimmung: 4 · eher gut")
    expect(console.locator("#console-mood")).to_contain_text("5 Personen")
    screen = new_context(SCREEN).new_page()
    screen.goto(event["links"]["screen"])
    console.locator("#console-mood button").click()
    expect(screen.locator("#stage")).to_have_attribute("data-mode", "mood")
    expect(screen.locator("#stage .col-n")).to_have_text(["0", "1", "0", "3", "1"])
    assert_fits_everywhere(screen, "mood")
