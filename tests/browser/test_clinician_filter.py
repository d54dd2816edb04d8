"""Filtering the dashboard by outcome narrows the list to that outcome's submissions."""

from __future__ import annotations

from typing import Any

import pytest

from .clinician import CLINICIAN, add_clinician, log_in, options, pick, submit
from .pages import activate, expect, open_app

try:  # pytest's default import mode puts tests/ on sys.path
    import baseline as shared
except ImportError:  # pragma: no cover - tests/ made a package
    from tests import baseline as shared

pytestmark = pytest.mark.browser

PICKER = "Open a submission by reference"
"""Lists the references of the rows shown (the table itself is drawn on a canvas)."""


def test_filter_by_outcome_lists_only_that_outcome(page: Any, app_server: Any) -> None:
    url = app_server.database_url
    candidates = {submit(url, shared.answers(), f"filter-c{i}").reference for i in range(2)}
    urgent = submit(url, shared.answers(hot_swollen="yes"), "filter-u").reference
    open_app(page, CLINICIAN)
    log_in(page, add_clinician(url, "drfilter"))
    expect(page.get_by_text("3 submission(s) match")).to_be_visible()
    assert options(page, PICKER)[0] == urgent  # urgent first

    pick(page, "Outcome", "urgent")
    expect(page.get_by_text("1 submission(s) match")).to_be_visible()
    assert options(page, PICKER) == [urgent]

    pick(page, "Outcome", "candidate")  # urgent or candidate
    expect(page.get_by_text("3 submission(s) match")).to_be_visible()
    activate(page, page.get_by_role("button", name="Remove urgent", exact=True))  # its tag
    expect(page.get_by_text("2 submission(s) match")).to_be_visible()
    assert set(options(page, PICKER)) == candidates
