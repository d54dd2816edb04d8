"""The clinician area at /clinician: login form, or (after login) the review dashboard.

`intake_app.py` asks `clinician_page()` for the page to register: while nobody is logged in
that is the login form, and the dashboard is not in st.navigation at all, so neither its
URL nor st.switch_page can reach it. Logins, lockouts and idle timeouts follow
`access.accounts` and `access.sessions`; this module only draws them.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from access import LOGIN_REFUSED, authenticate, idle_timeout
from access import sessions as clinician_sessions
from access.sessions import LAST_ACTIVITY_KEY, SessionUser
from storage import audit
from ui import clinician_common as common
from ui.clinician_detail import OPEN_KEY, detail_view
from ui.clinician_table import list_view

URL_PATH = "clinician"
HERE = Path(__file__).resolve().parent
LOGIN_SCRIPT = HERE / "clinician_login_page.py"
DASHBOARD_SCRIPT = HERE / "clinician_dashboard_page.py"
IDLE_CHECK_SECONDS = 30


def session_user() -> SessionUser | None:
    """The logged-in clinician, after applying the idle timeout (called on every run)."""
    user, expired = clinician_sessions.current(st.session_state, common.now(), idle_timeout())
    if expired is not None:
        minutes = int(idle_timeout().total_seconds() // 60)
        audit.record(common.engine(), expired.username, audit.SESSION_EXPIRED, common.now(),
                     detail=f"idle for more than {minutes} minutes")
    return user


def clinician_page(user: SessionUser | None) -> st.Page:
    """The page registered at /clinician for this run: login form or dashboard."""
    if user is None:
        return st.Page(LOGIN_SCRIPT, title="Clinician login", url_path=URL_PATH)
    return st.Page(DASHBOARD_SCRIPT, title="Clinician dashboard", url_path=URL_PATH)


# ---- login ---------------------------------------------------------------------------


def login_page() -> None:
    st.title("Clinician login")
    if st.session_state.pop(clinician_sessions.EXPIRED_KEY, False):
        minutes = int(idle_timeout().total_seconds() // 60)
        st.info(f"You were logged out after {minutes} minutes without activity. "
                "Please log in again.")
    with st.form("clinician_login_form", clear_on_submit=True, enter_to_submit=True):
        username = st.text_input("Username", key="clinician_login_username",
                                 autocomplete="username", max_chars=200)
        password = st.text_input("Password", type="password", key="clinician_login_password",
                                 autocomplete="current-password", max_chars=1100)
        submitted = st.form_submit_button("Log in", type="primary")
    if not submitted:
        return
    result = authenticate(common.engine(), username, password, common.now())
    if result.user is None:
        st.error(LOGIN_REFUSED)
        return
    clinician_sessions.start(st.session_state, SessionUser(result.user.id, result.user.username),
                             common.now())
    st.rerun()


def log_out() -> None:
    user = st.session_state.get(clinician_sessions.USER_KEY)
    if isinstance(user, SessionUser):
        audit.record(common.engine(), user.username, audit.LOGOUT, common.now())
    clinician_sessions.end(st.session_state)


# ---- dashboard -----------------------------------------------------------------------


def dashboard_page() -> None:
    user = common.user()
    with st.sidebar:
        st.caption("Logged in as")
        common.plain(user.username)
        st.button("Log out", key="clinician_logout", on_click=log_out)
        idle_watch()
    if st.session_state.get(OPEN_KEY):
        detail_view(st.session_state[OPEN_KEY])
    else:
        list_view()


@st.fragment(run_every=IDLE_CHECK_SECONDS)
def idle_watch() -> None:
    """Ends an idle session on screen too: without it, the last page would stay visible
    until the next click. Its own reruns do not count as activity."""
    last = st.session_state.get(LAST_ACTIVITY_KEY)
    if last is not None and common.now() - last > idle_timeout():
        st.rerun(scope="app")
