"""The survey API of docs/api.md ("Surveys"), through Litestar's test client."""

from __future__ import annotations

import asyncio
import io
from functools import partial
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import load_workbook

from rooms.surveys.log import ResponseSubmitted, SurveyCreated
from rooms.surveys.templates import template
from server.app import create_app
from server.stores.base import EventStore
from server.surveys.store import SurveyStore
from tests.server.conftest import ADMIN, create_event

Client = TestClient[Litestar]
AUTH = {"Authorization": f"Bearer {ADMIN}"}

INVENTORY_ANSWERS: dict[str, Any] = {
    "name": "Industriebündnis Ruhr",
    "region": "NW",
    "postcode": "44137",
    "founded": 2015,
    "respondent_type": "chamber",
    "member_types": ["business", "union", "other"],
    "member_types.other": "Stiftungen",
    "members_business": 40,
    "members_union": 3,
    "meetings": "quarterly",
    "forms": ["working_groups", "events"],
    "working_groups": 4,
    "closeness": 4,
    "topics": ["energy", "skilled_workers"],
    "priorities": ["change", "site", "jobs", "network"],
    "goals": "Die Transformation gemeinsam gestalten.",
    "rating": {"goals": "4", "inside": "5"},
    "networked": "no",
    "consent": "yes",
    "contact_name": "Erika Muster",
    "contact_email": "erika@example.org",
}


def new_survey(client: Client, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post(
        "/api/surveys", json=body or {"template": "bestandsaufnahme"}, headers=AUTH
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def test_create_from_a_template_returns_code_token_and_links(client: Client) -> None:
    data = new_survey(client)
    code = data["code"]
    assert len(code) == 8
    assert len(data["moderator_token"]) >= 22
    assert data["links"]["respond"] == f"http://testserver.local/u/{code}"
    assert data["links"]["results"].startswith(f"http://testserver.local/u/{code}/ergebnisse?key=")
    public = client.get(f"/api/surveys/{code}").json()
    assert public["status"] == "open"
    assert public["definition"]["title"] == "Bestandsaufnahme regionaler Industrieinitiativen"
    english = new_survey(client, {"template": "feedback", "language": "en"})
    assert client.get(f"/api/surveys/{english['code']}").json()["definition"]["title"] == (
        "Feedback after the event"
    )


def test_creating_needs_the_admin_or_an_events_moderator_token(client: Client) -> None:
    body = {"template": "feedback"}
    assert client.post("/api/surveys", json=body).status_code == 401
    nope = client.post("/api/surveys", json=body, headers={"Authorization": "Bearer x"})
    assert nope.status_code == 401
    event = create_event(client)
    moderator = {"Authorization": f"Bearer {event['moderator_token']}"}
    attached = client.post(f"/api/surveys?event={event['code']}", json=body, headers=moderator)
    assert attached.status_code == 201
    assert client.post("/api/surveys", json=body, headers=moderator).status_code == 401


def test_a_definition_is_the_template_file_format_and_a_broken_one_names_the_field(
    client: Client,
) -> None:
    survey = template("feedback")
    assert survey is not None
    own = client.post("/api/surveys", content=msgspec.json.encode(survey), headers=AUTH)
    assert own.status_code == 201
    broken = msgspec.json.decode(msgspec.json.encode(survey))
    broken["sections"][0]["questions"][1]["kind"] = "dropdown"
    refused = client.post("/api/surveys", json=broken, headers={**AUTH, "Accept-Language": "en"})
    assert refused.status_code == 422
    assert refused.json()["field"] == "sections[0].questions[1].kind"
    assert "sections[0].questions[1].kind" in refused.json()["detail"]
    unknown = client.post("/api/surveys", json={"template": "nope"}, headers=AUTH)
    assert unknown.status_code == 422 and unknown.json()["reason"] == "unknown_template"


def test_a_whole_response_is_201_and_a_second_one_is_refused(client: Client) -> None:
    code = new_survey(client)["code"]
    first = client.post(f"/api/surveys/{code}/responses", json={"answers": INVENTORY_ANSWERS})
    assert first.status_code == 201, first.text
    again = client.post(f"/api/surveys/{code}/responses", json={"answers": INVENTORY_ANSWERS})
    assert again.status_code == 409
    assert again.json()["reason"] == "already_submitted"
    other = client.post(
        f"/api/surveys/{code}/responses",
        json={"answers": INVENTORY_ANSWERS, "respondent": "partner-42"},
    )
    assert other.status_code == 201
    twice = client.post(
        f"/api/surveys/{code}/responses",
        json={"answers": INVENTORY_ANSWERS, "respondent": "partner-42"},
    )
    assert twice.status_code == 409


def test_a_bad_response_is_422_naming_the_question(client: Client) -> None:
    code = new_survey(client)["code"]
    url = f"/api/surveys/{code}/responses"
    missing = client.post(
        url,
        json={"answers": {**INVENTORY_ANSWERS, "name": ""}, "respondent": "a"},
        headers={"Accept-Language": "en"},
    )
    assert missing.status_code == 422
    assert missing.json()["field"] == "name"
    assert missing.json()["detail"] == "Please answer this question."
    range_ = client.post(
        url, json={"answers": {**INVENTORY_ANSWERS, "founded": 1800}, "respondent": "b"}
    )
    assert range_.status_code == 422
    assert range_.json()["field"] == "founded"
    assert range_.json()["reason"] == "number_out_of_range"
    assert range_.json()["detail"] == "Bitte geben Sie eine Zahl im erlaubten Bereich an."
    hidden = dict(INVENTORY_ANSWERS, networked="no", partners="IG Nord")
    assert client.post(url, json={"answers": hidden, "respondent": "c"}).json()["field"] == (
        "partners"
    )
    wrong_type = client.post(url, json={"answers": {"founded": True}, "respondent": "d"})
    assert wrong_type.status_code == 422


def test_a_closed_survey_says_so_with_its_dates(client: Client) -> None:
    body = {"template": "feedback", "starts": "2020-01-01", "ends": "2020-01-31"}
    code = new_survey(client, body)["code"]
    assert client.get(f"/api/surveys/{code}").json()["status"] == "closed"
    refused = client.post(f"/api/surveys/{code}/responses", json={"answers": {"satisfaction": 4}})
    assert refused.status_code == 403
    assert refused.json()["reason"] == "survey_closed"
    assert "01.01.2020" in refused.json()["detail"] and "31.01.2020" in refused.json()["detail"]
    assert refused.json()["ends"] == "2020-01-31"


def test_results_and_breakdown_need_the_moderator_token(client: Client) -> None:
    created = new_survey(client)
    code, key = created["code"], created["moderator_token"]
    for n, region in enumerate(["NW", "NW", "BY"]):
        answers = dict(INVENTORY_ANSWERS, region=region, closeness=n + 2)
        assert (
            client.post(
                f"/api/surveys/{code}/responses", json={"answers": answers, "respondent": str(n)}
            ).status_code
            == 201
        )
    assert client.get(f"/api/surveys/{code}/results").status_code == 403
    auth = {"Authorization": f"Bearer {key}"}
    results = client.get(f"/api/surveys/{code}/results?by=region", headers=auth).json()
    assert results["responses"] == 3
    region = next(q for q in results["questions"] if q["question"] == "region")
    assert {c["key"]: c["count"] for c in region["counts"] if c["count"]} == {"NW": 2, "BY": 1}
    groups = {g["key"]: g for g in results["groups"]}
    assert groups["NW"]["responses"] == 2 and groups["BY"]["responses"] == 1
    closeness = next(q for q in groups["NW"]["questions"] if q["question"] == "closeness")
    assert closeness["mean"] == 2.5
    contact = next(q for q in results["questions"] if q["question"] == "contact_name")
    assert "texts" not in contact  # personal answers are never in the results


def test_csv_and_xlsx_have_one_row_per_response_and_a_codebook(client: Client) -> None:
    created = new_survey(client)
    code, key = created["code"], created["moderator_token"]
    client.post(f"/api/surveys/{code}/responses", json={"answers": INVENTORY_ANSWERS})
    auth = {"Authorization": f"Bearer {key}"}
    csv = client.get(f"/api/surveys/{code}/responses.csv", headers=auth)
    assert csv.status_code == 200
    lines = csv.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2
    header = lines[0].split(";")
    assert "member_types.business" in header and "topics.energy" in header
    assert "contact_name" not in header and "Erika" not in csv.text
    xlsx = client.get(f"/api/surveys/{code}/responses.xlsx", headers=auth)
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Antworten", "Codebuch", "Kontakte"]
    rows = list(book["Antworten"].values)
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["region"] == "NW" and row["member_types.union"] == 1
    assert row["member_types.research"] == 0 and row["priorities.change"] == 1
    assert row["member_types.other"] == "Stiftungen"
    codebook = {r[0]: r for r in book["Codebuch"].values}
    assert "NW = Nordrhein-Westfalen" in str(codebook["region"][2])
    contacts = [tuple(row) for row in book["Kontakte"].iter_rows(values_only=True)]
    assert ("Erika Muster", "erika@example.org") in contacts
    assert client.get(f"/api/surveys/{code}/responses.xlsx").status_code == 403


@pytest.mark.anyio
async def test_surveys_live_in_the_event_store_but_are_not_rooms(store: EventStore) -> None:
    """Two workers on one store: both see every response, and a race is re-decided."""
    survey = template("feedback")
    assert survey is not None
    one, two = SurveyStore(store), SurveyStore(store)

    def answer(n: int, _survey: object) -> ResponseSubmitted:
        return ResponseSubmitted(f"r{n}", {"best": f"geheim {n}"}, n)

    created = await one.create(lambda code: SurveyCreated(code, survey, "h", 0))
    code = created.code
    assert await store.rooms() == []
    assert await one.codes() == [code]
    assert await two.get(code) is not None
    written = await one.write(code, lambda s: ResponseSubmitted("r1", {"satisfaction": 5}, 1))
    assert isinstance(written, ResponseSubmitted)
    # the second worker has a stale state; its write is re-decided after catching up
    seen: list[int] = []

    def decide(state: Any) -> Any:
        seen.append(len(state.responses))
        return ResponseSubmitted("r2", {"satisfaction": 3}, 2)

    assert isinstance(await two.write(code, decide), ResponseSubmitted)
    assert seen == [1]
    state = await one.get(code)
    assert state is not None and [r.respondent for r in state.responses] == ["r1", "r2"]
    assert await SurveyStore(store).get("NOPE1234") is None


@pytest.mark.anyio
async def test_concurrent_reads_and_writes_in_one_worker_count_each_response_once(
    store: EventStore,
) -> None:
    """A read that overlaps a write must not apply the written entry a second time."""
    survey = template("feedback")
    assert survey is not None
    surveys = SurveyStore(store)
    code = (await surveys.create(lambda c: SurveyCreated(c, survey, "h", 0))).code

    async def one(n: int) -> None:
        written = await surveys.write(
            code, lambda s: ResponseSubmitted(f"r{n}", {"satisfaction": 1 + n % 5}, n)
        )
        assert isinstance(written, ResponseSubmitted)
        await surveys.get(code)

    await asyncio.gather(*(one(n) for n in range(30)), *(surveys.get(code) for _ in range(30)))
    state = await surveys.get(code)
    assert state is not None and len(state.responses) == 30 and state.seq == 31
    fresh = await SurveyStore(store).get(code)
    assert fresh is not None and fresh.answers() == state.answers()


def test_answers_from_one_address_are_rate_limited(settings: Any) -> None:
    limited = msgspec.structs.replace(settings, join_burst=2, join_per_second=0.001)
    with TestClient(create_app(limited), base_url="http://testserver.local") as client:
        code = new_survey(client, {"template": "feedback"})["code"]
        url = f"/api/surveys/{code}/responses"
        for n in range(2):
            body = {"answers": {"satisfaction": 3}, "respondent": str(n)}
            assert client.post(url, json=body).status_code == 201
        refused = client.post(url, json={"answers": {"satisfaction": 3}, "respondent": "x"})
        assert refused.status_code == 429 and refused.json()["reason"] == "rate_limited"


@pytest.mark.anyio
async def test_a_deleted_survey_is_gone_on_every_worker_and_in_the_store(
    store: EventStore,
) -> None:
    survey = template("feedback")
    assert survey is not None
    one, two = SurveyStore(store), SurveyStore(store)

    def answer(n: int, _survey: object) -> ResponseSubmitted:
        return ResponseSubmitted(f"r{n}", {"best": f"geheim {n}"}, n)

    code = (await one.create(lambda c: SurveyCreated(c, survey, "h", 0))).code
    for n in range(3):
        await one.write(code, partial(answer, n))
    assert await two.get(code) is not None  # the other worker has it cached
    assert await one.delete(code, 9)
    assert await one.get(code) is None and await two.get(code) is None
    assert await SurveyStore(store).get(code) is None
    assert not any(b"geheim" in raw for raw in await store.read(f"survey:{code}"))
    assert not await one.delete(code, 10)


def test_deleting_through_the_api(client: Client) -> None:
    created = new_survey(client, {"template": "feedback"})
    code, key = created["code"], created["moderator_token"]
    client.post(f"/api/surveys/{code}/responses", json={"answers": {"satisfaction": 2}})
    assert client.delete(f"/api/surveys/{code}").status_code == 403
    gone = client.delete(f"/api/surveys/{code}", headers={"Authorization": f"Bearer {key}"})
    assert gone.status_code == 204
    assert client.get(f"/api/surveys/{code}").status_code == 404
    assert client.get(f"/u/{code}").status_code == 404
