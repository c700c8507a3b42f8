"""Browser tests: a real server subprocess and Debian's headless Chromium.

Without /usr/bin/chromium the whole directory skips with one line, except under
CI=true, where a missing browser is a failure. Never downloads a browser.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Playwright,
    Response,
    ViewportSize,
    expect,
    sync_playwright,
)

from tests.e2e.liveserver import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    REPO,
    LiveServer,
    NewContext,
)

TIMEOUT_MS = 10_000

HERE = Path(__file__).resolve().parent
MISSING = f"e2e: {CHROMIUM} not found (Debian package 'chromium', see make e2e-deps)"
HAVE_CHROMIUM = Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)


def _in_this_directory(item: pytest.Item) -> bool:
    return HERE in item.path.resolve().parents


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """No browser: skip every test here (under CI=true, _chromium_required fails them)."""
    if HAVE_CHROMIUM or os.environ.get("CI") == "true":
        return
    for item in items:
        if _in_this_directory(item):
            item.add_marker(pytest.mark.skip(reason=MISSING))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Report the skips against the directory, so that -ra folds them into one line."""
    report: pytest.TestReport = yield
    if report.skipped and not HAVE_CHROMIUM and _in_this_directory(item):
        # lineno None: pytest folds skips without a line (typed int, but handled).
        report.longrepr = (str(HERE.relative_to(REPO)), None, f"Skipped: {MISSING}")  # type: ignore[assignment]
    return report


@pytest.fixture(scope="session", autouse=True)
def _chromium_required() -> None:
    if not HAVE_CHROMIUM:
        pytest.fail(f"{MISSING}; CI=true requires it", pytrace=False)


# Lines in the server log that mean a request went wrong inside the server.
SERVER_TROUBLE = re.compile(r"Traceback|^ERROR|Exception in ASGI", re.MULTILINE)


@pytest.fixture(scope="package")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("server"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _server_log_is_clean(live_server: LiveServer) -> Iterator[None]:
    """A test fails if the server logged a traceback or an error while it ran."""
    live_server.new_log()
    yield
    fresh = live_server.new_log()
    assert not SERVER_TROUBLE.search(fresh), f"server logged trouble:\n{fresh}"


# Package scope, not session: Playwright's sync API runs its own event loop in this
# thread, which must be closed before the anyio tests in tests/server start theirs.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    expect.set_options(timeout=TIMEOUT_MS)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[NewContext]:
    """Make browser contexts (each its own cookie jar), German, closed after the test.

    Contexts prefer reduced motion unless a test asks otherwise, so counts show
    their value at once instead of counting up (see test_counts_tween_to_the_new_value).
    Uncaught page errors and console errors fail the test.
    """
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    def note_console(kind: str, text: str) -> None:
        # Pages answered with an error status (404 for an unknown code) are expected and
        # asserted by the tests; broken subresources are caught by note_response.
        if kind == "error" and not text.startswith("Failed to load resource"):
            problems.append(f"console error: {text}")

    def note_response(response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(
                f"{response.status} for {response.request.resource_type} {response.url}"
            )

    def make(viewport: ViewportSize = PHONE, **options: Any) -> BrowserContext:
        options.setdefault("reduced_motion", "reduce")  # as the docstring promises
        context = browser.new_context(
            viewport=viewport,
            locale="de-DE",
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.on("weberror", lambda error: problems.append(f"page error: {error.error}"))
        context.on("console", lambda message: note_console(message.type, message.text))
        context.on("response", lambda response: note_response(response))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def event(live_server: LiveServer) -> dict[str, Any]:
    """A fresh event per test, so tests do not depend on each other."""
    return live_server.create_event()
