"""Screenshots of the phone and the console in the states the surfaces review names.

    .venv/bin/python -m tools.surface_shots docs/screenshots

Starts a server (tests/e2e/liveserver.py), runs a small event through the JSON
API (a World Café with a host, an idea board with categories and cards, dot
voting, an action, a poll that closes) and photographs the console at 1440 px
and phones at 360 and 320 px. The screen and the printables are photographed
by their e2e tests (SCREEN_SHOTS, PRINT_SHOTS). Needs Debian's chromium.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from tests.e2e.liveserver import CHROMIUM, CHROMIUM_ARGS, CONSOLE, LiveServer

CARDS = [
    ("Die Breitbandanbindung in den Gewerbegebieten ist schlecht", "Infrastruktur"),
    ("Genehmigungsverfahren für neue Hallen dauern über zwei Jahre", "Verwaltung"),
    ("Strompreise sind für energieintensive Betriebe kaum tragbar", "Energie"),
    ("Junge Leute ziehen nach Stuttgart oder München weg", "Fachkräfte"),
]


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with LiveServer() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        event = server.create_event(title="Zukunft der Industrie – Region Ostwürttemberg")
        code = event["code"]

        def phone(name: str | None, width: int) -> Page:
            context = browser.new_context(
                viewport={"width": width, "height": 740}, locale="de-DE", reduced_motion="reduce"
            )
            server.join_in(context, code, name)
            page = context.new_page()
            page.goto(f"{server.url}/p/{code}")
            page.wait_for_selector("#me")
            return page

        def snap(page: Page, name: str, full: bool = False) -> None:
            page.screenshot(path=str(out / f"{name}.png"), full_page=full)

        anna = phone("Anna Berger", 360)
        narrow = phone(None, 320)
        people = [server.join(code, f"Person {i}", None)["participant_id"] for i in range(6)]
        with server.live(code, event["moderator_token"]) as mod:
            mod.send(
                "ideas.create_board",
                prompt="Was läuft heute schief in der Industrie unserer Region?",
                categories=["Infrastruktur", "Verwaltung", "Energie", "Fachkräfte"],
                dots_on="ideas",
            )
            for text, category in CARDS:
                mod.send("idea.post", board="b1", text=text, category=category)
            mod.send("cluster.create", board="b1", name="Genehmigungsbeschleunigung")
            mod.send("ideas.settings", board="b1", dots_open=True)
            mod.send("action.create", title="Digitallabor für den Mittelstand", due="2027-06-30")
            question = {"kind": "single", "question": "Wohin zuerst?", "options": ["A", "B"]}
            poll = str(mod.send("poll.create", **question)["id"])
            mod.send("poll.open", poll=poll)
            anna.wait_for_selector(f"form[data-poll={poll}]")
            mod.send("poll.close", poll=poll)
        anna.wait_for_selector(f"[data-closed-poll={poll}]:not([hidden])")
        for _ in range(3):
            anna.locator(".points-row:has(input[name='points.i1']) .step[data-step='1']").click()
        for _ in range(2):
            anna.locator(".points-row:has(input[name='points.i2']) .step[data-step='1']").click()
        snap(anna, "phone_360_dots_closed_poll", full=True)
        anna.locator(".action-card summary").click()
        anna.locator(".action-card input[name=consent]").check()
        anna.locator(".action-card button[type=submit]").click()
        anna.wait_for_selector(".action-card .joined-here")
        anna.locator(".action-card").scroll_into_view_if_needed()
        snap(anna, "phone_360_action_joined")
        snap(narrow, "phone_320_anonymous", full=True)

        console = browser.new_context(viewport=CONSOLE, locale="de-DE").new_page()  # type: ignore[arg-type]
        console.goto(event["links"]["moderator"])
        console.wait_for_selector("#people")
        snap(console, "console_1440_header")
        console.locator("#board-b1").scroll_into_view_if_needed()
        console.locator('[data-rename-cluster="c1"]').click()
        snap(console, "console_1440_cards_inline_rename")

        with server.live(code, event["moderator_token"]) as mod:
            mod.send(
                "cafe.create",
                tables=[{"topic": t} for t in ("Fachkräfte", "Energie und Netze", "Flächen")],
                rounds=2,
            )
            mod.send("cafe.set_host", table="t1", participant=people[0])
            mod.send("cafe.start_round")
            mod.send("cafe.end_round")
        console.locator("#console-cafe").scroll_into_view_if_needed()
        snap(console, "console_1440_cafe")
        anna.reload()
        anna.wait_for_selector("#cafe-me")
        anna.locator("#cafe-me").scroll_into_view_if_needed()
        snap(anna, "phone_360_cafe_changeover")
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
