"""Fixtures for the transport tests: one app per test, on a temporary SQLite file."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from server.app import create_app
from server.settings import Settings
from server.stores.base import EventStore
from server.stores.redis import RedisStore
from server.stores.sqlite import SqliteStore
from tests.redis_support import REDIS_TEST_URL, flush_test_db

ADMIN = "test-admin-token"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        db=str(tmp_path / "test.sqlite3"),
        data_dir=str(tmp_path),
        admin_token=ADMIN,
        public_url="http://testserver.local",
        sample_event=False,
        sqlite_sync="NORMAL",  # tests check behaviour, not power-cut safety
        tick_ms=20,
    )


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, base_url="http://testserver.local") as client:
        yield client


def create_event(client: TestClient[Litestar], **body: Any) -> dict[str, Any]:
    payload = {"title": "Zukunft der Industrie", "format": "world_cafe", "language": "de", **body}
    response = client.post(
        "/api/events", json=payload, headers={"Authorization": f"Bearer {ADMIN}"}
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def join(client: TestClient[Litestar], code: str, name: str | None = None) -> dict[str, Any]:
    response = client.post(
        f"/api/events/{code}/participants", json={"name": name, "organisation_type": None}
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


@pytest.fixture
def event(client: TestClient[Litestar]) -> dict[str, Any]:
    return create_event(client)


def form_fields(client: TestClient[Litestar], url: str) -> dict[str, str]:
    """The hidden fields (cid, csrf token) of the form on the page at ``url``.

    Fetching the page also gives the test client its client-id cookie, as a
    browser gets it, so a post with these fields passes the form check.
    """
    page = client.get(url)
    assert page.status_code == 200, page.text
    return dict(re.findall(r'<input type="hidden" name="(cid|csrf)" value="([^"]*)">', page.text))


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("redis", marks=pytest.mark.redis),
        pytest.param("redis-cluster", marks=pytest.mark.redis),
    ]
)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[EventStore]:
    """Every backend, through one fixture: the contract is the same.

    ``redis-cluster`` is a real three-master cluster with replicas
    (tests/redis_cluster_support.py), started once per session.
    """
    backend: EventStore
    if request.param == "redis":
        backend = RedisStore(REDIS_TEST_URL)
        await backend.open()
        await flush_test_db()
    elif request.param == "redis-cluster":
        cluster = request.getfixturevalue("redis_cluster")
        cluster.flush()
        backend = RedisStore(cluster.url)
        await backend.open()
    else:
        backend = SqliteStore(tmp_path / "store.sqlite3")
        await backend.open()
    yield backend
    await backend.close()
