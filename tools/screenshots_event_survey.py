"""Screenshots of a survey attached to an event: the console's panel and the phone's card.

    .venv/bin/python tools/screenshots_event_survey.py [outdir]   (default: docs/screenshots)

Starts a real server, creates an event, makes a feedback survey from the
console's form (the moderator's own rights), answers it 12 times through the
API, and photographs the console at 1440 wide and a phone at 360 and 320.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from loadtests.survey_bench import plausible_answers  # noqa: E402
from rooms.surveys.templates import template  # noqa: E402
from tests.e2e.liveserver import ADMIN_TOKEN, CHROMIUM, CHROMIUM_ARGS, LiveServer  # noqa: E402


def main() -> None:
    outdir = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshots"
    outdir.mkdir(parents=True, exist_ok=True)
    survey = template("feedback")
    assert survey is not None
    rng = random.Random(5)  # noqa: S311 - plausible answers, not secrets
    with LiveServer() as server, sync_playwright() as pw:
        expect.set_options(timeout=15_000)
        event = server.create_event()
        code = event["code"]
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        console = browser.new_context(
            viewport={"width": 1440, "height": 900}, locale="de-DE"
        ).new_page()
        console.goto(event["links"]["moderator"])
        expect(console).to_have_url(re.compile(rf"/console/{code}"))
        panel = console.locator("#surveys-panel")
        panel.scroll_into_view_if_needed()
        panel.screenshot(path=str(outdir / "event-survey-console-empty.png"))
        panel.get_by_label("Neuer Fragebogen").select_option("feedback")
        panel.get_by_label("Geöffnet bis").fill("2099-12-31")
        panel.get_by_role("button", name="Fragebogen anlegen").click()
        expect(console.locator("#surveys-panel h3")).to_have_count(1)
        link = console.locator("#surveys-panel a[href$='/ergebnisse']").get_attribute("href")
        assert link is not None
        survey_code = link.split("/")[2]
        for i in range(12):
            status, body = server.request(
                "POST",
                f"/api/surveys/{survey_code}/responses",
                {"answers": plausible_answers(survey, rng), "respondent": str(i)},
            )
            assert status == 201, body
        console.reload()
        panel = console.locator("#surveys-panel")
        panel.get_by_text("Link für Teilnehmende und QR-Code").click()
        panel.scroll_into_view_if_needed()
        panel.screenshot(path=str(outdir / "event-survey-console.png"))
        console.screenshot(path=str(outdir / "event-survey-console-1440.png"), full_page=True)
        for width, height in ((360, 740), (320, 640)):
            phone = browser.new_context(
                viewport={"width": width, "height": height}, locale="de-DE"
            ).new_page()
            phone.goto(event["links"]["join"])
            phone.get_by_label("Ihr Name (freiwillig)").fill("Claudia Neumann")
            phone.get_by_role("button", name="Teilnehmen").click()
            expect(phone).to_have_url(re.compile(rf"/p/{code}$"))
            card = phone.locator(".event-survey-card")
            expect(card).to_contain_text("Feedback geben")
            phone.screenshot(path=str(outdir / f"event-survey-phone-{width}.png"), full_page=True)
        # the directory of an inventory, with the events per region beside it
        for region, people in (
            ("Lausitz", 3),
            ("Lausitz", 5),
            ("Ruhrgebiet", 4),
            ("Rheinisches Revier", 0),
        ):
            made = server.create_event(f"Werkstatt {region}", region=region)
            for n in range(people):
                server.join(made["code"], f"Person {n}", None)
        status, inventory = server.request(
            "POST", "/api/surveys", {"template": "bestandsaufnahme"}, token=ADMIN_TOKEN
        )
        assert status == 201, inventory
        console.goto(
            f"{server.url}/u/{inventory['code']}/ergebnisse?key={inventory['moderator_token']}"
        )
        console.goto(f"{server.url}/u/{inventory['code']}/initiativen")
        console.screenshot(path=str(outdir / "event-survey-directory-regions.png"), full_page=True)
        for name in (
            "console-empty",
            "console",
            "console-1440",
            "phone-360",
            "phone-320",
            "directory-regions",
        ):
            print(outdir / f"event-survey-{name}.png")


if __name__ == "__main__":
    main()
