"""Lockout: after 5 wrong passwords the account is refused even with the right password, and
every refusal shows the same generic message (nothing tells a guesser what went wrong)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from access import LOCKOUT_FAILURES, LOGIN_REFUSED, locked_until
from storage import open_engine

from .clinician import CLINICIAN, add_clinician, log_in, title
from .pages import expect, open_app

pytestmark = pytest.mark.browser


def test_five_wrong_passwords_lock_the_account_with_the_same_generic_message(
    page: Any, app_server: Any
) -> None:
    name = add_clinician(app_server.database_url, "drlocked")
    open_app(page, CLINICIAN)
    refused = page.get_by_role("alert")
    shown = []
    for attempt in range(LOCKOUT_FAILURES):
        log_in(page, name, f"not the password, try {attempt}")
        expect(refused).to_have_count(1)
        shown.append(refused.inner_text())
        expect(title(page, "Clinician login")).to_be_visible()

    log_in(page, name)  # the right password, too late

    expect(refused).to_have_text(LOGIN_REFUSED)
    expect(title(page, "Clinician login")).to_be_visible()
    expect(title(page, "Submissions")).to_have_count(0)
    assert shown == [LOGIN_REFUSED] * LOCKOUT_FAILURES
    engine = open_engine(app_server.database_url)
    try:
        assert locked_until(engine, name, dt.datetime.now(dt.UTC)) is not None
    finally:
        engine.dispose()
