"""Random bodies and forms against one survey: refused with a reason, never a 500."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient

from server.app import create_app
from server.settings import Settings
from tests.server.conftest import ADMIN

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
IDS = st.sampled_from(
    ["name", "region", "founded", "member_types", "member_types.other", "topics", "priorities",
     "rating", "last_meeting", "postcode", "consent", "contact_name", "nope", ""]
)  # fmt: skip


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient[Litestar], str]]:
    path: Path = tmp_path_factory.mktemp("fuzz")
    app = create_app(
        Settings(
            db=str(path / "db.sqlite3"),
            data_dir=str(path),
            admin_token=ADMIN,
            public_url="http://testserver.local",
            sample_event=False,
            join_burst=1_000_000,
        )
    )
    with TestClient(app, base_url="http://testserver.local") as client:
        created = client.post(
            "/api/surveys",
            json={"template": "bestandsaufnahme"},
            headers={"Authorization": f"Bearer {ADMIN}"},
        ).json()
        yield client, created["code"]


SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(answers=st.dictionaries(IDS, JSON, max_size=6), body=JSON)
def test_random_responses_are_refused_or_accepted(
    fuzzed: tuple[TestClient[Litestar], str], answers: dict[str, Any], body: Any
) -> None:
    client, code = fuzzed
    for payload in ({"answers": answers, "respondent": "fuzz"}, body):
        response = client.post(f"/api/surveys/{code}/responses", json=payload)
        assert response.status_code in (201, 409, 422), response.text
        if response.status_code == 422:
            assert response.json()["detail"]


@SETTINGS
@given(
    number=st.integers(-1, 9),
    fields=st.lists(st.tuples(IDS | st.text(max_size=15), st.text(max_size=30)), max_size=8),
    go=st.sampled_from(["next", "back", "", "x"]),
)
def test_random_section_forms_never_break_the_form(
    fuzzed: tuple[TestClient[Litestar], str], number: int, fields: list[tuple[str, str]], go: str
) -> None:
    client, code = fuzzed
    page = client.get(f"/u/{code}/1")
    token = re.search(r'name="csrf" value="([^"]*)"', page.text)
    assert token is not None
    data: dict[str, list[str]] = {"csrf": [token.group(1)], "go": [go]}
    for key, value in fields:
        data.setdefault(key, []).append(value)
    response = client.post(f"/u/{code}/{number}", data=data, follow_redirects=False)
    assert response.status_code in (200, 303, 422), response.text[:500]


@SETTINGS
@given(body=JSON)
def test_random_definitions_name_a_field(
    fuzzed: tuple[TestClient[Litestar], str], body: Any
) -> None:
    client, _ = fuzzed
    response = client.post("/api/surveys", json=body, headers={"Authorization": f"Bearer {ADMIN}"})
    assert response.status_code == 422, response.text
    assert response.json()["field"]
