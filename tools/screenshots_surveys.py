"""Screenshots of a survey: the respondent's form on phones, the organiser's results.

    .venv/bin/python tools/screenshots_surveys.py [outdir]   (default: docs/screenshots)

Starts a real server, creates the inventory survey from its template, fills it
with 60 plausible responses through the API, and photographs: the intro and a
section at 360×740, the members section and an error at 320 wide, and the
results at 1440 wide, plain and broken down by region, and the directory.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from loadtests.survey_bench import plausible_answers  # noqa: E402
from rooms.surveys.templates import template  # noqa: E402
from tests.e2e.liveserver import ADMIN_TOKEN, CHROMIUM, CHROMIUM_ARGS, CONSOLE, LiveServer  # noqa: E402


def main() -> None:
    outdir = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshots"
    outdir.mkdir(parents=True, exist_ok=True)
    survey = template("bestandsaufnahme")
    assert survey is not None
    rng = random.Random(3)  # noqa: S311 - plausible answers, not secrets
    with LiveServer() as server, sync_playwright() as pw:
        status, created = server.request(
            "POST",
            "/api/surveys",
            {"template": "bestandsaufnahme", "starts": "2026-11-01", "ends": "2027-01-31"},
            token=ADMIN_TOKEN,
        )
        assert status == 201, created
        code, key = created["code"], created["moderator_token"]
        for i in range(60):
            answers = plausible_answers(survey, rng)
            status, body = server.request(
                "POST", f"/api/surveys/{code}/responses", {"answers": answers, "respondent": str(i)}
            )
            assert status == 201, body
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def page(width: int, height: int) -> Page:
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale="de-DE"
            )
            return context.new_page()

        def shoot(p: Page, name: str, full: bool = False) -> None:
            p.screenshot(path=str(outdir / f"{name}.png"), full_page=full)
            print(outdir / f"{name}.png")

        phone = page(360, 740)
        phone.goto(f"{server.url}/u/{code}")
        shoot(phone, "survey-phone-intro")
        phone.get_by_role("link", name="Umfrage starten").click()
        phone.get_by_label("Name der Initiative").fill("Industriebündnis Ruhr")
        phone.get_by_label("In welchem Land ist sie tätig?").select_option("NW")
        phone.get_by_label("Gründungsjahr").fill("2015")
        phone.get_by_role("radio", name="Kammer / Verband").check()
        shoot(phone, "survey-phone-section-1")
        phone.get_by_role("button", name="Weiter").click()
        phone.get_by_role("checkbox", name="Unternehmen").check()
        shoot(phone, "survey-phone-section-2", full=True)
        narrow = page(320, 640)
        narrow.goto(f"{server.url}/u/{code}/1")
        narrow.get_by_label("Name der Initiative").fill("Bündnis für Industrie Lausitz")
        narrow.get_by_label("In welchem Land ist sie tätig?").select_option("BB")
        narrow.get_by_label("Gründungsjahr").fill("1800")
        narrow.get_by_role("radio", name="Unternehmen").check()
        narrow.get_by_role("button", name="Weiter").click()
        shoot(narrow, "survey-320-error", full=True)
        narrow.goto(f"{server.url}/u/{code}/4")
        shoot(narrow, "survey-320-section-4", full=True)
        narrow.goto(f"{server.url}/u/{code}/5")
        shoot(narrow, "survey-320-section-5", full=True)
        wide = page(CONSOLE["width"], CONSOLE["height"])
        wide.goto(f"{server.url}/u/{code}/ergebnisse?key={key}")
        shoot(wide, "survey-results")
        wide.locator("#r-member_types").scroll_into_view_if_needed()
        shoot(wide, "survey-results-members")
        wide.goto(f"{server.url}/u/{code}/ergebnisse?by=region")
        wide.evaluate("document.getElementById('r-respondent_type').scrollIntoView()")
        shoot(wide, "survey-results-by-region")
        chart = page(700, 300)
        chart.context.add_cookies(wide.context.cookies())
        chart.goto(f"{server.url}/u/{code}/ergebnisse/topics.svg")
        shoot(chart, "survey-chart-topics")
        wide.goto(f"{server.url}/u/{code}/initiativen")
        for n in range(3):  # each click reloads the page
            wide.get_by_role("button", name="Veröffentlichen").first.click()
            wide.get_by_text("Veröffentlicht", exact=True).nth(n).wait_for()
        wide.goto(f"{server.url}/u/{code}/initiativen")
        shoot(wide, "survey-directory")
        browser.close()


if __name__ == "__main__":
    main()
