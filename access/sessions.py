"""Clinician sessions: who is logged in, and when an idle session ends.

Pure functions over a plain dict (Streamlit's session state in the app, a dict in tests),
so the rules are the same everywhere and the clock is always passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from intake_settings import IDLE_TIMEOUT_MINUTES, number

USER_KEY = "clinician_user"
LAST_ACTIVITY_KEY = "clinician_last_activity"
EXPIRED_KEY = "clinician_session_expired"


@dataclass(frozen=True)
class SessionUser:
    id: int
    username: str


def idle_timeout() -> dt.timedelta:
    """INTAKE_IDLE_TIMEOUT_MINUTES as a duration; a non-positive value is a start-up error."""
    minutes = number(IDLE_TIMEOUT_MINUTES)
    if minutes <= 0:
        raise ValueError(f"{IDLE_TIMEOUT_MINUTES.name} must be more than 0 (got {minutes:g})")
    return dt.timedelta(minutes=minutes)


def start(state: MutableMapping[str, Any], user: SessionUser, now: dt.datetime) -> None:
    state[USER_KEY] = user
    state[LAST_ACTIVITY_KEY] = now
    state.pop(EXPIRED_KEY, None)


def end(state: MutableMapping[str, Any], prefix: str = "clinician_") -> None:
    """Forget the login and everything the clinician area kept in this session."""
    for key in [k for k in state if str(k).startswith(prefix)]:
        del state[key]


def current(
    state: MutableMapping[str, Any], now: dt.datetime, timeout: dt.timedelta
) -> tuple[SessionUser | None, SessionUser | None]:
    """(logged-in user, None), or (None, user whose idle session just ended); marks activity.

    A session idle for longer than `timeout` ends here: the caller shows the login form.
    """
    user = state.get(USER_KEY)
    if not isinstance(user, SessionUser):
        return None, None
    last = state.get(LAST_ACTIVITY_KEY)
    if not isinstance(last, dt.datetime) or now - last > timeout:
        end(state)
        state[EXPIRED_KEY] = True
        return None, user
    state[LAST_ACTIVITY_KEY] = now
    return user, None
