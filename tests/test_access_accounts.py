"""Clinician accounts: argon2id hashes, the password policy, login, lockout and idle sessions.

The clock is always passed in (`now`), so lockout windows are crossed by moving the time,
never by sleeping. Every test uses a real SQLite file.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from sqlalchemy import Engine, insert, select

from access import (
    LOCKOUT_DURATION,
    LOCKOUT_FAILURES,
    AccountError,
    authenticate,
    create_user,
    disable_user,
    enable_user,
    get_user,
    idle_timeout,
    locked_until,
    passwords,
)
from access import sessions as clinician_sessions
from access.accounts import stored_hash
from access.sessions import SessionUser
from storage import audit, open_engine
from storage.schema import login_failures, users

T0 = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery staple"
NAME = "drsmith"


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


@pytest.fixture
def account(engine: Engine) -> str:
    create_user(engine, NAME, PASSWORD, T0)
    return NAME


def fail(engine: Engine, times: int, start: dt.datetime, name: str = NAME) -> dt.datetime:
    """`times` wrong-password attempts one minute apart; returns the time of the last one."""
    at = start
    for i in range(times):
        at = start + minutes(i)
        assert not authenticate(engine, name, "wrong password, sorry", at).ok
    return at


# ---- hashing and policy ---------------------------------------------------------------


def test_stored_hash_is_argon2id_at_owasp_parameters_or_stronger(engine: Engine, account: str):
    phc = stored_hash(engine, account)
    assert phc is not None and phc.startswith("$argon2id$v=19$")
    params = extract_parameters(phc)
    assert params.type is Type.ID
    # OWASP Password Storage Cheat Sheet minimum: m = 19 MiB, t = 2, p = 1.
    assert params.memory_cost >= 19 * 1024
    assert params.time_cost >= 2
    assert params.parallelism >= 1
    # What we chose (RFC 9106 "low memory"), read back from the hash itself:
    assert (params.memory_cost, params.time_cost, params.parallelism) == (65536, 3, 4)
    assert params.salt_len == 16 and params.hash_len == 32
    assert PASSWORD not in phc


@pytest.mark.parametrize(
    ("length", "accepted"),
    [(14, False), (15, True), (64, True), (100, True), (1024, True), (1025, False)],
)
def test_password_length_limits(engine: Engine, length: int, accepted: bool):
    password = ("abcdefghij" * 103)[:length]
    if accepted:
        create_user(engine, NAME, password, T0)
        assert authenticate(engine, NAME, password, T0).ok
    else:
        with pytest.raises(AccountError, match="characters"):
            create_user(engine, NAME, password, T0)
        assert get_user(engine, NAME) is None


def test_long_password_is_not_truncated(engine: Engine):
    password = "p" * 99 + "A"
    create_user(engine, NAME, password, T0)
    assert authenticate(engine, NAME, password, T0).ok
    assert not authenticate(engine, NAME, "p" * 99 + "B", T0).ok
    assert not authenticate(engine, NAME, "p" * 99, T0).ok


def test_password_equal_to_the_user_name_is_refused(engine: Engine):
    with pytest.raises(AccountError, match="user name"):
        create_user(engine, "averyverylongname", "AveryVeryLongName", T0)


def test_unicode_password_matches_in_either_normal_form(engine: Engine):
    password = "Zoë García Ångström piña"
    create_user(engine, NAME, unicodedata.normalize("NFC", password), T0)
    assert authenticate(engine, NAME, unicodedata.normalize("NFD", password), T0).ok


@pytest.mark.parametrize("name", ["", " ", "-leading-dash", "has space", "x" * 65, "a/b"])
def test_invalid_user_names_are_refused(engine: Engine, name: str):
    with pytest.raises(AccountError, match="invalid user name"):
        create_user(engine, name, PASSWORD, T0)


def test_user_names_are_unique_and_case_insensitive(engine: Engine, account: str):
    with pytest.raises(AccountError, match="already exists"):
        create_user(engine, "DrSmith", PASSWORD + "!", T0)
    assert authenticate(engine, "  DRSMITH ", PASSWORD, T0).ok


def test_old_weaker_hash_is_upgraded_at_the_next_login(engine: Engine):
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    with engine.begin() as conn:
        conn.execute(insert(users).values(username=NAME, password_hash=weak, created_at=T0))
    assert authenticate(engine, NAME, PASSWORD, T0).ok
    params = extract_parameters(stored_hash(engine, NAME) or "")
    assert (params.memory_cost, params.time_cost, params.parallelism) == (65536, 3, 4)


# ---- login ---------------------------------------------------------------------------


def test_login_success_is_audited(engine: Engine, account: str):
    result = authenticate(engine, NAME, PASSWORD, T0)
    assert result.ok and result.user is not None and result.user.username == NAME
    entry = audit.latest(engine, 1)[0]
    assert (entry.user, entry.action, entry.at) == (NAME, audit.LOGIN_SUCCESS, T0)


@pytest.mark.parametrize(
    ("name", "password", "reason", "audited_user"),
    [(NAME, "wrong password, sorry", "wrong_password", NAME),
     ("nobody", PASSWORD, "unknown_user", "")],
)
def test_refused_logins_are_audited_with_their_reason(
    engine: Engine, account: str, name: str, password: str, reason: str, audited_user: str
):
    result = authenticate(engine, name, password, T0)
    assert not result.ok and result.user is None and result.reason == reason
    entry = audit.latest(engine, 1)[0]
    assert (entry.user, entry.action) == (audited_user, audit.LOGIN_FAILURE)
    assert entry.detail == reason.replace("_", " ")


def test_a_password_typed_as_user_name_is_never_stored(engine: Engine, account: str):
    typed = "mysecretpassword2026"
    authenticate(engine, typed, "", T0)
    with engine.connect() as conn:
        stored = [tuple(map(str, row)) for row in conn.execute(select(login_failures))]
    assert stored and not any(typed in cell for row in stored for cell in row)
    assert all(typed not in (e.user + e.detail) for e in audit.latest(engine))


def test_an_unknown_user_is_checked_against_a_dummy_hash_of_the_same_cost(
    engine: Engine, account: str
):
    """A wrong name costs one argon2 verification with the real parameters, like a wrong
    password (checked by its parameters, not by timing, so it cannot flake)."""
    authenticate(engine, "nobody-here", "wrong password, sorry", T0 - dt.timedelta(days=1))
    with engine.connect() as conn:
        real = conn.execute(select(users.c.password_hash)).scalar_one()
    dummy = passwords._dummy()  # the hash an unknown name is verified against
    assert extract_parameters(dummy) == extract_parameters(real)


def test_disabled_user_is_refused_even_with_the_right_password(engine: Engine, account: str):
    disable_user(engine, NAME, T0)
    user = get_user(engine, NAME)
    assert user is not None and not user.active
    result = authenticate(engine, NAME, PASSWORD, T0 + minutes(1))
    assert not result.ok and result.reason == "disabled"
    enable_user(engine, NAME, T0 + minutes(2))
    assert authenticate(engine, NAME, PASSWORD, T0 + minutes(3)).ok
    actions = [e.action for e in audit.latest(engine)][::-1]
    assert actions[:3] == [audit.USER_ADDED, audit.USER_DISABLED, audit.LOGIN_FAILURE]
    assert actions[3:] == [audit.USER_ENABLED, audit.LOGIN_SUCCESS]


@pytest.mark.parametrize("run", [disable_user, enable_user])
def test_disabling_an_unknown_user_is_an_error(engine: Engine, run):
    with pytest.raises(AccountError, match="no user"):
        run(engine, "nobody", T0)


# ---- lockout -------------------------------------------------------------------------


def test_five_failures_lock_the_account_for_fifteen_minutes(engine: Engine, account: str):
    fifth = fail(engine, LOCKOUT_FAILURES, T0)  # T0 .. T0+4min
    assert locked_until(engine, NAME, fifth) == fifth + LOCKOUT_DURATION
    refused = authenticate(engine, NAME, PASSWORD, fifth + minutes(1))
    assert not refused.ok and refused.reason == "locked"
    assert not authenticate(engine, NAME, PASSWORD, fifth + minutes(14.9)).ok
    assert authenticate(engine, NAME, PASSWORD, fifth + minutes(15) + dt.timedelta(seconds=1)).ok
    lockouts = audit.latest(engine, action=audit.LOCKOUT)
    assert len(lockouts) == 1 and lockouts[0].user == NAME and lockouts[0].at == fifth


def test_attempts_while_locked_do_not_extend_the_lockout(engine: Engine, account: str):
    fifth = fail(engine, LOCKOUT_FAILURES, T0)
    for i in range(1, 10):
        authenticate(engine, NAME, "wrong password, sorry", fifth + minutes(i))
    assert locked_until(engine, NAME, fifth + minutes(10)) == fifth + LOCKOUT_DURATION
    assert authenticate(engine, NAME, PASSWORD, fifth + minutes(16)).ok


def test_failures_spread_over_more_than_the_window_do_not_lock(engine: Engine, account: str):
    fail(engine, LOCKOUT_FAILURES - 1, T0)
    assert not authenticate(engine, NAME, "wrong password, sorry", T0 + minutes(16)).ok
    assert authenticate(engine, NAME, PASSWORD, T0 + minutes(17)).ok


def test_a_successful_login_resets_the_count(engine: Engine, account: str):
    fail(engine, LOCKOUT_FAILURES - 1, T0)
    assert authenticate(engine, NAME, PASSWORD, T0 + minutes(5)).ok
    fail(engine, LOCKOUT_FAILURES - 1, T0 + minutes(6))
    assert authenticate(engine, NAME, PASSWORD, T0 + minutes(10)).ok


def test_unknown_names_lock_the_same_way(engine: Engine):
    fail(engine, LOCKOUT_FAILURES, T0, name="ghost")
    assert locked_until(engine, "ghost", T0 + minutes(5)) is not None


def test_the_failure_count_survives_a_restart(db_url: str, account: str, engine: Engine):
    fail(engine, 3, T0)
    engine.dispose()
    restarted = open_engine(db_url)
    try:
        fail(restarted, 2, T0 + minutes(3))
        assert not authenticate(restarted, NAME, PASSWORD, T0 + minutes(6)).ok
        assert locked_until(restarted, NAME, T0 + minutes(6)) is not None
    finally:
        restarted.dispose()


def test_the_lockout_is_kept_in_the_database_file(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    first = open_engine(url)
    create_user(first, NAME, PASSWORD, T0)
    fail(first, LOCKOUT_FAILURES, T0)
    first.dispose()
    second = open_engine(url)
    assert authenticate(second, NAME, PASSWORD, T0 + minutes(5)).reason == "locked"
    second.dispose()


def test_naive_times_are_refused(engine: Engine, account: str):
    with pytest.raises(ValueError, match="aware"):
        authenticate(engine, NAME, PASSWORD, dt.datetime(2026, 11, 26, 9, 0))


# ---- idle sessions -------------------------------------------------------------------


def test_idle_timeout_setting(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("INTAKE_IDLE_TIMEOUT_MINUTES", raising=False)
    assert idle_timeout() == minutes(15)
    monkeypatch.setenv("INTAKE_IDLE_TIMEOUT_MINUTES", "5")
    assert idle_timeout() == minutes(5)
    for bad in ("0", "soon"):
        monkeypatch.setenv("INTAKE_IDLE_TIMEOUT_MINUTES", bad)
        with pytest.raises(ValueError, match="INTAKE_IDLE_TIMEOUT_MINUTES"):
            idle_timeout()


def test_a_session_ends_after_the_idle_timeout():
    state: dict[str, object] = {"clinician_open": "some-id", "q_first_name": "kept"}
    user = SessionUser(1, NAME)
    clinician_sessions.start(state, user, T0)
    assert clinician_sessions.current(state, T0 + minutes(14), minutes(15)) == (user, None)
    # activity moved the clock: 14 more minutes are fine, then 15 and a bit are not
    assert clinician_sessions.current(state, T0 + minutes(28), minutes(15)) == (user, None)
    assert clinician_sessions.current(state, T0 + minutes(43.1), minutes(15)) == (None, user)
    assert clinician_sessions.USER_KEY not in state and "clinician_open" not in state
    assert state["q_first_name"] == "kept"  # the patient wizard's state is not ours to drop
    assert state[clinician_sessions.EXPIRED_KEY] is True
