"""The event's documentation: the report page and every file, checked against the state.

The event is built through the API (tests/server/report_event.py) with every
activity; each file is downloaded as the console's buttons and the API do,
and its numbers are compared with the moderator's state from the API.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess
from typing import Any

import msgspec
import openpyxl
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from openpyxl.cell.cell import Cell

from rooms.room import Envelope, replay
from server.auth import moderator_cookie
from server.report.writers import pdf_problem
from tests.server.report_event import HIDDEN_QUESTION, PHASES, PROMPT, TURNS, Built, build_event

Client = TestClient[Litestar]


@pytest.fixture
def built(client: Client) -> Built:
    return build_event(client)


def login(client: Client, built: Built) -> None:
    """This client becomes the event's moderator (the console's cookie)."""
    client.cookies.set(moderator_cookie(built.code), built.token)


def bearer(built: Built) -> dict[str, str]:
    return {"Authorization": f"Bearer {built.token}"}


def state_of(client: Client, built: Built) -> dict[str, Any]:
    response = client.get(f"/api/events/{built.code}/state", headers=bearer(built))
    assert response.status_code == 200
    state: dict[str, Any] = response.json()["state"]
    return state


def poll(state: dict[str, Any], pid: str) -> dict[str, Any]:
    return next(p for p in state["polls"] if p["id"] == pid)


def csv_rows(body: bytes, separator: str = ";") -> list[list[str]]:
    assert body.startswith("\ufeff".encode()), "a BOM, so spreadsheet apps read UTF-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=separator))


def test_report_page_has_every_section_and_inline_charts(client: Client, built: Built) -> None:
    login(client, built)
    page = client.get(f"/console/{built.code}/report")
    assert page.status_code == 200, page.text
    for needle in ("Zukunft der Industrie im Revier", "Stadthalle Gelsenkirchen",
                   "Regionalbüro Industrie &amp; IG Metall", "Wo zuerst investieren?",
                   "Was hemmt Innovation?", "Fachkräfte sichern", "Ausbildung im Verbund stärken",
                   "Azubi-Bus", "Dokumentation der Veranstaltung"):  # fmt: skip
        assert needle in page.text, needle
    assert page.text.count("<svg") >= 7  # participation, five polls, the dot ranking
    assert "<script src" in page.text and "report.js" in page.text  # only the download helper


def test_unticked_sections_are_left_out(client: Client, built: Built) -> None:
    login(client, built)
    page = client.get(f"/console/{built.code}/report?section=polls").text
    assert "Wo zuerst investieren?" in page
    assert "Ausbildung im Verbund stärken" not in page and "Azubi-Bus" not in page


def test_the_report_needs_the_moderator(client: Client, built: Built) -> None:
    assert client.get(f"/console/{built.code}/report").status_code == 403
    assert client.get(f"/console/{built.code}/report.xlsx").status_code == 403
    assert client.get(f"/api/events/{built.code}/report.md").status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert client.get(f"/api/events/{built.code}/csv/polls.csv", headers=wrong).status_code == 403


def test_polls_csv_numbers_equal_the_state(client: Client, built: Built) -> None:
    state = state_of(client, built)
    response = client.get(f"/api/events/{built.code}/csv/polls.csv", headers=bearer(built))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = csv_rows(response.content)
    header, body = rows[0], rows[1:]
    assert len(header) == 12 and header[0] == "Umfrage"
    single = poll(state, built.polls["single"])
    labels = {o["id"]: o["label"] for o in single["options"]}
    got = {r[4]: int(r[5]) for r in body if r[1] == single["question"]}
    assert got == {labels[o]: n for o, n in single["results"]["counts"].items()}
    scale = poll(state, built.polls["scale"])
    mean_cells = {r[9] for r in body if r[1] == scale["question"]}
    assert mean_cells == {str(scale["results"]["mean"]).replace(".", ",")}  # German decimals
    points = poll(state, built.polls["points"])
    totals = {r[4]: int(r[5]) for r in body if r[1] == points["question"]}
    p_labels = {o["id"]: o["label"] for o in points["options"]}
    assert totals == {p_labels[o]: n for o, n in points["results"]["totals"].items()}


def test_english_csv_uses_commas(client: Client) -> None:
    built = build_event(client, language="en")
    response = client.get(f"/api/events/{built.code}/csv/actions.csv", headers=bearer(built))
    rows = csv_rows(response.content, ",")
    assert rows[0][:3] == ["No.", "Action", "What"]
    assert rows[1][1] == "Azubi-Bus" and rows[1][4] == "2027-03-31" and rows[1][6] == "2"


def test_cafe_csv_has_local_times_with_their_offset(client: Client, built: Built) -> None:
    response = client.get(f"/api/events/{built.code}/csv/cafe.csv", headers=bearer(built))
    rows = csv_rows(response.content)
    noted = [r for r in rows[1:] if r[5]]
    assert {r[5] for r in noted} == {"Ausbildung im Verbund stärken", "Flächen für Solarparks"}
    started = noted[0][4]
    assert started[-6:] in ("+01:00", "+02:00"), started  # Europe/Berlin, with its offset
    assert {r[2] for r in rows[1:] if r[0] == "1"} == {"Ottokar Lindwurmer"}  # the host


def test_unknown_activity_is_404(client: Client, built: Built) -> None:
    for name in ("timetable.csv", "polls.txt"):
        response = client.get(f"/api/events/{built.code}/csv/{name}", headers=bearer(built))
        assert response.status_code == 404


def text(value: object) -> str:
    """A cell's value that must be text (openpyxl types a cell as any of ten kinds)."""
    assert isinstance(value, str), value
    return value


def test_xlsx_has_a_typed_sheet_per_activity(client: Client, built: Built) -> None:
    state = state_of(client, built)
    response = client.get(f"/api/events/{built.code}/report.xlsx", headers=bearer(built))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Teilnahme", "Ablauf", "Umfragen", "Freitext-Antworten", "Ideenkarten",
        "Punkte-Rangfolge", "World Café", "Fragen (Q&A)", "Redeliste", "Redezeit nach Art",
        "Maßnahmen", "Von der Kritik zur Maßnahme",
    ]  # fmt: skip
    polls = book["Umfragen"]
    assert polls.freeze_panes == "A2"
    rows = list(polls.iter_rows(min_row=2, values_only=True))
    ranking = poll(state, built.polls["ranking"])
    scores = {r[4]: r[5] for r in rows if r[1] == ranking["question"]}
    r_labels = {o["id"]: o["label"] for o in ranking["options"]}
    assert scores == {r_labels[o]: n for o, n in ranking["results"]["scores"].items()}
    assert all(isinstance(v, int) for v in scores.values())
    share_cell = polls.cell(2, 7)
    assert isinstance(share_cell.value, float) and share_cell.number_format == "0.0%"
    actions = book["Maßnahmen"]
    due = actions.cell(2, 5)
    assert isinstance(due, Cell)  # not a MergedCell: the sheet merges nothing
    assert due.is_date and due.number_format == "DD.MM.YYYY"
    sheet = book["Freitext-Antworten"]
    answers = [text(r[3]) for r in sheet.iter_rows(min_row=2, values_only=True)]
    given = poll(state, built.polls["text"])["results"]["answers"]
    assert sorted(answers) == sorted(a["text"] for a in given)


def test_markdown_summary(client: Client, built: Built) -> None:
    response = client.get(f"/api/events/{built.code}/report.md", headers=bearer(built))
    assert response.status_code == 200
    text = response.text
    assert text.startswith("# Zukunft der Industrie im Revier\n")
    assert "## Umfragen" in text and "- Schiene: 2 (50 %)" in text
    assert "**Verwaltung** (3 Punkte)" in text
    assert "&amp;" not in text  # Markdown, not HTML


def test_json_is_an_importable_event_file(client: Client, built: Built) -> None:
    response = client.get(f"/api/events/{built.code}/report.json", headers=bearer(built))
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["format"] == "dialograum-event" and document["version"] == 1
    assert document["code"] == built.code
    entries = [msgspec.convert(e, Envelope) for e in document["entries"]]
    state = replay(entries)
    live = state_of(client, built)
    single = state.polls.by_id[built.polls["single"]]
    assert len(single.ballots) == poll(live, built.polls["single"])["results"]["voters"]
    assert state.lobby.joined == live["participants"]["joined"]


@pytest.mark.skipif(pdf_problem() is not None, reason="WeasyPrint's libraries are missing")
def test_pdf_is_a_pdf_with_pages(client: Client, built: Built) -> None:
    response = client.get(f"/api/events/{built.code}/report.pdf", headers=bearer(built))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert f"{built.code}-Dokumentation.pdf" in response.headers["content-disposition"]
    if shutil.which("pdftotext") is None:
        return
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    for needle in ("Zukunft der Industrie im Revier", "Wo zuerst investieren?", "Azubi-Bus",
                   "Ablauf, wie er lief", "Fantasiephase", "Antragslotse"):  # fmt: skip
        assert needle in text


def section(page: str, key: str) -> str:
    start = page.index(f'<section class="section" id="{key}"')
    return page[start : page.index("</section>", start)]


def test_qna_and_speakers_in_page_markdown_and_ticks(client: Client, built: Built) -> None:
    """Questions with votes and status, anonymous ones without a name; who spoke, how long."""
    login(client, built)
    page = client.get(f"/console/{built.code}/report").text
    qna, speakers = (section(page, key) for key in ("qna", "speakers"))
    assert "Fragen an Dr. Erika Musterfrau" in qna
    assert "4 Fragen gestellt · 1 beantwortet · 1 noch offen" in qna
    assert HIDDEN_QUESTION not in page  # hidden by the moderators: never part of the result
    assert "Wer zahlt die Leitungen?" not in page  # merged into q1
    first = qna[qna.index("Wer bezahlt die neuen Leitungen?") :]
    assert first.index("anonym") < first.index('<td class="n">3</td>') < first.index("Beantwortet")
    second = qna[qna.index("Wann kommt der Anschluss ans Kernnetz?") :]
    assert "Ottokar Lindwurmer" in second[:200] and "Offen" in second
    assert "Zorabel" not in qna and "Xaverius" not in qna
    for (name, seconds), row in zip(TURNS, speakers.split("<tr>")[-3:], strict=True):
        assert name in row and f"{seconds // 60}:{seconds % 60:02d}" in row, row
    assert "Redezeit nach Organisationsart" in speakers and "<svg" in speakers
    only = client.get(f"/console/{built.code}/report?section=speakers").text
    assert 'id="speakers"' in only and 'id="qna"' not in only
    assert 'value="qna" checked' not in only and 'value="speakers" checked' in only

    md = client.get(f"/api/events/{built.code}/report.md", headers=bearer(built)).text
    assert "## Fragen aus dem Publikum (Q&A)" in md and "## Redeliste" in md
    assert "1. Wer bezahlt die neuen Leitungen? (3 Stimmen, Beantwortet)" in md
    assert "3 Wortbeiträge von 3 Personen, zusammen 4:05 Min. Redezeit." in md
    assert "- Öffentliche Verwaltung: 2:30 Min. (" in md
    assert HIDDEN_QUESTION not in md and "Wilhelmina" not in md  # the summary names nobody


def test_qna_and_speaker_numbers_in_csv_and_xlsx_equal_the_state(
    client: Client, built: Built
) -> None:
    state = state_of(client, built)
    session = state["qna"][0]
    shown = {q["text"]: q for q in session["questions"] if q["status"] in ("visible", "answered")}
    response = client.get(f"/api/events/{built.code}/csv/questions.csv", headers=bearer(built))
    rows = csv_rows(response.content)
    assert rows[0] == [
        "Fragerunde", "Titel", "Gerichtet an", "Platz", "Frage", "Stimmen", "Status",
        "Gefragt von", "Markiert", "Zusammengeführte Duplikate",
    ]  # fmt: skip
    got = {r[4]: (int(r[5]), r[6], r[7]) for r in rows[1:]}
    assert {t: v for t, (v, _, _) in got.items()} == {t: q["votes"] for t, q in shown.items()}
    assert got["Wer bezahlt die neuen Leitungen?"] == (3, "Beantwortet", "")  # anonymous
    assert got["Wann kommt der Anschluss ans Kernnetz?"] == (1, "Offen", "Ottokar Lindwurmer")
    assert rows[1][9] == "1"  # one duplicate merged into the first

    stats = state["speakers"]["stats"]
    response = client.get(f"/api/events/{built.code}/csv/speaking_time.csv", headers=bearer(built))
    by_type = {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in csv_rows(response.content)[1:]}
    assert sorted(by_type.values()) == sorted(
        (s["people"], s["turns"], s["seconds"]) for s in stats.values()
    )
    assert by_type["Kammer / Verband"] == (1, 1, 95)

    xlsx = client.get(f"/api/events/{built.code}/report.xlsx", headers=bearer(built))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    turns = list(book["Redeliste"].iter_rows(min_row=2, values_only=True))
    assert [(t[1], t[5]) for t in turns] == TURNS
    assert turns[2][2] == "Öffentliche Verwaltung"  # added by the moderator with a type
    assert all(isinstance(t[5], int) for t in turns)


def test_agenda_as_it_ran_and_the_chain_in_every_format(client: Client, built: Built) -> None:
    """Planned minutes against the real start and end (local times), over/under plan, what
    each phase showed; the critique cluster carried into a prompt and the action made from it."""
    login(client, built)
    page = client.get(f"/console/{built.code}/report").text
    agenda = section(page, "agenda")
    rows = agenda.split("<tr>")[-3:]
    for (title, minutes, ran), row in zip(PHASES, rows, strict=True):
        assert title in row and f'<td class="n">{minutes}</td>' in row, row
        if ran is not None:
            assert f'<td class="n">{ran}</td>' in row, row
    assert '<td class="n">+5</td>' in rows[0] and '<td class="n">−3</td>' in rows[1]
    assert "Ideenwand: Was hemmt Innovation?" in rows[0]
    assert "Umfrage: Wo zuerst investieren?" in rows[0]
    assert "läuft noch" in rows[2] and "Maßnahmen<br>Redeliste" in rows[2]
    chain = section(page, "chain")
    assert chain.index("Verwaltung") < chain.index(PROMPT) < chain.index("Antragslotse")
    assert chain.index(PROMPT) < chain.index("Fantasiephase")
    only = client.get(f"/console/{built.code}/report?section=agenda").text
    assert 'id="agenda"' in only and 'id="chain"' not in only

    md = client.get(f"/api/events/{built.code}/report.md", headers=bearer(built)).text
    assert "## Ablauf, wie er lief" in md and "## Von der Kritik zur Maßnahme" in md
    assert "1. **Kritikphase**: 20 Min. geplant, " in md and "25 Min. (+5)" in md
    assert f"- Verwaltung → {PROMPT} → Antragslotse" in md

    state = state_of(client, built)
    phases = state["agenda"]["phases"]
    response = client.get(f"/api/events/{built.code}/csv/agenda.csv", headers=bearer(built))
    rows_csv = csv_rows(response.content)
    assert rows_csv[0][:4] == ["Nr.", "Phase", "Status", "Geplant (Min.)"]
    assert [r[1] for r in rows_csv[1:]] == [t for t, _, _ in PHASES]
    assert rows_csv[1][7] == "25" and rows_csv[1][8] == "5" and rows_csv[2][8] == "-3"
    xlsx = client.get(f"/api/events/{built.code}/report.xlsx", headers=bearer(built))
    sheet = list(openpyxl.load_workbook(io.BytesIO(xlsx.content))["Ablauf"].iter_rows(
        min_row=2, values_only=True))  # fmt: skip
    first, start, end = phases[0], sheet[0][5], sheet[0][6]
    assert isinstance(start, dt.datetime) and isinstance(end, dt.datetime)
    assert (end - start).total_seconds() == (first["ended_at"] - first["started_at"]) / 1000
    assert sheet[0][7] == 25
    assert sheet[2][6] is None and sheet[2][7] is None  # still running: no end, no length
