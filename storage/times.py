"""Times as the store hands them back, and as callers pass them in."""

from __future__ import annotations

import datetime as dt


def aware(at: dt.datetime) -> dt.datetime:
    """`at` as aware UTC; a naive time is taken to be UTC.

    SQLite hands back naive UTC datetimes for timezone columns, PostgreSQL aware ones in the
    session's time zone.
    """
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def utc(now: dt.datetime, what: str = "now") -> dt.datetime:
    """A caller's clock reading as UTC; a naive one is refused (it could be any zone)."""
    if now.tzinfo is None:
        raise ValueError(f"{what} must be an aware datetime (UTC)")
    return now.astimezone(dt.UTC)
