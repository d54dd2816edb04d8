"""Clinician access: accounts with argon2id passwords, login with lockout, idle sessions."""

from access.accounts import (
    LOCKOUT_DURATION,
    LOCKOUT_FAILURES,
    LOCKOUT_WINDOW,
    LOGIN_REFUSED,
    AccountError,
    LoginResult,
    User,
    authenticate,
    create_user,
    disable_user,
    enable_user,
    get_user,
    locked_until,
)
from access.passwords import MAX_LENGTH, MIN_LENGTH, PARAMETERS, PasswordRefused
from access.sessions import SessionUser, idle_timeout

__all__ = [
    "LOCKOUT_DURATION",
    "LOCKOUT_FAILURES",
    "LOCKOUT_WINDOW",
    "LOGIN_REFUSED",
    "MAX_LENGTH",
    "MIN_LENGTH",
    "PARAMETERS",
    "AccountError",
    "LoginResult",
    "PasswordRefused",
    "SessionUser",
    "User",
    "authenticate",
    "create_user",
    "disable_user",
    "enable_user",
    "get_user",
    "idle_timeout",
    "locked_until",
]
