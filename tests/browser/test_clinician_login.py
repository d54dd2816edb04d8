"""Clinician login at /clinician: the form, then the dashboard; Log out returns to the form."""

from __future__ import annotations

from typing import Any

import pytest

from .clinician import CLINICIAN, add_clinician, log_in, submit, title
from .pages import activate, button, expect, open_app

try:  # pytest's default import mode puts tests/ on sys.path
    import baseline as shared
except ImportError:  # pragma: no cover - tests/ made a package
    from tests import baseline as shared

pytestmark = pytest.mark.browser


def test_login_shows_the_dashboard_and_log_out_returns_to_the_form(
    page: Any, app_server: Any
) -> None:
    name = add_clinician(app_server.database_url, "drlogin")
    saved = submit(app_server.database_url, shared.answers(), "login-1")
    open_app(page, CLINICIAN)

    expect(title(page, "Clinician login")).to_be_visible()
    expect(page.get_by_role("textbox", name="Username", exact=True)).to_be_visible()
    expect(page.get_by_role("textbox", name="Password", exact=True)).to_have_attribute(
        "type", "password")
    expect(page.get_by_text(saved.reference)).to_have_count(0)  # nothing before the login

    log_in(page, name)

    expect(title(page, "Submissions")).to_be_visible()
    expect(page.get_by_role("region", name="Sidebar").get_by_text(name, exact=True)
           ).to_be_visible()
    expect(page.get_by_text("1 submission(s) match", exact=False)).to_be_visible()
    activate(page, button(page, "Log out"))
    expect(title(page, "Clinician login")).to_be_visible()
    expect(title(page, "Submissions")).to_have_count(0)
    expect(page.get_by_text(saved.reference)).to_have_count(0)
