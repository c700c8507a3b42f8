"""The admin's overview of every event, and what the console says about personal data."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from litestar import Litestar
from litestar.testing import TestClient

from server.auth import moderator_cookie
from tests.server.conftest import ADMIN, create_event, join

Client = TestClient[Litestar]


def two_events(client: Client) -> tuple[dict[str, str], dict[str, str]]:
    ruhr = create_event(client, title="Revierdialog", date="2026-11-30", region="Emscher-Lippe")
    lausitz = create_event(client, title="Lausitzforum", date="2025-05-04", region="Lausitz",
                           format="werkstatt")  # fmt: skip
    join(client, ruhr["code"], "A")
    join(client, ruhr["code"], "B")
    return ruhr, lausitz


def test_admin_lists_filters_and_links_reports(client: Client) -> None:
    ruhr, lausitz = two_events(client)
    client.get("/admin/login", params={"token": ADMIN})
    page = client.get("/admin").text
    assert "Revierdialog" in page and "Lausitzforum" in page
    assert f"/console/{ruhr['code']}/report" in page
    only = client.get("/admin", params={"region": "Lausitz"}).text
    assert "Lausitzforum" in only and "Revierdialog" not in only
    by_year = client.get("/admin", params={"year": "2026"}).text
    assert "Revierdialog" in by_year and "Lausitzforum" not in by_year
    report = client.get(f"/console/{lausitz['code']}/report")
    assert report.status_code == 200 and "Lausitzforum" in report.text  # the admin may read it


def test_admin_overview_as_one_xlsx(client: Client) -> None:
    ruhr, _ = two_events(client)
    assert client.get("/admin/events.xlsx").status_code == 401
    client.get("/admin/login", params={"token": ADMIN})
    response = client.get("/admin/events.xlsx", params={"region": "Emscher-Lippe"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("Code", "Titel", "Datum", "Region", "Format", "Insgesamt beigetreten")
    assert len(rows) == 2
    day = rows[1][2]
    assert rows[1][0] == ruhr["code"] and rows[1][5] == 2
    assert isinstance(day, date) and day.year == 2026


def test_console_says_when_personal_data_goes(client: Client) -> None:
    made = create_event(client, date="2026-11-30", retention_days=30)
    client.cookies.set(moderator_cookie(made["code"]), made["moderator_token"])
    page = client.get(f"/console/{made['code']}").text
    assert "am 31. Dezember 2026 automatisch gelöscht" in page  # 30 days after the 30th
    assert "Personenbezogene Daten jetzt löschen" in page


def test_retention_outside_its_range_is_refused(client: Client) -> None:
    response = client.post(
        "/api/events",
        json={"title": "X", "retention_days": 0},
        headers={"Authorization": f"Bearer {ADMIN}"},
    )
    assert response.status_code == 422 and response.json()["field"] == "retention_days"
