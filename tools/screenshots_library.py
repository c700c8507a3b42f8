"""Screenshots of the Werkzeugkiste (template library) to look at.

    .venv/bin/python tools/screenshots_library.py [outdir]   (default: docs/screenshots)

Starts a real server (free port, temporary data), saves an event as an own
template from the console, then photographs the admin's library at 1440 wide
(with a preview open, and after a refused upload), the console's "save as
template" page, and the library at 360 wide. Uses Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from tests.e2e.liveserver import ADMIN_TOKEN, CHROMIUM, CHROMIUM_ARGS, LiveServer  # noqa: E402

CONSOLE = {"width": 1440, "height": 900}
PHONE = {"width": 360, "height": 740}


def page_for(browser: Browser, viewport: dict[str, int]) -> Page:
    context = browser.new_context(viewport=viewport, locale="de-DE", reduced_motion="reduce")  # type: ignore[arg-type]
    context.set_default_timeout(30_000)
    return context.new_page()


def run(outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []

    def shoot(page: Page, name: str, full: bool = False) -> None:
        path = outdir / f"library-{name}.png"
        page.screenshot(path=str(path), full_page=full)
        saved.append(path)

    with LiveServer() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        expect.set_options(timeout=30_000)
        status, event = server.request(
            "POST",
            "/api/events",
            {"template": "werkstatt-de", "title": "Werkstattgespräch Mobilität"},
            token=ADMIN_TOKEN,
        )
        assert status == 201, event
        console = page_for(browser, CONSOLE)
        console.goto(event["links"]["moderator"])
        console.goto(f"{server.url}/console/{event['code']}/vorlage")
        about = "Zwei Stunden, Impuls und offene Diskussion, bis 60 Leute."
        console.fill("#tpl-description", about)
        console.fill("#tpl-author", "Regionalbüro Nord")
        console.get_by_role("button", name="In der Bibliothek speichern").click()
        expect(console.locator(".notice")).to_be_visible()
        shoot(console, "console-save-1440")
        admin = page_for(browser, CONSOLE)
        admin.goto(f"{server.url}/admin/login?token={ADMIN_TOKEN}")
        admin.goto(f"{server.url}/admin/vorlagen")
        admin.locator(".library-item").last.locator(".library-preview summary").click()
        admin.locator(".library-item").last.locator(".library-delete summary").click()
        shoot(admin, "admin-1440", full=True)
        bad = REPO / "pyproject.toml"
        admin.fill("#name", "Mein Name")
        admin.set_input_files("#file", str(bad))
        admin.get_by_role("button", name="Importieren", exact=True).click()
        expect(admin.locator(".error")).to_be_visible()
        shoot(admin, "admin-1440-refused")
        admin.goto(f"{server.url}/admin")
        admin.locator("table.people").scroll_into_view_if_needed()
        shoot(admin, "admin-events-1440")
        phone = page_for(browser, PHONE)
        phone.goto(f"{server.url}/admin/login?token={ADMIN_TOKEN}")
        phone.goto(f"{server.url}/admin/vorlagen")
        phone.locator(".library-item").first.locator(".library-preview summary").click()
        shoot(phone, "admin-360")
        browser.close()
    return saved


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshots"
    for path in run(out):
        print(path)
