"""Sample pages of the report, for a look with a funder's eyes.

    .venv/bin/python tools/report_pages.py [outdir]   (default: screenshots/report)

Builds the test event with every activity (tests/server/report_event.py) in
an app on a temporary database, downloads its PDF and renders every page to
PNG with pdftoppm (poppler-utils); photographs the report page in Debian's
Chromium at 1440 px wide (the console's width) and 360 px (a phone). Never
downloads a browser.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from litestar.testing import TestClient  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from server.app import create_app  # noqa: E402
from server.auth import moderator_cookie  # noqa: E402
from server.report import logo  # noqa: E402
from server.settings import Settings  # noqa: E402
from tests.e2e.liveserver import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.server.conftest import ADMIN  # noqa: E402
from tests.server.report_event import build_event  # noqa: E402


def sample_logo() -> bytes:
    """A made-up organisation's logo: a wide PNG with a coloured mark and a name."""
    import io

    from PIL import Image, ImageDraw

    picture = Image.new("RGBA", (600, 160), (255, 255, 255, 0))
    draw = ImageDraw.Draw(picture)
    draw.ellipse((10, 10, 150, 150), fill=(0, 102, 153, 255))
    draw.text((180, 60), "Region Emscher-Lippe", fill=(30, 30, 30, 255), font_size=40)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", nargs="?", default="screenshots/report")
    args = parser.parse_args()
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            db=f"{tmp}/report.sqlite3",
            data_dir=tmp,
            admin_token=ADMIN,  # the tests' create_event uses it
            public_url="http://testserver.local",
            sample_event=False,
        )
        with TestClient(create_app(settings), base_url="http://testserver.local") as client:
            built = build_event(client)
            logo.store(Path(tmp), built.code, logo.clean(sample_logo()))  # as if uploaded
            client.cookies.set(moderator_cookie(built.code), built.token)
            pdf = client.get(f"/console/{built.code}/report.pdf?answers=1")
            pdf.raise_for_status()
            page = client.get(f"/console/{built.code}/report").text
    (out / "report.pdf").write_bytes(pdf.content)
    html = out / "report.html"
    html.write_text(page, encoding="utf-8")
    if shutil.which("pdftoppm"):
        subprocess.run(  # noqa: S603
            ["pdftoppm", "-r", "80", "-png", str(out / "report.pdf"), str(out / "pdf-page")],  # noqa: S607
            check=True,
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width, height, name in ((1440, 1000, "report-1440"), (360, 740, "report-360")):
            tab = browser.new_page(viewport={"width": width, "height": height})
            tab.goto(html.as_uri())
            tab.screenshot(path=str(out / f"{name}.png"), full_page=False)
            tab.close()
        browser.close()
    print(f"wrote {out}/report.pdf, pdf-page-*.png, report-1440.png, report-360.png")


if __name__ == "__main__":
    main()
