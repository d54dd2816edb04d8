"""Scenario 4b: the clinician dashboard's first render with a small and a big store.

A clinician account is made with `access.create_user` and logged in through the login
form (AppTest), as in tests/test_ui_clinician.py. Timed: the run that follows pressing
`Log in` (password check, then the dashboard), and a rerun of the dashboard with Streamlit's
data caches cleared — the dashboard drawn from nothing, which is what must not grow with
the store. The small store is the floor; target: big ≤ 1.5× small.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import streamlit as st
from sqlalchemy.exc import IntegrityError
from streamlit.testing.v1 import AppTest

from access import AccountError, create_user
from bench.common import Context, Result, median, quiet_streamlit, timed
from bench.stores import seeded_store, sqlite_url
from storage import open_engine

APP = str(Path(__file__).resolve().parent.parent / "intake_app.py")
LOGIN_PAGE = "ui/clinician_login_page.py"
NAME, PASSWORD = "bench-clinician", "a long benchmark passphrase"
TARGET = 1.5
TIMEOUT = 120


def run(ctx: Context) -> list[Result]:
    quiet_streamlit()
    small, big = ctx.sizes.small_store, ctx.sizes.store
    urls = {n: sqlite_url(seeded_store(ctx, n)) for n in (small, big)}
    for url in urls.values():
        _account(url)
    render(urls[small])  # warm-up: imports, definitions, the engine of each store
    render(urls[big])
    times: dict[int, list[dict[str, float]]] = {small: [], big: []}
    for _ in range(ctx.sizes.repeats):
        for n in (small, big):
            times[n].append(render(urls[n]))

    def med(n: int, key: str) -> float:
        return median([t[key] for t in times[n]]) * 1000

    ours, floor = med(big, "cold"), med(small, "cold")
    return [Result(
        "dashboard", f"dashboard first render, {big:,} vs {small:,}", "ms", ours, floor,
        target=f"≤ {TARGET}× floor", met=ours <= TARGET * floor,
        details={f"{key}_ms_{n}": med(n, key) for n in (small, big)
                 for key in ("login", "cold", "warm")},
    )]


def render(url: str) -> dict[str, float]:
    """Log in on a fresh session; seconds of the login run, a cold and a warm rerun."""
    os.environ["INTAKE_DATABASE_URL"] = url
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page(LOGIN_PAGE).run()
    at.text_input(key="clinician_login_username").input(NAME)
    at.text_input(key="clinician_login_password").input(PASSWORD)
    button = next(b for b in at.button if b.label == "Log in")
    button.click()
    st.cache_data.clear()
    login, _ = timed(at.run)
    _check(at)
    st.cache_data.clear()
    cold, _ = timed(at.run)
    _check(at)
    warm, _ = timed(at.run)
    _check(at)
    return {"login": login, "cold": cold, "warm": warm}


def _check(at: Any) -> None:
    if at.exception:
        raise RuntimeError([e.value for e in at.exception])
    if [t.value for t in at.title] != ["Submissions"]:
        raise RuntimeError(f"not on the dashboard: {[t.value for t in at.title]}")


def _account(url: str) -> None:
    engine = open_engine(url)
    try:
        create_user(engine, NAME, PASSWORD, dt.datetime.now(dt.UTC), actor="bench")
    except (AccountError, IntegrityError):
        pass  # made by an earlier run
    finally:
        engine.dispose()
