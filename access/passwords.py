"""Password policy and hashing: argon2id (argon2-cffi), never truncated.

Parameters: RFC 9106's second recommended option ("low memory"): argon2id, m = 64 MiB,
t = 3, p = 4, 16-byte salt, 32-byte tag. That is stronger on every axis than OWASP's
minimum (Password Storage Cheat Sheet: m = 19 MiB, t = 2, p = 1) and costs about 0.15 s on
two cores. A stored hash keeps its parameters (PHC string), so raising them later only
needs `needs_rehash` at the next successful login.

Policy (NIST SP 800-63B): 15 to 1,024 characters, all kept (argon2 has no length limit,
unlike bcrypt's 72 bytes); Unicode is NFKC-normalised so the same password typed on
different keyboards matches; no composition rules.
"""

from __future__ import annotations

import threading
import unicodedata

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

PARAMETERS = profiles.RFC_9106_LOW_MEMORY
MIN_LENGTH = 15
MAX_LENGTH = 1024
MAX_PARALLEL_HASHES = 4
"""At most this many hashes at once per process: 64 MiB each, so a login flood cannot
exhaust memory; further logins wait their turn."""

_hasher = PasswordHasher.from_parameters(PARAMETERS)
_slots = threading.BoundedSemaphore(MAX_PARALLEL_HASHES)
_dummy_hash: str | None = None


class PasswordRefused(ValueError):
    """The password does not meet the policy; the text says why, for the person typing it."""


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def check_policy(password: str, username: str = "") -> None:
    """Raise PasswordRefused naming the rule a new password breaks."""
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        raise PasswordRefused(
            f"The password has {len(password)} characters; use at least {MIN_LENGTH} "
            "(a few unrelated words make a long password that is easy to remember)."
        )
    if len(password) > MAX_LENGTH:
        raise PasswordRefused(
            f"The password has {len(password)} characters; use at most {MAX_LENGTH}."
        )
    if username and password.casefold() == username.casefold():
        raise PasswordRefused("The password must not be the user name.")
    if not password.strip():
        raise PasswordRefused("The password must not be only spaces.")


def hash_password(password: str) -> str:
    """The argon2id PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$tag) for a password."""
    with _slots:
        return _hasher.hash(normalise(password))


def verify(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; with no hash, spend the same time and return False.

    Checking a dummy hash for unknown names keeps a wrong name as slow as a wrong password,
    so the time taken does not tell which user names exist.
    """
    candidate = normalise(password)
    too_long = len(candidate) > MAX_LENGTH  # no stored password is this long: cannot match
    with _slots:
        try:
            ok = _hasher.verify(_dummy() if too_long else stored_hash or _dummy(),
                                "" if too_long else candidate)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
    return ok and not too_long and stored_hash is not None


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other (older, weaker) parameters than PARAMETERS."""
    return _hasher.check_needs_rehash(stored_hash)


def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("not a real password, only spends time")
    return _dummy_hash
