"""Screenshots of the cover logo's upload in the console's report panel, to look at.

    .venv/bin/python tools/report_logo_shots.py [outdir]   (default: docs/screenshots)

Starts a real server (free port, temporary data), creates an event, opens the
console at 1440 px wide, photographs the report panel without a logo,
uploads one (the sample of tools/report_pages.py) and photographs the panel
with it, then uploads an SVG and photographs the refusal. Uses Debian's
/usr/bin/chromium.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.e2e.liveserver import ADMIN_TOKEN, CHROMIUM, CHROMIUM_ARGS, LiveServer  # noqa: E402
from tools.report_pages import sample_logo  # noqa: E402

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def main() -> None:
    outdir = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "docs" / "screenshots")
    outdir.mkdir(parents=True, exist_ok=True)
    with LiveServer() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        expect.set_options(timeout=30_000)
        status, event = server.request(
            "POST", "/api/events", {"title": "Zukunft der Industrie im Revier"}, token=ADMIN_TOKEN
        )
        assert status == 201, event
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(event["links"]["moderator"])
        panel = page.locator("#report-panel")
        panel.scroll_into_view_if_needed()
        panel.screenshot(path=str(outdir / "report-logo-panel-1440.png"))
        page.set_input_files(
            "#report-logo", {"name": "logo.png", "mimeType": "image/png", "buffer": sample_logo()}
        )
        page.locator(".logo-form button[type=submit]").click()
        expect(page.get_by_text("Auf dem Deckblatt steht ein Logo.")).to_be_visible()
        panel.scroll_into_view_if_needed()
        panel.screenshot(path=str(outdir / "report-logo-panel-uploaded-1440.png"))
        page.set_input_files(
            "#report-logo", {"name": "logo.svg", "mimeType": "image/svg+xml", "buffer": SVG}
        )
        page.locator(".logo-form button[type=submit]").click()
        expect(page.locator("h1")).to_have_text("Logo nicht gespeichert")
        page.screenshot(path=str(outdir / "report-logo-refused-1440.png"))
        browser.close()
    print(f"wrote {outdir}/report-logo-*.png")


if __name__ == "__main__":
    main()
