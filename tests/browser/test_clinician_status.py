"""A clinician opens a submission and changes its status; the change is stored with who and
when, and shown on the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from storage import SubmissionStore, open_engine
from storage.status import history

from .clinician import CLINICIAN, add_clinician, log_in, pick, submit, title
from .pages import activate, button, expect, open_app

try:  # pytest's default import mode puts tests/ on sys.path
    import baseline as shared
except ImportError:  # pragma: no cover - tests/ made a package
    from tests import baseline as shared

pytestmark = pytest.mark.browser


def test_open_a_submission_and_change_its_status(page: Any, app_server: Any) -> None:
    url = app_server.database_url
    saved = submit(url, shared.answers(hot_swollen="yes"), "status-1")
    name = add_clinician(url, "drstatus")
    open_app(page, CLINICIAN)
    log_in(page, name)

    pick(page, "Open a submission by reference", saved.reference)
    expect(title(page, f"Submission {saved.reference}")).to_be_visible()
    expect(page.get_by_text("RF-hot-swollen-joint", exact=False).first).to_be_visible()
    before = dt.datetime.now(dt.UTC)
    pick(page, "Status", "contacted")
    page.get_by_role("textbox", name="Note (optional)", exact=True).fill(
        "Called; coming in today.")
    activate(page, button(page, "Save status"))

    expect(page.get_by_text("Status saved: contacted.", exact=True)).to_be_visible()
    engine = open_engine(url)
    try:
        assert SubmissionStore(engine).get(saved.id)["status"] == "contacted"
        [change] = history(engine, saved.id)
    finally:
        engine.dispose()
    assert (change.user, change.from_status, change.to_status, change.note) == (
        name, "new", "contacted", "Called; coming in today.")
    assert before <= change.at <= dt.datetime.now(dt.UTC)

    activate(page, button(page, "← Back to the list"))
    expect(title(page, "Submissions")).to_be_visible()
    pick(page, "Status", "contacted")  # the list's status filter finds it there now
    expect(page.get_by_text("1 submission(s) match")).to_be_visible()
