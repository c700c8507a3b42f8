"""Clustering as facilitators do it, in a real browser: the moderator writes four headings,
20 cards arrive from phones, "Karten einsortieren" proposes where each goes with a
confidence, the moderator moves the least certain card by hand and accepts, and the
screen shows the clusters."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.liveserver import LiveServer, NewContext
from tests.e2e.test_live_event import open_console, open_screen
from tests.e2e.test_polls import open_phone

pytestmark = pytest.mark.e2e

THEMES = {
    "Energie": [
        "Strompreise sind viel zu hoch",
        "Photovoltaik auf alle Hallendächer",
        "Energiekosten bremsen Investitionen",
        "Windräder in der Region ausbauen",
        "Abwärme der Fabrik für Nahwärme nutzen",
    ],
    "Verkehr": [
        "Busse fahren nicht zu Schichtbeginn",
        "Die Bahnstrecke ist ständig verspätet",
        "Radweg ins Gewerbegebiet fehlt",
        "Pendler stehen jeden Morgen im Stau",
        "Schlechte Busanbindung am Wochenende",
    ],
    "Fachkräfte": [
        "Uns fehlen Facharbeiter in der Produktion",
        "Azubis finden wir kaum noch",
        "Ingenieure wandern in die Großstadt ab",
        "Mehr Frauen in technische Berufe holen",
        "Abschlüsse aus dem Ausland schneller anerkennen",
    ],
    "Digitalisierung": [
        "Glasfaser im Gewerbegebiet fehlt",
        "Funklöcher auf dem Werksgelände",
        "Digitale Bauanträge statt Papier",
        "Cloud-Software ist für kleine Betriebe zu teuer",
        "Mitarbeiter brauchen Schulungen für digitale Werkzeuge",
    ],
}
HEADINGS = list(THEMES)
# four phones, each posting one or two cards of every theme
CARDS = {
    name: [texts[n] for texts in THEMES.values() for n in range(5) if n % 4 == p]
    for p, name in enumerate(["Anna", "Ben", "Cem", "Dana"])
}
SLOW = 90_000  # ms: the first sort on a busy CI machine may still wait for the model


def test_headings_first_then_sort_the_cards_in(
    new_context: NewContext, live_server: LiveServer, event: dict[str, Any]
) -> None:
    code = event["code"]
    console = open_console(new_context, event)
    screen = open_screen(new_context, event)
    console.locator("#board-editor summary").click()
    console.fill("#be-prompt", "Was hemmt Innovation in unserer Region?")
    console.locator("#board-editor button[type=submit]").click()
    expect(console.locator("#board-b1")).to_be_visible()

    # Headings first, as on a pin board: four lines, four clusters.
    console.fill("#headings-b1", "\n".join(HEADINGS))
    console.locator("form[data-headings='b1'] button").click()
    zones = console.locator("#board-b1 .drop-zone[data-drop^='c']")
    expect(zones).to_have_count(4)
    for n, name in enumerate(HEADINGS):
        expect(zones.nth(n)).to_contain_text(name)

    # 20 cards arrive from four phones.
    for name, texts in CARDS.items():
        phone = open_phone(new_context, live_server, code, name)
        for text in texts:
            phone.fill("#idea-text-b1", text)
            phone.locator("#phone-ideas button[type=submit]").click()
            expect(phone.locator("#phone-ideas-me")).to_contain_text(text)
        phone.context.close()
    expect(console.locator("[data-drop=''] [data-idea]")).to_have_count(20)

    # Sort them in: a proposal with a confidence per card, the least certain first.
    console.locator("#board-b1 form:has(input[value='cluster.sort']) button").click()
    rows = console.locator(".proposal-cards tbody tr")
    expect(rows).to_have_count(20, timeout=SLOW)
    expect(console.locator(".proposal h4")).to_have_text("Vorschlag: Karten einsortiert")
    confidences = [
        int(t.split("%")[0].strip().replace("\xa0", ""))
        for t in console.locator(".proposal-cards td.certainty").all_inner_texts()
    ]
    assert confidences == sorted(confidences)

    # The moderator checks the least certain card and puts it where it belongs by hand.
    first = rows.first
    card = first.get_attribute("data-proposed")
    assert card is not None
    text = first.locator("td").nth(1).inner_text()
    theme = next(n for n, texts in enumerate(THEMES.values()) if text.strip() in texts)
    first.locator("select").select_option(label=HEADINGS[theme])
    first.locator("button").click()
    target = f"c{theme + 1}"
    expect(console.locator(f"[data-drop='{target}'] [data-idea='{card}']")).to_be_visible()
    expect(rows).to_have_count(19)
    unsure = console.locator(".proposal-cards tbody tr.unsure").count()

    console.locator("#board-b1 form:has(input[value='cluster.accept']) button").click()
    expect(console.locator(".proposal")).to_have_count(0)
    expect(console.locator("[data-drop=''] [data-idea]")).to_have_count(unsure)
    expect(console.locator(f"[data-drop='{target}'] [data-idea='{card}']")).to_be_visible()
    placed = sum(zones.nth(n).locator("[data-idea]").count() for n in range(4))
    assert placed == 20 - unsure

    # The screen shows the four clusters.
    console.locator("#board-b1 form:has(input[value='clusters']) button").click()
    expect(screen.locator(".screen-cluster")).to_have_count(4)
    for name in HEADINGS:
        expect(screen.locator("#stage")).to_contain_text(name)
