"""Markdown sections (with plots) for the scenarios in :mod:`loadtests.suites`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {}
