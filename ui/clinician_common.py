"""Small helpers shared by the clinician pages: clock, engine, user, local times, audit.

Every patient-derived string on these pages goes through `plain` (st.text) or a dataframe;
Markdown is only ever given our own words (form labels, outcome and status names).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st
from sqlalchemy import Engine

from access.sessions import USER_KEY, SessionUser
from storage import audit, default_url
from storage.times import aware
from ui.resources import get_store

PREFIX = "clinician_"
"""Every session-state key of the clinician area starts with this, so logging out (which
removes them all) leaves nothing behind."""


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def engine() -> Engine:
    return get_store().engine


def db_key() -> str:
    """Part of every cache key: tests (and deployments) may point at different databases."""
    return default_url()


def user() -> SessionUser:
    """The logged-in clinician; stops the page if there is none (defence in depth: the
    clinician pages are not even registered in st.navigation without a login)."""
    current = st.session_state.get(USER_KEY)
    if not isinstance(current, SessionUser):
        st.stop()
    return current


def record(action: str, record_ids: Iterable[str] = (), count: int | None = None,
           detail: str = "") -> None:
    audit.record(engine(), user().username, action, now(), record_ids, count, detail)


def zone() -> ZoneInfo | dt.timezone:
    """The browser's time zone (st.context.timezone), else UTC."""
    name = st.context.timezone
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return dt.UTC


def zone_name() -> str:
    tz = zone()
    return str(getattr(tz, "key", "UTC"))


def local(at: Any) -> str:
    """A stored UTC time as the clinician's local date and time."""
    if not isinstance(at, dt.datetime):
        return ""
    return aware(at).astimezone(zone()).strftime("%Y-%m-%d %H:%M")


def plain(text: str) -> None:
    """Patient or stored text, shown exactly as typed: never Markdown, never HTML."""
    st.text(text)
