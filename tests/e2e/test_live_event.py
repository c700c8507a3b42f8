"""A live event in a real browser: console, projector screen and phones together."""

from __future__ import annotations

import re
from typing import Any

import cv2
import numpy as np
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.liveserver import CONSOLE, SCREEN, LiveServer, NewContext

pytestmark = pytest.mark.e2e


def decode_qr(element: Locator, attempts: int = 20) -> str:
    """Photograph an element the way a phone camera would see it, and read its QR code.

    A phone's camera tries again until it reads the code; so does this, for a
    bounded number of photographs (a busy machine may catch the page mid-layout).
    """
    detector = cv2.QRCodeDetector()
    for _ in range(attempts):
        png = element.screenshot(animations="disabled")
        image = cv2.imdecode(np.frombuffer(png, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
        assert image is not None, "the QR element screenshot is not an image"
        text, points, _ = detector.detectAndDecode(image)
        if points is not None and text:
            return str(text)
    raise AssertionError("no readable QR code in the screen's join corner")


def open_console(new_context: NewContext, event: dict[str, Any]) -> Page:
    page = new_context(CONSOLE).new_page()
    page.goto(event["links"]["moderator"])  # key -> cookie -> console
    expect(page).to_have_url(re.compile(rf"/console/{event['code']}$"))
    expect(page.locator("#people")).to_be_visible()
    # A moderator's first click must not beat the page's scripts: before htmx has
    # wired the forms to the socket, a "Speichern" is a plain form post (seen on a
    # loaded CI machine as a prompt that kept its old text).
    expect(page.locator("body")).to_have_attribute("data-live", "open", timeout=30_000)
    return page


def open_screen(new_context: NewContext, event: dict[str, Any]) -> Page:
    page = new_context(SCREEN).new_page()
    page.goto(event["links"]["screen"])
    expect(page.locator("#stage")).to_have_attribute("data-mode", "welcome")
    return page


def join_on_phone(
    new_context: NewContext, join_url: str, name: str, organisation: str | None
) -> Page:
    """A phone opens the join link, fills the form and lands on its live page."""
    page = new_context().new_page()
    page.goto(join_url)
    page.get_by_label("Ihr Name (freiwillig)").fill(name)
    if organisation is not None:
        page.get_by_role("radio", name=organisation).check()
    page.get_by_role("button", name="Teilnehmen").click()
    code = join_url.rsplit("/", 1)[-1]
    expect(page).to_have_url(re.compile(rf"/p/{code}$"))
    expect(page.locator("#me strong")).to_have_text(name)
    return page


def counts(console: Page) -> tuple[Locator, Locator]:
    numbers = console.locator("#people .counts .num")
    return numbers.nth(0), numbers.nth(1)


def test_three_phones_join_through_the_qr_code(
    new_context: NewContext, event: dict[str, Any]
) -> None:
    console = open_console(new_context, event)
    screen = open_screen(new_context, event)
    expect(screen.locator(".join-corner .join-code")).to_have_text(
        f"{event['code'][:3]}-{event['code'][3:]}"
    )

    join_url = decode_qr(screen.locator(".join-corner .qr"))
    assert join_url == event["links"]["join"]

    people = [
        ("Anna Schmidt", "Unternehmen"),
        ("Kemal Yilmaz", "Gewerkschaft"),
        ("Dr. Jörg Weiß", "Öffentliche Verwaltung"),
    ]
    phones = [join_on_phone(new_context, join_url, name, org) for name, org in people]

    expect(screen.locator("#stage .stage-count .num")).to_have_text("3")
    expect(screen.locator("#stage .stage-count")).to_contain_text("Personen sind dabei")
    joined, online = counts(console)
    expect(joined).to_have_text("3")
    expect(online).to_have_text("3")
    rows = console.locator("#people table.people tbody tr")
    expect(rows).to_have_count(3)
    for name, org in people:
        expect(rows.filter(has_text=name)).to_contain_text(org)
    for phone in phones:
        expect(phone.locator("#phone-status")).to_contain_text("3 Personen")


def test_phone_keeps_its_identity_across_a_reload(
    new_context: NewContext, event: dict[str, Any], live_server: LiveServer
) -> None:
    phone = join_on_phone(new_context, event["links"]["join"], "Mara Lenz", "Kammer / Verband")
    phone.reload()
    expect(phone).to_have_url(re.compile(rf"/p/{event['code']}$"))
    expect(phone.locator("#me")).to_contain_text("Mara Lenz · Kammer / Verband")

    # Opening the join link again does not make a second participant.
    phone.goto(event["links"]["join"])
    expect(phone).to_have_url(re.compile(rf"/p/{event['code']}$"))
    status, state = live_server.request(
        "GET", f"/api/events/{event['code']}/state", token=event["moderator_token"]
    )
    assert status == 200
    assert state["state"]["participants"]["joined"] == 1, state


def test_rename_on_the_phone_shows_in_the_console(
    new_context: NewContext, event: dict[str, Any]
) -> None:
    console = open_console(new_context, event)
    phone = join_on_phone(new_context, event["links"]["join"], "Tom", None)
    rows = console.locator("#people table.people tbody tr")
    expect(rows).to_have_text(re.compile(r"Tom\s*Keine Angabe"))

    phone.get_by_text("Namen ändern").click()
    phone.get_by_label("Ihr Name (freiwillig)").fill("Thomas Berger")
    phone.get_by_label("Woher kommen Sie? (freiwillig)").select_option(label="Forschung / Bildung")
    phone.get_by_role("button", name="Speichern").click()

    expect(phone.locator("#me")).to_contain_text("Thomas Berger · Forschung / Bildung")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Thomas Berger")
    expect(rows).to_contain_text("Forschung / Bildung")
    expect(console.locator("#people .mix")).to_contain_text("Forschung / Bildung")


def test_moderator_blanks_the_screen_and_w_brings_welcome_back(
    new_context: NewContext, event: dict[str, Any]
) -> None:
    console = open_console(new_context, event)
    screen = open_screen(new_context, event)
    stage = screen.locator("#stage")

    console.get_by_role("button", name=re.compile("^Leer")).click()
    expect(stage).to_have_attribute("data-mode", "blank")
    expect(stage.locator(".stage-title")).to_have_count(0)
    expect(console.get_by_role("button", name=re.compile("^Leer"))).to_have_attribute(
        "aria-pressed", "true"
    )
    # The join corner stays, so latecomers can still get in.
    expect(screen.locator(".join-corner .qr")).to_be_visible()

    console.keyboard.press("w")
    expect(stage).to_have_attribute("data-mode", "welcome")
    expect(stage.locator(".stage-title")).to_have_text(event["title"])
    expect(
        console.get_by_role("button", name=re.compile("^Begrüßung")),
    ).to_have_attribute("aria-pressed", "true")


def test_start_page_explains_unknown_and_malformed_codes(
    new_context: NewContext, event: dict[str, Any], live_server: LiveServer
) -> None:
    page = new_context().new_page()
    page.goto(live_server.url + "/")
    code_field = page.get_by_label("Veranstaltungscode")

    code_field.fill("ZZZ-ZZZ")
    with page.expect_response(re.compile(r"/\?code=")) as answer:
        page.get_by_role("button", name="Weiter").click()
    assert answer.value.status == 404
    error = page.get_by_role("alert")
    expect(error).to_have_text(
        "Diesen Code kennen wir nicht. Bitte vergleichen Sie ihn mit der Leinwand."
    )
    expect(code_field).to_have_value("ZZZ-ZZZ")  # the typo stays visible
    expect(page.locator("body")).not_to_contain_text("Traceback")
    expect(code_field).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Veranstaltungscode").fill("hallo")
    page.get_by_role("button", name="Weiter").click()
    expect(page.locator("#code-error")).to_have_text(
        "Ein Code hat sechs Buchstaben und Ziffern, zum Beispiel KXR-7PM."
    )

    # The real code, typed sloppily, still finds the event.
    code = event["code"].lower()
    page.get_by_label("Veranstaltungscode").fill(f" {code[:3]} {code[3:]} ")
    page.get_by_role("button", name="Weiter").click()
    expect(page).to_have_url(re.compile(rf"/j/{event['code']}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(event["title"])


# A count that changes is swapped in by htmx and then counts up (app.js tween).
# Every fragment message re-runs the tween over all counts; a count still in
# motion must keep its target rather than be read back mid-animation. The
# server sends #stage and #seq as two messages, so this is what a live screen
# does on almost every join.
SWAP_THEN_SECOND_MESSAGE = """() => new Promise(resolve => {
  const old = document.querySelector('#stage .stage-count .num');
  const fresh = old.cloneNode(true);
  fresh.textContent = '7';
  let sent = false, quiet = null;
  const settled = () => resolve(fresh.textContent);  // no change for longer than a tween
  new MutationObserver(() => {
    if (!sent && fresh.textContent !== '7') {  // in motion: now the #seq fragment arrives
      sent = true;
      document.dispatchEvent(new CustomEvent('htmx:wsAfterMessage'));
    }
    clearTimeout(quiet);
    quiet = setTimeout(settled, 600);
  }).observe(fresh, {childList: true, characterData: true, subtree: true});
  quiet = setTimeout(settled, 600);
  old.replaceWith(fresh);  // the #stage fragment, swapped in by htmx
  document.dispatchEvent(new CustomEvent('htmx:wsAfterMessage'));
})"""


def test_counts_tween_to_the_new_value(new_context: NewContext, event: dict[str, Any]) -> None:
    screen = new_context(SCREEN, reduced_motion="no-preference").new_page()
    screen.goto(event["links"]["screen"])
    number = screen.locator("#stage .stage-count .num")
    expect(number).to_have_text("0")
    assert screen.evaluate(SWAP_THEN_SECOND_MESSAGE) == "7"


# The longest title an event may have (120 characters), with a long German compound.
LONGEST_TITLE = (
    "Transformation der Automobilzulieferindustrie in Südwestfalen: "
    "Wie sichern wir Beschäftigung und Wertschöpfung bis 2035?"
)
OUT_OF_VIEW = """(selector) => [...document.querySelectorAll(selector)]
  .map(e => [e, e.getBoundingClientRect()])
  .filter(([e, r]) => r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth)
  .map(([e, r]) => `${e.className}: ${Math.round(r.left)},${Math.round(r.top)} to `
                   + `${Math.round(r.right)},${Math.round(r.bottom)}`)"""
SCROLL_WIDTH = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def test_longest_title_fits_on_the_phone(new_context: NewContext, live_server: LiveServer) -> None:
    event = live_server.create_event(title=LONGEST_TITLE)
    phone = new_context().new_page()
    phone.goto(event["links"]["join"])
    scroll_width, width = phone.evaluate(SCROLL_WIDTH)
    assert scroll_width <= width, "the join page scrolls sideways"


def test_longest_title_fits_on_the_screen(new_context: NewContext, live_server: LiveServer) -> None:
    event = live_server.create_event(title=LONGEST_TITLE)
    screen = new_context(SCREEN).new_page()
    screen.goto(event["links"]["screen"])
    assert screen.evaluate(OUT_OF_VIEW, "#stage > *, .join-corner") == []
