"""Anonymity in every file, and deletion that really deletes (state, files, database).

Files are grepped as bytes for names, ids and contacts; so are the SQLite
database file and its WAL after a deletion.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from server.auth import moderator_cookie, participant_cookie
from server.privacy_pages import _form_cid
from server.retention import DAY_MS, deletion_due_at, sweep
from server.settings import Settings
from tests.server.conftest import form_fields
from tests.server.report_event import (
    ANONYMOUS_ONLY,
    CONTACT,
    PEOPLE,
    TURNS,
    Built,
    build_event,
)

Client = TestClient[Litestar]
FILES = ("report.pdf", "report.xlsx", "report.json", "report.md")
TABLES = ("participation", "polls", "answers", "ideas", "dots", "cafe", "actions")


@pytest.fixture
def built(client: Client) -> Built:
    return build_event(client)


def bearer(built: Built) -> dict[str, str]:
    return {"Authorization": f"Bearer {built.token}"}


def readable(body: bytes) -> bytes:
    """What a grep should search: an XLSX is a zip of XML, so unpack it."""
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return b"\n".join(book.read(name) for name in book.namelist())
    return body


def every_file(client: Client, built: Built) -> dict[str, bytes]:
    """Every download of the event but the contacts file, as the API and the console serve them."""
    files = {}
    for name in FILES:
        response = client.get(f"/api/events/{built.code}/{name}?answers=1", headers=bearer(built))
        if response.status_code == 503 and name.endswith(".pdf"):
            continue  # no Pango here: the PDF test in test_report.py is skipped as well
        assert response.status_code == 200, (name, response.text)
        files[name] = readable(response.content)
    for table in TABLES:
        response = client.get(f"/api/events/{built.code}/csv/{table}.csv", headers=bearer(built))
        assert response.status_code == 200, table
        files[f"{table}.csv"] = response.content
    client.cookies.set(moderator_cookie(built.code), built.token)
    page = client.get(f"/console/{built.code}/report?answers=1")
    files["report.html"] = page.content
    return files


def pdf_text(body: bytes) -> bytes:
    """The PDF's text (its streams are compressed), through pdftotext when it is there."""
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        return body
    run = subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True, check=True)
    return run.stdout


def contains(files: dict[str, bytes], needle: str) -> list[str]:
    wanted = needle.encode()
    found = []
    for name, body in files.items():
        text = pdf_text(body) if name.endswith(".pdf") else body
        if wanted in text:
            found.append(name)
    return found


def test_no_file_names_anonymous_people_or_any_id_or_contact(client: Client, built: Built) -> None:
    files = every_file(client, built)
    assert len(files) >= 11
    for name in ANONYMOUS_ONLY:
        assert contains(files, name) == [], name
    for person in built.people.values():
        assert contains(files, person["participant_id"]) == []
    assert contains(files, CONTACT) == []
    assert contains(files, "Ysolde Brimborium") == []  # she only joined an action
    # Signed cards and named polls are named where the people chose so.
    assert "ideas.csv" in contains(files, "Wilhelmina Kratzbeck")
    assert "polls.csv" in contains(files, "Ottokar Lindwurmer")


def test_the_contacts_file_is_the_only_one_with_contacts(client: Client, built: Built) -> None:
    client.cookies.set(moderator_cookie(built.code), built.token)
    contacts = client.get(f"/console/{built.code}/contacts.csv")
    assert CONTACT.encode() in contacts.content


def database_bytes(settings: Settings) -> bytes:
    db = Path(settings.db)
    wal = Path(settings.db + "-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_a_participant_deletes_their_own_data_everywhere(
    client: Client, built: Built, settings: Settings
) -> None:
    name = "Wilhelmina Kratzbeck"
    assert name.encode() in database_bytes(settings)
    person = built.people[name]
    client.cookies.set(participant_cookie(built.code), person["token"])
    csrf = form_fields(client, f"/p/{built.code}")["csrf"]
    erased = client.post(f"/p/{built.code}/erase", data={"cid": "erase-1", "csrf": csrf})
    assert erased.status_code == 200, erased.text
    client.cookies.clear()
    state = client.get(f"/api/events/{built.code}/state", headers=bearer(built)).json()["state"]
    named = next(p for p in state["polls"] if p["id"] == built.polls["multiple"])
    everyone = [n for names in named["results"]["names"].values() for n in names]
    assert name not in everyone and "Ottokar Lindwurmer" in everyone
    assert contains(every_file(client, built), name) == []
    assert name.encode() not in database_bytes(settings)
    assert b"Ottokar Lindwurmer" in database_bytes(settings)  # nobody else's data went


def test_an_erase_form_with_an_overlong_cid_still_erases(
    client: Client, built: Built, settings: Settings
) -> None:
    """A crafted form's cid longer than the socket allows is dropped, not handed on."""
    name = "Wilhelmina Kratzbeck"
    client.cookies.set(participant_cookie(built.code), built.people[name]["token"])
    csrf = form_fields(client, f"/p/{built.code}")["csrf"]
    erased = client.post(f"/p/{built.code}/erase", data={"cid": "x" * 70_000, "csrf": csrf})
    assert erased.status_code == 200, erased.text
    assert name.encode() not in database_bytes(settings)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("erase-1", "erase-1"), ("x" * 64, "x" * 64), ("x" * 65, None), ("", None), (None, None)],
)
def test_the_erase_form_keeps_only_a_cid_the_socket_would_take(
    sent: str | None, kept: str | None
) -> None:
    assert _form_cid(sent) == kept


ADDED_SPEAKER = TURNS[-1][0]


def test_delete_personal_data_now_keeps_the_results(
    client: Client, built: Built, settings: Settings
) -> None:
    before = client.get(f"/api/events/{built.code}/state", headers=bearer(built)).json()["state"]
    svc: Any = client.app.state["svc"]
    secrets = client.blocking_portal.call(svc.rooms.store.poll_secrets, built.code)
    assert secrets  # its anonymous polls were voted in: their ballots are under pseudonyms
    response = client.post(f"/api/events/{built.code}/redact", headers=bearer(built))
    assert response.status_code == 200, response.text
    # Every id is replaced and the event closed: the secrets go, nothing links a ballot.
    assert client.blocking_portal.call(svc.rooms.store.poll_secrets, built.code) == {}
    after = client.get(f"/api/events/{built.code}/state", headers=bearer(built)).json()["state"]
    assert after["status"] == "closed"
    counts = [p["results"]["voters"] for p in after["polls"]]
    assert counts == [p["results"]["voters"] for p in before["polls"]]
    assert after["actions"][0]["joined"] == before["actions"][0]["joined"]
    votes = [q["votes"] for q in after["qna"][0]["questions"]]
    assert votes == [q["votes"] for q in before["qna"][0]["questions"]]
    assert {q["name"] for q in after["qna"][0]["questions"]} == {None}
    assert after["speakers"]["stats"] == before["speakers"]["stats"]  # speaking time stays
    stored = database_bytes(settings)
    for name in [*PEOPLE, ADDED_SPEAKER]:  # a name the moderator put on the speaker list too
        assert name.encode() not in stored, name
    for person in built.people.values():
        assert person["participant_id"].encode() not in stored
    assert CONTACT.encode() not in stored
    assert b"Ausbildung im Verbund" in stored  # the results stay


def test_retention_deletes_personal_data_once_the_period_is_over(
    client: Client, built: Built, settings: Settings
) -> None:
    svc: Any = client.app.state["svc"]
    hub = client.blocking_portal.call(svc.rooms.get, built.code)
    due = deletion_due_at(hub.state.lobby, settings.retention_days, settings.timezone)
    assert client.blocking_portal.call(sweep, svc, due - DAY_MS) == []
    assert b"Zorabel Quandtmeier" in database_bytes(settings)
    assert client.blocking_portal.call(sweep, svc, due + 1) == [built.code]
    assert client.blocking_portal.call(sweep, svc, due + 2) == []  # once
    stored = database_bytes(settings)
    for name in PEOPLE:
        assert name.encode() not in stored, name
    files = every_file(client, built)
    for name in PEOPLE:
        assert contains(files, name) == [], name


def test_the_whole_event_is_deleted(client: Client, built: Built, settings: Settings) -> None:
    client.cookies.set(moderator_cookie(built.code), built.token)
    forged = client.post(f"/console/{built.code}/delete", data={"confirm": built.code})
    assert forged.status_code == 403  # no form token: not from our console
    csrf = form_fields(client, f"/console/{built.code}")["csrf"]
    wrong = client.post(f"/console/{built.code}/delete", data={"confirm": "AAAAAA", "csrf": csrf})
    assert wrong.status_code == 422
    svc: Any = client.app.state["svc"]
    assert client.blocking_portal.call(svc.rooms.store.poll_secrets, built.code)
    assert client.delete(f"/api/events/{built.code}", headers=bearer(built)).status_code == 204
    assert client.get(f"/api/events/{built.code}").status_code == 404
    assert client.blocking_portal.call(svc.rooms.store.poll_secrets, built.code) == {}
    assert b"Zukunft der Industrie im Revier" not in database_bytes(settings)
