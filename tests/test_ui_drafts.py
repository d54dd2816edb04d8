"""AppTest: drafts survive a reload, and a database outage at Submit loses nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

try:  # pytest's default import mode puts tests/ on sys.path
    import wizard_driver as drv
except ImportError:  # pragma: no cover - tests/ made a package
    from tests import wizard_driver as drv

from storage import open_engine
from storage.drafts import DraftStore, token_hash
from storage.schema import drafts

UNREACHABLE = "postgresql+psycopg://intake:nothing@127.0.0.1:1/none"  # port 1: refused


def draft_rows(url: str) -> list[dict[str, Any]]:
    engine = open_engine(url)
    try:
        with engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(drafts)).mappings()]
    finally:
        engine.dispose()


def reload(token: str) -> Any:
    """A new browser session opening the URL the patient had (what a reload does)."""
    at = drv.AppTest.from_file(drv.APP, default_timeout=drv.TIMEOUT)
    at.query_params["resume"] = token
    at.run()
    drv.check(at)
    return at


def test_a_reload_resumes_on_the_same_page_with_the_answers(app_db_url: str) -> None:
    at = drv.walk(drv.start(), drv.BASELINE[:3])
    token = at.query_params["resume"]
    assert drv.header(at) == drv.page_title("warning_signs")

    again = reload(token)
    assert drv.header(again) == drv.page_title("warning_signs")
    drv.click(again, "nav_back")
    assert again.radio(key="q_pain_onset").value == "gradual"
    assert again.radio(key="q_pain_average").value == drv.BASELINE[2]["pain_average"]
    drv.click(again, "nav_back")
    drv.click(again, "nav_back")
    assert again.date_input(key="q_date_of_birth").value == drv.BASELINE[0]["date_of_birth"]


def test_the_draft_stores_only_a_hash_of_the_token_and_is_deleted_on_submit(
    app_db_url: str,
) -> None:
    at = drv.walk(drv.start(), drv.BASELINE[:2])
    token = at.query_params["resume"]
    rows = draft_rows(app_db_url)
    assert [r["token_hash"] for r in rows] == [token_hash(token)]
    assert token not in str(rows)

    drv.walk(at, drv.BASELINE[2:])
    drv.click(at, "nav_submit")
    assert drv.header(at) == drv.message("confirmation_title")
    assert draft_rows(app_db_url) == []
    assert "resume" not in at.query_params
    assert len(drv.stored_rows(app_db_url)) == 1


def test_an_expired_draft_starts_a_new_form(app_db_url: str) -> None:
    at = drv.walk(drv.start(), drv.BASELINE[:2])
    token = at.query_params["resume"]
    engine = open_engine(app_db_url)
    store = DraftStore(engine, dt.timedelta(hours=72))
    assert store.load(token) is not None
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=73)
    assert store.load(token, now=later) is None
    with engine.begin() as conn:  # age the draft: its expiry passed an hour ago
        conn.execute(drafts.update().values(expires_at=func.datetime("now", "-1 hour")))
    engine.dispose()

    again = reload(token)
    assert drv.header(again) == drv.page_title("about_you")
    assert again.text_input(key="q_first_name").value == ""


def test_an_unknown_token_starts_a_new_form(app_db_url: str) -> None:
    again = reload("not-a-real-token")
    assert drv.header(again) == drv.page_title("about_you")


def test_database_down_at_submit_keeps_answers_and_submit_works_when_it_is_back(
    app_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = drv.walk(drv.start(), drv.BASELINE)
    assert drv.header(at) == drv.message("review_title")

    monkeypatch.setenv("INTAKE_DATABASE_URL", UNREACHABLE)
    drv.click(at, "nav_submit")
    assert drv.message("submitting_failed") in drv.errors(at)
    assert drv.header(at) == drv.message("review_title")  # still on the review page
    assert "María" in [t.value for t in at.text]  # the answers are still shown

    monkeypatch.setenv("INTAKE_DATABASE_URL", app_db_url)
    drv.click(at, "nav_submit")
    assert drv.header(at) == drv.message("confirmation_title")
    rows = drv.stored_rows(app_db_url)
    assert len(rows) == 1
    assert rows[0]["answers"]["first_name"] == "María"
