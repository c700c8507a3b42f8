"""The contacts file: what participants typed never runs as a spreadsheet formula."""

from __future__ import annotations

import pytest

from server.report.writers import safe_text as cell


@pytest.mark.parametrize(
    "typed", ['=HYPERLINK("http://x")', "+49 170 123", "-1", "@SUM(A1)", "\tx"]
)
def test_a_cell_that_a_spreadsheet_would_run_is_quoted(typed: str) -> None:
    assert cell(typed) == "'" + typed


@pytest.mark.parametrize("typed", ["Anna Schmidt", "anna@example.org", "0170 123", ""])
def test_ordinary_cells_stay_as_typed(typed: str) -> None:
    assert cell(typed) == typed
