"""The command line refuses what cannot work, with a sentence instead of a traceback."""

from __future__ import annotations

import pytest

from server.cli import main


def test_several_workers_without_redis_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("DIALOGRAUM_WORKERS", raising=False)
    with pytest.raises(SystemExit) as refused:
        main(["serve", "--workers", "2", "--port", "0"])
    assert "share their rooms through Redis" in str(refused.value.code)


def test_an_invalid_worker_count_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIALOGRAUM_WORKERS", "many")
    with pytest.raises(SystemExit) as refused:
        main(["serve"])
    assert "workers" in str(refused.value.code)
