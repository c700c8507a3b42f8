"""Screenshots of the agenda on every surface, phase by phase, to look at.

    .venv/bin/python tools/screenshots_agenda.py [outdir]   (default: docs/screenshots)

Starts a real server (free port, temporary data), creates a Zukunftswerkstatt
from its built-in template, joins two phones (360 and 320 wide), and steps
through the phases with PageDown on the console (1440 wide), photographing
the phones (what is visible without scrolling), the screen at 1920x1080 and
1280x720, the console's agenda panel and the whole console (its panels fold
by phase; the side column's screen preview). The welcome phase gets a slide
picture uploaded through the console first; the closing phase's poll opens
by itself. Uses Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from tests.e2e.liveserver import ADMIN_TOKEN, CHROMIUM, CHROMIUM_ARGS, LiveServer  # noqa: E402

PHONE = {"width": 360, "height": 740}
SMALL_PHONE = {"width": 320, "height": 640}
CONSOLE = {"width": 1440, "height": 900}
SCREEN = {"width": 1920, "height": 1080}
SMALL_SCREEN = {"width": 1280, "height": 720}

PHASES = ["Begrüßung", "Kritikphase", "Fantasiephase", "Verwirklichungsphase", "Abschluss"]


def slide_picture() -> bytes:
    """A chart as a facilitator would put on a welcome slide: bars on a light ground."""
    image = Image.new("RGB", (1600, 900), (244, 246, 250))
    draw = ImageDraw.Draw(image)
    for n, (height, colour) in enumerate(
        ((520, (30, 90, 160)), (380, (60, 140, 200)), (610, (240, 170, 40)), (290, (150, 60, 110)))
    ):
        left = 220 + n * 320
        draw.rectangle((left, 800 - height, left + 200, 800), fill=colour)
    draw.line((160, 800, 1480, 800), fill=(40, 40, 40), width=6)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def page_for(browser: Browser, viewport: dict[str, int]) -> Page:
    context = browser.new_context(viewport=viewport, locale="de-DE", reduced_motion="reduce")  # type: ignore[arg-type]
    context.set_default_timeout(30_000)
    return context.new_page()


def run(outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []

    def shoot(page: Page, name: str) -> None:
        path = outdir / f"agenda-{name}.png"
        page.wait_for_timeout(300)  # let the countdown and the layout settle after a swap
        page.screenshot(path=str(path))
        saved.append(path)

    with LiveServer() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        expect.set_options(timeout=30_000)
        status, event = server.request(
            "POST",
            "/api/events",
            {"template": "zukunftswerkstatt-de", "title": "Zukunftswerkstatt Innenstadt 2030"},
            token=ADMIN_TOKEN,
        )
        assert status == 201, event
        code = event["code"]
        console = page_for(browser, CONSOLE)
        console.goto(event["links"]["moderator"])
        screens = {"1920": page_for(browser, SCREEN), "1280": page_for(browser, SMALL_SCREEN)}
        for screen in screens.values():
            screen.goto(event["links"]["screen"])
        phones = {}
        for width, viewport, who in (("360", PHONE, "Anna Schmidt"), ("320", SMALL_PHONE, "Kemal")):
            page = page_for(browser, viewport)
            server.join_in(page.context, code, who, "public")
            page.goto(f"{server.url}/p/{code}")
            phones[width] = page
        mod = server.live(code, event["moderator_token"])
        expect(console.locator("#console-agenda tbody tr")).to_have_count(5)
        shoot(console, "console-1440-planned")
        # A picture for the welcome slide, through the console's upload.
        console.locator("#phase-row-a1 .agenda-edit summary").click()
        with console.expect_file_chooser() as chooser:
            console.locator('[data-slide-upload="a1"]').click()
        chooser.value.set_files(
            {"name": "zahlen.png", "mimeType": "image/png", "buffer": slide_picture()}
        )
        expect(console.locator("#phase-row-a1 img.agenda-thumb")).to_have_count(1)
        console.locator("#phase-row-a1 .agenda-edit summary").click()
        shoot(console, "console-1440-image")
        console.locator("#phase-row-a1 .agenda-edit summary").click()
        console.locator("#phase-row-a3 .agenda-edit summary").click()
        shoot(console, "console-1440-edit")
        console.locator("#phase-row-a3 .agenda-edit summary").click()
        for n, title in enumerate(PHASES, start=1):
            if title == "Verwirklichungsphase":
                mod.send("action.create", title="Abendbus beim Landkreis beantragen", owner="Kemal")
            console.keyboard.press("PageDown")
            for page in phones.values():
                expect(page.locator("#phone-agenda .agenda-phase-title")).to_have_text(title)
            if title == "Kritikphase":
                for width, text in (
                    ("360", "Zu viel Bürokratie im Rathaus"),
                    ("320", "Kein Bus nach 20 Uhr"),
                    ("320", "Leerstand in der Fußgängerzone"),
                ):
                    field = phones[width].locator("#idea-text-b1")
                    field.fill(text)
                    field.locator("xpath=ancestor::form").get_by_role(
                        "button", name="Karte abschicken"
                    ).click()
                    expect(phones[width].locator("#phone-ideas-me")).to_contain_text(text)
                mod.send("cluster.create", board="b1", name="Busverkehr am Abend", ideas=["i2"])
                mod.send("cluster.create", board="b1", name="Verwaltung", ideas=["i1"])
                mod.send("cluster.create", board="b1", name="Leere Läden", ideas=["i3"])
                console.locator("#phase-row-a3 .agenda-carry button").click()
                prompts = console.locator("#phase-row-a3 .agenda-prompts input[name=text]")
                expect(prompts).to_have_count(3)
                console.locator("#agenda-panel").scroll_into_view_if_needed()
                shoot(console, "console-1440-running")
            console.evaluate("window.scrollTo(0, 0)")
            path = outdir / f"agenda-console-1440-full-{n}.png"
            console.wait_for_timeout(600)  # the preview's frame catches up too
            console.screenshot(path=str(path), full_page=True)
            saved.append(path)
            for width, page in phones.items():
                page.evaluate("window.scrollTo(0, 0)")
                shoot(page, f"phone-{width}-{n}")
            for size, screen in screens.items():
                shoot(screen, f"screen-{size}-{n}")
        shoot(console, "console-1440-last")
        mod.close()
        browser.close()
    return saved


def main(argv: list[str]) -> int:
    outdir = Path(argv[1]) if len(argv) > 1 else REPO / "docs" / "screenshots"
    for path in run(outdir):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
