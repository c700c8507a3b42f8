"""Screenshots of every surface, for a look with a facilitator's eyes.

    .venv/bin/python tools/screenshots.py [outdir]      (default: screenshots/)

Starts a real server on a free port with a temporary data directory, creates an
event, lets a dozen people join through the API, and photographs the phone, the
console, the projector screen, the poster and the start page with Debian's
headless Chromium (/usr/bin/chromium; never downloads a browser).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from tests.e2e.liveserver import CHROMIUM, CHROMIUM_ARGS, PHONE, LiveServer  # noqa: E402

# 120 characters, the longest title an event may have.
LONG_TITLE = (
    "Transformation der Automobilzulieferindustrie in Südwestfalen: "
    "Wie sichern wir Beschäftigung und Wertschöpfung bis 2035?"
)
TRANSITIONS_DONE = """() => document.getAnimations()
    .every(a => !(a instanceof CSSTransition) || a.playState !== 'running')"""
PEOPLE = [
    ("Anna Schmidt", "business"),
    ("Kemal Yılmaz", "union"),
    ("Dr. Jörg Weiß", "public"),
    ("Sabine Müller-Lüdenscheidt", "chamber"),
    ("Dr. Friederike von Hohenstein-Grabowski", "research"),
    ("Lukas", "civil_society"),
    (None, "business"),
    ("Maria Papadopoulos", "business"),
    ("Henrik Voß", "union"),
    (None, None),
    ("Ayşe Demir", "other"),
    ("Stadtwerke Team", "public"),
]


def shoot(page: Page, outdir: Path, name: str, saved: list[Path], full_page: bool = False) -> None:
    # CSS transitions (the screen's join corner moves on blank) must end first.
    page.wait_for_function(TRANSITIONS_DONE)
    path = outdir / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    saved.append(path)


def new_page(browser: Browser, width: int, height: int, scale: float = 1, **options: Any) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": height},
        device_scale_factor=scale,
        locale="de-DE",
        reduced_motion="reduce",  # counts show their value, not a frame of the count-up
        **options,
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def run(outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with LiveServer() as server, sync_playwright() as pw:
        expect.set_options(timeout=15_000)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        event = server.create_event()
        code = event["code"]
        for name, organisation in PEOPLE:
            server.join(code, name, organisation)

        # Phone: the join form as it first appears, then filled in and sent.
        phone = new_page(browser, PHONE["width"], PHONE["height"], scale=2)
        phone.goto(event["links"]["join"])
        shoot(phone, outdir, "phone-join", saved)
        shoot(phone, outdir, "phone-join-full", saved, full_page=True)
        phone.get_by_label("Ihr Name (freiwillig)").fill("Claudia Neumann")
        phone.get_by_role("radio", name="Kammer / Verband").check()
        phone.get_by_role("button", name="Teilnehmen").click()
        expect(phone).to_have_url(re.compile(rf"/p/{code}$"))
        expect(phone.locator("#phone-status")).to_contain_text("13")
        shoot(phone, outdir, "phone-live", saved)
        phone.get_by_text("Namen ändern").click()
        shoot(phone, outdir, "phone-live-rename", saved, full_page=True)

        # Console, at a laptop size and at full HD.
        console = new_page(browser, 1440, 900)
        console.goto(event["links"]["moderator"])
        expect(console).to_have_url(re.compile(rf"/console/{code}$"))
        expect(console.locator("#people .counts .num").first).to_have_text("13")
        shoot(console, outdir, "console-1440x900", saved)
        shoot(console, outdir, "console-1440-full", saved, full_page=True)
        console.set_viewport_size({"width": 1920, "height": 1080})
        shoot(console, outdir, "console-1920x1080", saved)

        # Projector screen: welcome, then blanked from the console.
        screen = new_page(browser, 1920, 1080)
        screen.goto(event["links"]["screen"])
        stage = screen.locator("#stage")
        expect(stage).to_have_attribute("data-mode", "welcome")
        expect(stage.locator(".stage-count .num")).to_have_text("13")
        shoot(screen, outdir, "screen-welcome", saved)
        console.get_by_role("button", name=re.compile("^Leer")).click()
        expect(stage).to_have_attribute("data-mode", "blank")
        shoot(screen, outdir, "screen-blank", saved)
        console.keyboard.press("w")
        expect(stage).to_have_attribute("data-mode", "welcome")

        # The longest title an event may have, on the screen and on the phone.
        long_event = server.create_event(title=LONG_TITLE)
        screen.goto(long_event["links"]["screen"])
        expect(screen.locator("#stage")).to_have_attribute("data-mode", "welcome")
        shoot(screen, outdir, "screen-welcome-long-title", saved)
        long_phone = new_page(browser, PHONE["width"], PHONE["height"], scale=2)
        long_phone.goto(long_event["links"]["join"])
        shoot(long_phone, outdir, "phone-join-long-title", saved)

        # The A4 poster (96 dpi A4 is 794 x 1123 CSS pixels), with the moderator cookie.
        poster = console.context.new_page()
        poster.set_viewport_size({"width": 794, "height": 1123})
        poster.goto(f"{server.url}/console/{code}/poster")
        shoot(poster, outdir, "poster-a4", saved)
        shoot(poster, outdir, "poster-a4-full", saved, full_page=True)
        poster.emulate_media(media="print")
        shoot(poster, outdir, "poster-a4-print", saved, full_page=True)

        # The start page after a code nobody knows.
        start = new_page(browser, PHONE["width"], PHONE["height"], scale=2)
        start.goto(f"{server.url}/")
        start.get_by_label("Veranstaltungscode").fill("ZZZ-ZZZ")
        start.get_by_role("button", name="Weiter").click()
        expect(start.locator("#code-error")).to_be_visible()
        shoot(start, outdir, "start-error", saved)

        browser.close()
    return saved


def main(argv: list[str]) -> int:
    if not Path(CHROMIUM).is_file():
        print(f"screenshots: {CHROMIUM} not found (Debian package 'chromium')", file=sys.stderr)
        return 1
    outdir = Path(argv[1]) if len(argv) > 1 else REPO / "screenshots"
    for path in run(outdir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
