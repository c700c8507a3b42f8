"""Screenshots of the Werkstattgespräch (issue 12): Q&A and the speaker list on every surface.

    .venv/bin/python -m tools.werkstatt_shots docs/screenshots/werkstatt

Starts a server (tests/e2e/liveserver.py), runs a Q&A with long questions
and a speaker list through the JSON API and photographs phones at 360×740
and 320 px, the console at 1440 px and the screen at 1920×1080 and 1280×720.
Prints every element of the screen that overflows the projector
(tests/e2e/overflow.py), so a look at the images starts from a list. Needs Debian's chromium.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from tests.e2e.liveserver import CHROMIUM, CHROMIUM_ARGS, LiveServer
from tests.e2e.overflow import overflowing

QUESTIONS = [
    "Wer bezahlt die neuen Wasserstoffleitungen zu den Gewerbegebieten?",
    "Wie stellen Sie sicher, dass auch mittelständische Zulieferer in den kleineren "
    "Gemeinden angeschlossen werden, und wer trägt die Anschlusskosten, wenn die "
    "Förderprogramme des Landes auslaufen, bevor überhaupt gebaut wird?",
    "Gibt es schon Zusagen von Stadtwerken?",
    "Was passiert mit den Beschäftigten in der Gasversorgung?",
    "Wann wird entschieden?",
    "Welche Rolle spielen die Kammern bei der Qualifizierung?",
]
PEOPLE = [
    ("Anna Berger", "business"),
    ("Cem Demir", "union"),
    ("Eva Fuchs", "public"),
    ("Gül Hahn", "chamber"),
    ("Ida Jung", "research"),
    ("Karl Lehmann", "civil_society"),
]


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with LiveServer() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        event = server.create_event(
            title="Werkstattgespräch Wasserstoff – Industrieregion Ostwürttemberg",
            format="werkstatt",
        )
        code, token = event["code"], event["moderator_token"]

        def context_page(width: int, height: int, url: str) -> Page:
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale="de-DE", reduced_motion="reduce"
            )
            page = context.new_page()
            page.goto(url)  # the screen link, or the moderator link (key -> cookie -> console)
            return page

        def phone(name: str, org: str, width: int) -> Page:
            context = browser.new_context(
                viewport={"width": width, "height": 740}, locale="de-DE", reduced_motion="reduce"
            )
            server.join_in(context, code, name, org)
            page = context.new_page()
            page.goto(f"{server.url}/p/{code}")
            page.wait_for_selector("#me")
            return page

        def snap(page: Page, name: str, full: bool = False) -> None:
            page.screenshot(path=str(out / f"{name}.png"), full_page=full)
            if name.startswith("screen"):  # phones and the console scroll; the projector cannot
                problems.extend(f"{name}: {p}" for p in overflowing(page))

        anna = phone(*PEOPLE[0], 360)
        cem = phone(*PEOPLE[1], 320)
        screen = context_page(1920, 1080, event["links"]["screen"])
        others = [server.join(code, name, org)["token"] for name, org in PEOPLE[2:]]
        with server.live(code, token) as mod:
            mod.send(
                "qna.create", title="Input 1: Wasserstoff im Revier", speaker="Dr. Erika Musterfrau"
            )
            mod.send("screen.show", what="qna")
            anna.wait_for_selector("#phone-qna textarea")
            anna.locator("#phone-qna textarea").fill(QUESTIONS[0])
            anna.get_by_role("button", name="Frage stellen").click()
            anna.wait_for_selector("#phone-qna-me .rank")
            sockets = [server.live(code, t) for t in others]
            try:
                for n, sock in enumerate(sockets):
                    sock.send("question.ask", session="s1", text=QUESTIONS[1 + n],
                              anonymous=n % 2 == 0)  # fmt: skip
                for n, sock in enumerate(sockets):
                    for q in range(2, 6 - n % 3):
                        sock.send("question.upvote", question=f"q{q}")
                cem.locator('[data-question="q2"] button.upvote').click()
                cem.wait_for_selector('[data-question="q2"] button.upvote[aria-pressed="true"]')
                screen.wait_for_selector("#stage[data-mode=qna] .qna-top li")
                screen.wait_for_timeout(1500)  # the phones' tick, then the screen's fit
                snap(screen, "screen_qna_top5_1920x1080")
                screen.set_viewport_size({"width": 1280, "height": 720})
                screen.wait_for_timeout(500)
                snap(screen, "screen_qna_top5_1280x720")
                screen.set_viewport_size({"width": 1920, "height": 1080})
                anna.wait_for_timeout(1200)
                snap(anna, "phone_360_qna", full=True)
                snap(cem, "phone_320_qna", full=True)
                mod.send("question.live", question="q2")
                screen.wait_for_selector("#stage .qna-live")
                screen.wait_for_timeout(800)
                snap(screen, "screen_qna_live_1920x1080")
                screen.set_viewport_size({"width": 1280, "height": 720})
                screen.wait_for_timeout(500)
                snap(screen, "screen_qna_live_1280x720")
                screen.set_viewport_size({"width": 1920, "height": 1080})

                mod.send("speakers.settings", seconds=120, alternate="organisation")
                cem.get_by_role("button", name="Zu Wort melden").click()
                anna.get_by_role("button", name="Zu Wort melden").click()
                for sock in sockets[:3]:
                    sock.send("speakers.request", subject="Fachkräfte und Qualifizierung")
                mod.send("speakers.add", name="Bürgermeister Heinrich Ohnefon",
                         organisation_type="public")  # fmt: skip
                mod.send("speakers.next")
                cem.wait_for_selector(".my-turn .countdown")
                screen.wait_for_selector("#stage[data-mode=speakers] .speaker-name")
                screen.wait_for_timeout(1200)
                snap(screen, "screen_speakers_1920x1080")
                screen.set_viewport_size({"width": 1280, "height": 720})
                screen.wait_for_timeout(500)
                snap(screen, "screen_speakers_1280x720")
                snap(cem, "phone_320_speaking", full=True)
                anna.wait_for_timeout(1200)
                snap(anna, "phone_360_speakers_waiting", full=True)
                sockets[3].send("speakers.request", direct=True)
                console = context_page(1440, 900, event["links"]["moderator"])
                console.wait_for_selector("#console-speakers .speaker-row")
                console.locator("#console-qna").scroll_into_view_if_needed()
                snap(console, "console_1440_qna_speakers")
            finally:
                for sock in sockets:
                    sock.close()
        browser.close()
    print("\n".join(problems) or "nothing overflows")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots/werkstatt"))
