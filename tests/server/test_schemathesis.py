"""schemathesis over the served OpenAPI document: no generated request gets a 500 (issue 15).

``tests/server/test_fuzz_http.py`` throws hand-written junk at every endpoint,
the HTML pages included; this one lets schemathesis read ``/schema/openapi.json``
and generate requests that follow (and stretch) each operation's own declared
parameters and bodies. Both run briefly in ``make test`` and longer in
``make fuzz`` (``DIALOGRAUM_FUZZ_EXAMPLES``).

schemathesis generates the cases; Litestar's test client sends them, so the
application runs in-process with its lifespan (stores, planner, hub) started
once for the module. (schemathesis's own ASGI transport stops an application's
lifespan after the first operation, and ours does not start twice.)
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from litestar import Litestar
from litestar.testing import TestClient
from schemathesis import Case

from server.app import create_app
from server.settings import Settings

ADMIN = "schemathesis-admin-token"
EXAMPLES = int(os.environ.get("DIALOGRAUM_FUZZ_EXAMPLES", "4")) * 5

# The schema is read at import (schemathesis parametrizes at collection), so the app is too.
_DATA = tempfile.mkdtemp(prefix="dialograum-schemathesis-")
atexit.register(shutil.rmtree, _DATA, ignore_errors=True)
APP = create_app(
    Settings(
        db=os.path.join(_DATA, "schemathesis.sqlite3"),
        data_dir=_DATA,
        admin_token=ADMIN,
        public_url="http://localhost",
        sample_event=False,
        join_burst=1_000_000,
        join_per_second=1_000_000,
        joins_per_minute=1_000_000,
    )
)
BASE = "http://testserver.local"
schema = schemathesis.openapi.from_dict(APP.openapi_schema.to_schema())


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Litestar]]:
    with TestClient(APP, base_url=BASE) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def codes(client: TestClient[Litestar]) -> dict[str, str]:
    """A real event and a real survey, so generated requests also get past the 404."""
    admin = {"Authorization": f"Bearer {ADMIN}"}
    event = client.post("/api/events", json={"title": "Schemathesis"}, headers=admin)
    survey = client.post("/api/surveys", json={"template": "feedback"}, headers=admin)
    assert event.status_code == survey.status_code == 201, (event.text, survey.text)
    return {"/api/events/": event.json()["code"], "/api/surveys/": survey.json()["code"]}


def httpx_arguments(case: Case[Any], admin: bool) -> dict[str, Any]:
    """The request schemathesis built (requests' keywords), as the test client takes it."""
    kwargs = case.as_transport_kwargs(base_url=BASE)
    if admin:
        kwargs["headers"] = {**(kwargs.get("headers") or {}), "Authorization": f"Bearer {ADMIN}"}
    cookies = kwargs.pop("cookies", None)
    if (
        cookies
    ):  # per-request cookies are deprecated in httpx: send them as the header a browser would
        cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        kwargs["headers"] = {**(kwargs.get("headers") or {}), "Cookie": cookie.encode()}
    data = kwargs.pop("data", None)
    if isinstance(data, (bytes, str)):
        kwargs["content"] = data
    elif data is not None:
        kwargs["data"] = data
    return {k: v for k, v in kwargs.items() if k in ALLOWED}


ALLOWED = {"method", "url", "params", "headers", "json", "data", "content", "files"}


@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
    database=None,
)
@pytest.mark.timeout(300)
def test_no_generated_request_gets_a_server_error(
    case: Case[Any], client: TestClient[Litestar], codes: dict[str, str]
) -> None:
    real = next((code for prefix, code in codes.items() if case.path.startswith(prefix)), None)
    tries = [False, True] if real and "code" in (case.path_parameters or {}) else [False]
    for use_real in tries:  # a generated code (mostly unknown), then an event or survey that exists
        if use_real:
            case.path_parameters = {**(case.path_parameters or {}), "code": real}
        for admin in (False, True):  # anonymous, then with the admin token: both sides of the guard
            response = client.request(**httpx_arguments(case, admin))
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} → {response.status_code}: "
                f"{response.text[:300]}"
            )
