"""A Zukunftswerkstatt from its template, run phase by phase in a real browser.

The console steps through the agenda with PageDown (as a presentation clicker
does); at every step each phone's first visible activity is the current
phase's, earlier ones are folded into "Vorher", and the screen follows. The
critique's top clusters are carried into the fantasy phase as prompts, and a
phone joins an action in the realisation phase.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.liveserver import ADMIN_TOKEN, PHONE, LiveServer, NewContext
from tests.e2e.overflow import assert_fits_everywhere
from tests.e2e.test_live_event import open_console, open_screen

pytestmark = pytest.mark.e2e

SOCKET_WAIT_MS = 30_000
FOLDED = re.compile(r"\bfolded\b")

FIRST_ACTIVITY = """() => {
  const parts = ["phone-polls", "phone-results", "phone-ideas", "phone-ideas-me", "phone-wall",
    "phone-actions", "cafe-me", "phone-qna", "phone-qna-me", "phone-qna-list",
    "phone-speakers-me", "phone-speakers"];
  const shown = Array.from(document.querySelectorAll(parts.map(p => "#" + p).join(",")))
    .filter(el => el.checkVisibility() && el.getBoundingClientRect().height > 0);
  // The current activity must start on the first screen, without scrolling.
  if (!shown.length) return null;
  const top = shown[0].getBoundingClientRect().top + window.scrollY;
  if (top > window.innerHeight - 80) return null;
  return shown[0].id;
}"""


def first_activity(phone: Page) -> str | None:
    value = phone.evaluate(FIRST_ACTIVITY)
    return None if value is None else str(value)


def wait_first_activity(phone: Page, wanted: tuple[str, ...]) -> None:
    phone.wait_for_function(
        f"() => {{ const id = ({FIRST_ACTIVITY})(); return {list(wanted)!r}.includes(id); }}",
        timeout=SOCKET_WAIT_MS,
    )


def phone_of(new_context: NewContext, live_server: LiveServer, code: str, who: str) -> Page:
    context = new_context(PHONE)
    live_server.join_in(context, code, who, "public")
    page = context.new_page()
    page.goto(f"{live_server.url}/p/{code}")
    expect(page.locator("#me strong")).to_have_text(who)
    return page


def step(console: Page, phones: list[Page], title: str) -> None:
    console.keyboard.press("PageDown")
    expect(console.locator("#console-agenda .agenda-now strong")).to_have_text(
        title, timeout=SOCKET_WAIT_MS
    )
    for phone in phones:
        expect(phone.locator("#phone-agenda .agenda-phase-title")).to_have_text(
            title, timeout=SOCKET_WAIT_MS
        )


def test_a_zukunftswerkstatt_runs_through_its_phases(
    new_context: NewContext, live_server: LiveServer
) -> None:
    status, event = live_server.request(
        "POST", "/api/events", {"template": "zukunftswerkstatt-de"}, token=ADMIN_TOKEN
    )
    assert status == 201, event
    code = event["code"]
    console = open_console(new_context, event)
    screen = open_screen(new_context, event)
    expect(console.locator("#console-agenda tbody tr")).to_have_count(5)
    phones = [phone_of(new_context, live_server, code, who) for who in ("Anna", "Ben")]
    for phone in phones:
        expect(phone.locator("#phone-agenda")).to_be_hidden()  # not begun: nothing to show

    step(console, phones, "Begrüßung")
    expect(screen.locator("#stage")).to_have_attribute("data-mode", "agenda")
    expect(screen.locator(".agenda-stage h1")).to_have_text("Willkommen zur Zukunftswerkstatt")
    expect(screen.locator(".agenda-stage .countdown.big")).to_have_text(re.compile(r"^\d+:\d\d$"))

    step(console, phones, "Kritikphase")
    expect(screen.locator("#stage")).to_have_attribute("data-mode", "ideas")
    # The console follows the phase: the boards are open, the polls folded to one line.
    polls_panel = console.locator("#polls-panel")
    expect(polls_panel).to_have_class(FOLDED)
    expect(console.locator("#ideas-panel")).not_to_have_class(FOLDED)
    expect(console.locator("#poll-editor")).to_be_hidden()
    polls_panel.locator("> .fold-bar").click()  # one click opens it …
    expect(polls_panel).not_to_have_class(FOLDED)
    expect(polls_panel.locator("> .fold-bar")).to_have_attribute("aria-expanded", "true")
    for phone in phones:
        wait_first_activity(phone, ("phone-ideas",))
    cards = [("Anna", "Zu viel Bürokratie"), ("Ben", "Kein Bus am Abend"), ("Ben", "Bus zu selten")]
    for who, text in cards:
        phone = phones[0] if who == "Anna" else phones[1]
        phone.locator("#idea-text-b1").fill(text)
        phone.locator("#idea-text-b1").locator("xpath=ancestor::form").get_by_role(
            "button", name="Karte abschicken"
        ).click()
        expect(phone.locator("#phone-ideas-me")).to_contain_text(text, timeout=SOCKET_WAIT_MS)
    with live_server.live(code, event["moderator_token"]) as mod:
        mod.send("cluster.create", board="b1", name="Busverkehr", ideas=["i2", "i3"])
        mod.send("cluster.create", board="b1", name="Verwaltung", ideas=["i1"])
    expect(polls_panel).not_to_have_class(FOLDED)  # … and live updates keep it open
    console.reload()
    expect(console.locator("#console-agenda")).to_be_visible()
    expect(polls_panel).not_to_have_class(FOLDED)  # for the rest of the phase, reloads too
    console.locator("#phase-row-a3 .agenda-carry button").click()
    expect(console.locator("#phase-row-a3 .agenda-prompts input[name=text]")).to_have_count(
        2, timeout=SOCKET_WAIT_MS
    )

    step(console, phones, "Fantasiephase")
    expect(screen.locator("#stage")).to_have_attribute("data-mode", "agenda")
    expect(polls_panel).to_have_class(FOLDED)  # a new phase starts from its own defaults
    expect(screen.locator(".agenda-stage-prompts li").first).to_have_text("Busverkehr")
    for phone in phones:
        expect(phone.locator("#phone-agenda .agenda-prompts li")).to_have_count(2)
        wait_first_activity(phone, ("phone-ideas",))

    # Ben is typing a card when the phase moves on: the text and the caret stay.
    typing = phones[1].locator("#idea-text-b2")
    typing.fill("Ein Bus alle 15 Minuten")
    with live_server.live(code, event["moderator_token"]) as mod:
        mod.send("action.create", title="Abendbus beantragen")
    step(console, phones, "Verwirklichungsphase")
    expect(typing).to_have_value("Ein Bus alle 15 Minuten")
    expect(typing).to_be_focused()
    expect(typing).to_be_visible()  # "Vorher" opened for the one typing there
    typing.fill("")
    phones[1].locator("#agenda-before > summary").click()  # fold it again
    expect(screen.locator("#stage")).to_have_attribute("data-mode", "actions")
    for phone in phones:
        wait_first_activity(phone, ("phone-actions",))
        # The earlier board and one's own cards are folded into "Vorher", still there.
        before = phone.locator("#agenda-before")
        expect(before).to_be_visible()
        expect(before.locator("> summary")).to_have_text("Vorher")
        expect(before.locator("#phone-ideas-me")).to_have_count(1)
    anna = phones[0]
    anna.locator("#join-a1 summary").click()
    anna.locator("#ja-name-a1").fill("Anna")
    anna.locator("#join-a1 input[name=consent]").check()
    anna.locator("#join-a1 form").get_by_role("button", name="Mitmachen").click()
    expect(console.locator("#console-actions")).to_contain_text("Anna", timeout=SOCKET_WAIT_MS)

    step(console, phones, "Abschluss")  # its feedback poll opens with it, nobody clicks
    expect(screen.locator("#stage")).to_have_attribute("data-mode", "poll")
    expect(polls_panel).not_to_have_class(FOLDED)
    expect(console.locator("#ideas-panel")).to_have_class(FOLDED)
    expect(polls_panel.locator("> .fold-bar")).to_be_hidden()  # its phase: no bar at all
    for phone in phones:
        wait_first_activity(phone, ("phone-polls",))
    expect(console.locator('#console-agenda button[data-key="pagedown"]')).to_be_disabled()

    console.keyboard.press("PageUp")  # the clicker's "back"
    for phone in phones:
        expect(phone.locator("#phone-agenda .agenda-phase-title")).to_have_text(
            "Verwirklichungsphase", timeout=SOCKET_WAIT_MS
        )
        wait_first_activity(phone, ("phone-actions",))
    expect(screen.locator("#stage")).to_have_attribute("data-mode", "actions")


def test_a_werkstattgespraech_puts_questions_and_speakers_first(
    new_context: NewContext, live_server: LiveServer
) -> None:
    status, event = live_server.request(
        "POST", "/api/events", {"template": "werkstatt-de"}, token=ADMIN_TOKEN
    )
    assert status == 201, event
    code = event["code"]
    console = open_console(new_context, event)
    screen = open_screen(new_context, event)
    phones = [phone_of(new_context, live_server, code, who) for who in ("Cem", "Dora")]
    step(console, phones, "Begrüßung")
    step(console, phones, "Impulsvortrag")
    expect(screen.locator(".agenda-stage h1")).to_have_text("Impuls")
    for phone in phones:
        wait_first_activity(phone, ("phone-qna",))
    step(console, phones, "Diskussion")
    expect(screen.locator("#stage")).to_have_attribute("data-mode", "speakers")
    for phone in phones:
        wait_first_activity(phone, ("phone-speakers-me", "phone-speakers"))
    phones[0].get_by_role("button", name="Zu Wort melden").click()
    expect(phones[0].locator("#phone-speakers-me")).to_contain_text(
        "Platz 1", timeout=SOCKET_WAIT_MS
    )
    console.keyboard.press("s")
    expect(screen.locator(".speaker-name")).to_have_text("Cem", timeout=SOCKET_WAIT_MS)


def test_a_slide_image_is_uploaded_in_the_console_and_fits_the_screen(
    new_context: NewContext, live_server: LiveServer, tmp_path: Path
) -> None:
    status, event = live_server.request(
        "POST", "/api/events", {"title": "Regionaldialog Mobilität"}, token=ADMIN_TOKEN
    )
    assert status == 201, event
    code = event["code"]
    with live_server.live(code, event["moderator_token"]) as mod:
        mod.send(
            "agenda.add_phase",
            title="Impulsvortrag",
            heading="Mobilität im ländlichen Raum",
            body="Drei Zahlen zum Einstieg.\nWas heißt das für unsere Region?",
        )
    photo = tmp_path / "folie.jpg"
    Image.new("RGB", (4000, 3000), (40, 90, 160)).save(photo, format="JPEG")
    console = open_console(new_context, event)
    row = console.locator("#phase-row-a1")
    row.locator(".agenda-edit > summary").click()
    with console.expect_file_chooser() as chooser:
        row.locator("[data-slide-upload]").click()
    chooser.value.set_files(str(photo))
    thumb = console.locator("#phase-row-a1 img.agenda-thumb")
    expect(thumb).to_have_count(1, timeout=SOCKET_WAIT_MS)  # the page came back with it
    expect(console.locator("#phase-row-a1")).to_contain_text("Folienbild")
    screen = open_screen(new_context, event)
    console.keyboard.press("PageDown")
    picture = screen.locator("img.agenda-stage-image")
    expect(picture).to_be_visible(timeout=SOCKET_WAIT_MS)
    screen.wait_for_function(
        "() => { const i = document.querySelector('img.agenda-stage-image');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert (
        screen.evaluate("() => document.querySelector('img.agenda-stage-image').naturalWidth")
        == 1440
    )
    assert_fits_everywhere(screen, "agenda_slide_image")
    # The console's preview shows what the projector shows.
    preview = console.frame_locator(".screen-preview iframe")
    expect(preview.locator("img.agenda-stage-image")).to_be_visible(timeout=SOCKET_WAIT_MS)
    # Removed in the console: gone from the screen.
    console.locator("#phase-row-a1 .agenda-edit > summary").click()
    console.locator("#phase-row-a1 [data-slide-remove]").click()
    expect(console.locator("#phase-row-a1 img.agenda-thumb")).to_have_count(
        0, timeout=SOCKET_WAIT_MS
    )
    expect(screen.locator("img.agenda-stage-image")).to_have_count(0, timeout=SOCKET_WAIT_MS)


def test_design_thinking_gives_each_question_its_own_board(
    new_context: NewContext, live_server: LiveServer
) -> None:
    status, event = live_server.request(
        "POST", "/api/events", {"template": "design-thinking-de"}, token=ADMIN_TOKEN
    )
    assert status == 201, event
    code = event["code"]
    with live_server.live(code, event["moderator_token"]) as mod:
        for text in ("Formulare doppelt", "Lange Wartezeiten", "Niemand zuständig"):
            mod.send("idea.post", board="b1", text=text)
        mod.send("cluster.create", board="b1", name="Wartezeiten", ideas=["i1", "i2"])
        mod.send("cluster.create", board="b1", name="Zuständigkeit", ideas=["i3"])
        mod.send("agenda.carry", from_board="b1", to_phase="a2", top=3)
    console = open_console(new_context, event)
    row = console.locator("#phase-row-a2")
    row.locator(".agenda-prompts input[name=text]").first.fill(
        "Wie könnten wir Wartezeiten halbieren?"
    )
    row.locator(".agenda-prompts li").first.get_by_role("button", name="Speichern").click()
    expect(row.locator(".agenda-prompts input[name=text]").first).to_have_value(
        "Wie könnten wir Wartezeiten halbieren?", timeout=SOCKET_WAIT_MS
    )
    expect(row.locator("select[name=to_phase]")).to_have_value("a3")  # the next phase
    row.get_by_role("button", name="Eine Pinnwand je Frage").click()
    ideate = console.locator("#phase-row-a3")
    expect(ideate).to_contain_text("Wie könnten wir Wartezeiten halbieren?", timeout=SOCKET_WAIT_MS)
    expect(ideate).to_contain_text("Zuständigkeit")
    expect(console.locator("#phase-row-a4")).to_contain_text("Zuständigkeit")  # the dots, too
    expect(row.locator(".agenda-boards")).to_have_count(0)  # every question has its board
    phone = phone_of(new_context, live_server, code, "Ida")
    for title in ("Verstehen", "Definieren", "Ideen entwickeln"):
        step(console, [phone], title)
    wait_first_activity(phone, ("phone-ideas",))
    expect(phone.locator("#phone-ideas")).to_contain_text("Wie könnten wir Wartezeiten halbieren?")
    expect(phone.locator("#phone-ideas")).to_contain_text("Zuständigkeit")
