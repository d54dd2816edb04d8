"""Clinician accounts: create, disable, enable, and log in with a lockout.

Login refusals all look the same to the person at the keyboard (`LOGIN_REFUSED`), take the
same time (an unknown name is checked against a dummy hash) and are recorded in the audit
log with the real reason. After `LOCKOUT_FAILURES` failures on one name within
`LOCKOUT_WINDOW`, that name is refused for `LOCKOUT_DURATION`, even with the right
password. Failures live in the database, so a restart does not reset them, and every
function takes `now` (aware UTC) so tests move the clock instead of sleeping.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from access import passwords
from storage import audit
from storage.db import read, write
from storage.schema import login_failures, users
from storage.times import aware, utc

LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = dt.timedelta(minutes=15)
LOCKOUT_DURATION = dt.timedelta(minutes=15)
LOGIN_REFUSED = (
    "Login failed. Check your username and password. After 5 failed attempts the account "
    "is locked for 15 minutes."
)
"""The only thing a refused login is told, whatever the reason."""
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")


class AccountError(ValueError):
    """An account operation that cannot be done; the text is meant for the administrator."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    created_at: dt.datetime
    disabled_at: dt.datetime | None = None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    """The account, only when the login succeeded."""
    reason: str
    """ok | unknown_user | wrong_password | disabled | locked (for the audit log, not the UI)."""
    locked_now: bool = False
    """This failure started a lockout."""

    @property
    def ok(self) -> bool:
        return self.user is not None


def normalise_username(name: str) -> str:
    """Names are case-insensitive and compared after Unicode NFKC normalisation."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def check_username(name: str) -> str:
    """The normalised name, or AccountError saying what a valid name looks like."""
    normal = normalise_username(name)
    if not USERNAME.match(normal):
        raise AccountError(
            f"invalid user name {name!r}: use 1 to 64 letters a-z, digits and . _ @ -, "
            "starting with a letter or digit"
        )
    return normal


def create_user(
    engine: Engine, username: str, password: str, now: dt.datetime, actor: str = "cli"
) -> User:
    """A new active account; AccountError if the name is invalid or taken, or the password weak."""
    name = check_username(username)
    try:
        passwords.check_policy(password, name)
    except passwords.PasswordRefused as e:
        raise AccountError(str(e)) from None
    digest = passwords.hash_password(password)
    at = utc(now)
    try:
        with write(engine) as conn:
            new_id = conn.execute(
                insert(users).values(username=name, password_hash=digest, created_at=at)
            ).inserted_primary_key[0]
            audit.record(conn, actor, audit.USER_ADDED, at, detail=name)
    except IntegrityError:
        raise AccountError(f"user {name!r} already exists") from None
    return User(int(new_id), name, at)


def disable_user(engine: Engine, username: str, now: dt.datetime, actor: str = "cli") -> User:
    """Refuse every future login of this account (its history and audit entries stay)."""
    return _set_disabled(engine, username, True, utc(now), actor)


def enable_user(engine: Engine, username: str, now: dt.datetime, actor: str = "cli") -> User:
    return _set_disabled(engine, username, False, utc(now), actor)


def _set_disabled(engine: Engine, username: str, disable: bool, at: dt.datetime,
                  actor: str) -> User:
    name = normalise_username(username)
    with write(engine) as conn:
        done = conn.execute(
            update(users).where(users.c.username == name)
            .values(disabled_at=at if disable else None)
        ).rowcount
        if not done:
            raise AccountError(f"no user {name!r}")
        audit.record(conn, actor, audit.USER_DISABLED if disable else audit.USER_ENABLED, at,
                     detail=name)
        row = _row(conn, name)
    return _user(row)


def get_user(engine: Engine, username: str) -> User | None:
    with read(engine) as conn:
        row = _row(conn, normalise_username(username))
    return _user(row) if row else None


def stored_hash(engine: Engine, username: str) -> str | None:
    """The PHC string of an account (tests read the argon2 parameters back from it)."""
    with read(engine) as conn:
        row = _row(conn, normalise_username(username))
    return row["password_hash"] if row else None


def authenticate(engine: Engine, username: str, password: str, now: dt.datetime) -> LoginResult:
    """Check a login, record it (failures, lockout, audit) and say whether it succeeded."""
    at = utc(now)
    name = normalise_username(username)[:200]
    with read(engine) as conn:
        row = _row(conn, name) if USERNAME.match(name) else None
    # Always hash (a dummy for unknown names) before looking at anything else: same time.
    matches = passwords.verify(row["password_hash"] if row else None, password)
    new_hash = (passwords.hash_password(password)
                if matches and row and passwords.needs_rehash(row["password_hash"]) else None)
    who = row["username"] if row else ""
    key = _failure_key(name)
    with write(engine) as conn:
        until = _locked_until(conn, key, at)
        if until is not None:
            audit.record(conn, who, audit.LOGIN_FAILURE, at,
                         detail=f"account locked until {until:%Y-%m-%d %H:%M:%S} UTC")
            return LoginResult(None, "locked")
        if row and matches and row["disabled_at"] is None:
            conn.execute(delete(login_failures).where(login_failures.c.username_key == key))
            if new_hash:
                conn.execute(update(users).where(users.c.id == row["id"])
                             .values(password_hash=new_hash))
            audit.record(conn, who, audit.LOGIN_SUCCESS, at)
            return LoginResult(_user(row), "ok")
        reason = ("unknown_user" if row is None else "wrong_password" if not matches
                  else "disabled")
        locked_now = _count_failure(conn, key, at)
        audit.record(conn, who, audit.LOGIN_FAILURE, at, detail=reason.replace("_", " "))
        if locked_now:
            audit.record(conn, who, audit.LOCKOUT, at,
                         detail=f"{LOCKOUT_FAILURES} failures within {LOCKOUT_WINDOW}; "
                                f"locked until {at + LOCKOUT_DURATION:%Y-%m-%d %H:%M:%S} UTC")
    return LoginResult(None, reason, locked_now)


def locked_until(engine: Engine, username: str, now: dt.datetime) -> dt.datetime | None:
    """When the lockout of this name ends, or None if it is not locked at `now`."""
    with read(engine) as conn:
        return _locked_until(conn, _failure_key(normalise_username(username)), utc(now))


def _count_failure(conn: Connection, key: str, at: dt.datetime) -> bool:
    """Store one failure; True when it is the one that starts a lockout."""
    conn.execute(delete(login_failures).where(  # forget what can no longer matter
        login_failures.c.failed_at <= at - LOCKOUT_WINDOW,
        or_(login_failures.c.locked_until.is_(None), login_failures.c.locked_until <= at),
    ))
    failure_id = conn.execute(
        insert(login_failures).values(username_key=key, failed_at=at)
    ).inserted_primary_key[0]
    recent = conn.execute(
        select(func.count()).select_from(login_failures).where(
            login_failures.c.username_key == key,
            login_failures.c.failed_at > at - LOCKOUT_WINDOW,
        )
    ).scalar_one()
    if recent < LOCKOUT_FAILURES:
        return False
    conn.execute(update(login_failures).where(login_failures.c.id == failure_id)
                 .values(locked_until=at + LOCKOUT_DURATION))
    # The failures that caused this lockout must not cause another one after it ends.
    conn.execute(delete(login_failures).where(
        login_failures.c.username_key == key, login_failures.c.id != failure_id))
    return True


def _locked_until(conn: Connection, key: str, at: dt.datetime) -> dt.datetime | None:
    until = conn.execute(
        select(func.max(login_failures.c.locked_until)).where(
            login_failures.c.username_key == key, login_failures.c.locked_until > at
        )
    ).scalar_one_or_none()
    return None if until is None else aware(until)


def _failure_key(name: str) -> str:
    """Failures are counted per typed name, stored hashed: a password typed into the name
    field by mistake never reaches the database in clear."""
    return hashlib.sha256(name.encode("utf-8")).hexdigest()


def _row(conn: Connection, name: str) -> Any:
    return conn.execute(select(users).where(users.c.username == name)).mappings().first()


def _user(row: Any) -> User:
    disabled = row["disabled_at"]
    return User(row["id"], row["username"], aware(row["created_at"]),
                None if disabled is None else aware(disabled))
