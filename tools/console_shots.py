"""Screenshots of the moderator console in a running Werkstattgespräch, to look at.

    .venv/bin/python -m tools.console_shots OUTDIR [PORT]

Starts a server (tests/e2e/liveserver.py), creates a Werkstattgespräch from its
built-in template, adds an idea board and an action, lets eight people ask
questions and ask to speak, starts the discussion phase, and photographs
the console in German at 1440×900 (the first screen, the whole page, and after
a jump from the navigation to a folded panel), at 1024×768 and at 768×1024.
Uses Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from tests.e2e.liveserver import ADMIN_TOKEN, CHROMIUM, CHROMIUM_ARGS, LiveServer

QUESTIONS = [
    "Wie wird der Ausbau der Schiene finanziert?",
    "Was passiert mit den Gewerbeflächen am Hafen?",
    "Gibt es Förderung für kleine Betriebe?",
]
SIZES = [("1440x900", 1440, 900), ("1024x768", 1024, 768), ("768x1024", 768, 1024)]


def main(out: Path, port: int | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    server = LiveServer()
    if port is not None:
        server.port, server.url = port, f"http://127.0.0.1:{port}"
    with server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        status, event = server.request(
            "POST",
            "/api/events",
            {"template": "werkstatt-de", "title": "Werkstattgespräch Mobilität 2030"},
            token=ADMIN_TOKEN,
        )
        assert status == 201, event
        code = event["code"]
        with server.live(code, event["moderator_token"]) as mod:
            mod.send("ideas.create_board", prompt="Was muss sich zuerst ändern?")
            mod.send("action.create", title="Abendbus beim Landkreis beantragen")
            for _ in range(3):
                mod.send("agenda.next")
            session = mod.state["qna"][0]["id"] if mod.state["qna"] else None
        people = [server.join(code, f"Person {i}", "business") for i in range(8)]
        for n, person in enumerate(people):
            with server.live(code, person["token"]) as phone:
                if session is None:
                    session = phone.state["qna"][0]["id"]
                if n < len(QUESTIONS):
                    phone.send("question.ask", session=session, text=QUESTIONS[n])
                if n % 2 == 0:
                    phone.send("speakers.request", subject="")
        for name, width, height in SIZES:
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale="de-DE", reduced_motion="reduce"
            )
            page = context.new_page()
            page.goto(event["links"]["moderator"])
            expect(page.locator("body")).to_have_attribute("data-live", "open", timeout=30_000)
            page.wait_for_timeout(500)  # the preview frame and the fonts settle
            page.screenshot(path=str(out / f"console-{name}.png"))
            if width == 1440:
                page.screenshot(path=str(out / f"console-{name}-full.png"), full_page=True)
                height_px = page.evaluate("document.documentElement.scrollHeight")
                print(f"1440 page height: {height_px}px")
                # The sticky navigation: a folded panel opens and comes into view.
                page.locator(".console-nav a[data-panel=actions-panel]").click()
                expect(page.locator("#actions-panel")).not_to_have_class("folded")
                page.wait_for_timeout(300)
                page.screenshot(path=str(out / f"console-{name}-jump.png"))
            context.close()
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else None)
