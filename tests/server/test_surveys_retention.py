"""Retention for surveys: contacts go the retention period after the end; answers stay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from rooms.surveys.answers import Answers
from rooms.surveys.log import DraftSaved, ResponseSubmitted, SurveyCreated
from rooms.surveys.templates import template
from server.retention import DAY_MS, survey_due_at, sweep_surveys
from server.settings import Settings
from server.stores.base import EventStore
from server.surveys.store import SurveyStore, log_name
from tests.server.test_surveys_api import AUTH, INVENTORY_ANSWERS

Client = TestClient[Litestar]
EMAIL = b"erika@example.org"


def database_bytes(settings: Settings) -> bytes:
    db = Path(settings.db)
    wal = Path(settings.db + "-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def answered_and_ended(client: Client) -> tuple[str, dict[str, str]]:
    """An inventory with one response that gave its contact, then ended on 2 January 2020."""
    made = client.post("/api/surveys", json={"template": "bestandsaufnahme"}, headers=AUTH).json()
    code: str = made["code"]
    own = {"Authorization": f"Bearer {made['moderator_token']}"}
    answered = client.post(f"/api/surveys/{code}/responses", json={"answers": INVENTORY_ANSWERS})
    assert answered.status_code == 201, answered.text
    ended = client.patch(
        f"/api/surveys/{code}", json={"starts": "2020-01-01", "ends": "2020-01-02"}, headers=own
    )
    assert ended.status_code == 200
    return code, own


def test_the_due_day_counts_from_the_end_of_the_last_day() -> None:
    survey = template("feedback")
    assert survey is not None
    assert survey_due_at(survey, 90, "Europe/Berlin") is None  # no end: still open
    ended = msgspec.structs.replace(survey, ends="2020-01-02")
    due = survey_due_at(ended, 90, "Europe/Berlin")
    # midnight after 2 January in Berlin (23:00 UTC), plus 90 days
    assert due == 1578006000000 + 90 * DAY_MS


def test_contacts_are_deleted_after_the_period_and_the_answers_stay(
    client: Client, settings: Settings
) -> None:
    code, own = answered_and_ended(client)
    svc: Any = client.app.state["svc"]
    surveys = SurveyStore(svc.rooms.store)  # as the sweep has its own
    portal = client.blocking_portal
    state = portal.call(surveys.get, code)
    assert state is not None
    due = survey_due_at(state.definition, settings.retention_days, settings.timezone)
    assert due is not None
    assert portal.call(sweep_surveys, svc, surveys, due - 1) == []
    assert EMAIL in database_bytes(settings)
    assert portal.call(sweep_surveys, svc, surveys, due + 1) == [code]
    assert portal.call(sweep_surveys, svc, surveys, due + 2) == []  # once
    stored = database_bytes(settings)
    assert EMAIL not in stored
    assert b"Erika Muster" not in stored
    assert "Industriebündnis Ruhr".encode() in stored  # the anonymous answers stay
    # the app's own cached copy caught up too
    app_store = client.app.state["surveys"]
    seen = portal.call(app_store.get, code)
    assert seen is not None
    assert len(seen.responses) == 1
    assert "contact_email" not in seen.responses[0].answers
    assert seen.responses[0].answers["name"] == "Industriebündnis Ruhr"
    results = client.get(f"/api/surveys/{code}/results", headers=own)
    assert results.status_code == 200
    assert results.json()["responses"] == 1


def test_a_survey_without_contacts_or_not_yet_due_is_left_alone(
    client: Client, settings: Settings
) -> None:
    answered_and_ended(client)
    svc: Any = client.app.state["svc"]
    surveys = SurveyStore(svc.rooms.store)
    portal = client.blocking_portal
    early = 1578006000000 + (settings.retention_days - 1) * DAY_MS
    assert portal.call(sweep_surveys, svc, surveys, early) == []
    assert EMAIL in database_bytes(settings)
    open_one = client.post("/api/surveys", json={"template": "feedback"}, headers=AUTH).json()[
        "code"
    ]
    far = 4102444800000  # 2100: no end date, so never due
    assert open_one not in portal.call(sweep_surveys, svc, surveys, far)


@pytest.mark.anyio
async def test_two_workers_lose_the_contacts_and_the_store_keeps_no_copy(
    store: EventStore,
) -> None:
    """One worker erases; the other, with a cached state, drops them on catching up."""
    survey = template("bestandsaufnahme")
    assert survey is not None
    one, two = SurveyStore(store), SurveyStore(store)
    code = (await one.create(lambda c: SurveyCreated(c, survey, "h", 0))).code
    answers: Answers = {"name": "Bündnis Nord", "consent": "yes"}
    answers["contact_email"] = "nord@example.org"
    assert isinstance(
        await one.write(code, lambda s: ResponseSubmitted("r1", answers, 1)), ResponseSubmitted
    )
    draft: Answers = {"contact_name": "Hein Mück", "region": "HH"}
    await one.write(code, lambda s: DraftSaved("r2", draft, 2, 2))
    cached = await two.get(code)
    assert cached is not None and "contact_email" in cached.responses[0].answers
    assert await one.erase_personal(code, 5)
    assert not await one.erase_personal(code, 6)  # nothing left
    raw = b"".join(await store.read(log_name(code)))
    assert b"nord@example.org" not in raw and "Hein Mück".encode() not in raw
    assert "Bündnis Nord".encode() in raw
    seen = await two.get(code)
    assert seen is not None
    assert seen.responses[0].answers == {"name": "Bündnis Nord", "consent": "yes"}
    assert seen.drafts["r2"].answers == {"region": "HH"}
