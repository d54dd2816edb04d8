"""Drafts: a patient's unfinished answers, saved at every Next, resumable by a URL token.

The token is 256 random bits (unguessable) and only its SHA-256 is stored, so a copy of
the database does not let anyone resume someone else's form.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from storage.db import read, write
from storage.schema import drafts
from storage.times import aware


@dataclass(frozen=True)
class Draft:
    answers: dict[str, Any]
    step: int
    language: str
    updated_at: dt.datetime


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class DraftStore:
    def __init__(self, engine: Engine, ttl: dt.timedelta) -> None:
        self.engine = engine
        self.ttl = ttl

    def save(
        self,
        token: str,
        answers: dict[str, Any],
        step: int,
        language: str,
        now: dt.datetime | None = None,
    ) -> None:
        """Insert or replace; every save pushes the expiry `ttl` into the future."""
        now = now or dt.datetime.now(dt.UTC)
        key = token_hash(token)
        values = {
            "answers": answers,
            "step": step,
            "language": language,
            "updated_at": now,
            "expires_at": now + self.ttl,
        }
        for _ in range(2):  # two tabs saving a new draft at once: the second one updates
            try:
                with write(self.engine) as conn:
                    changed = conn.execute(
                        update(drafts).where(drafts.c.token_hash == key).values(**values)
                    ).rowcount
                    if not changed:
                        conn.execute(
                            insert(drafts).values(token_hash=key, created_at=now, **values)
                        )
                return
            except IntegrityError:
                continue

    def load(self, token: str, now: dt.datetime | None = None) -> Draft | None:
        """The draft, or None when there is none or it has expired."""
        now = now or dt.datetime.now(dt.UTC)
        with read(self.engine) as conn:
            row = conn.execute(
                select(drafts).where(drafts.c.token_hash == token_hash(token))
            ).mappings().first()
        if row is None or aware(row["expires_at"]) <= now:
            return None
        return Draft(dict(row["answers"]), int(row["step"]), row["language"],
                     aware(row["updated_at"]))

    def delete(self, token: str) -> None:
        with write(self.engine) as conn:
            conn.execute(delete(drafts).where(drafts.c.token_hash == token_hash(token)))

    def purge_expired(self, now: dt.datetime | None = None) -> int:
        now = now or dt.datetime.now(dt.UTC)
        with write(self.engine) as conn:
            return int(conn.execute(delete(drafts).where(drafts.c.expires_at <= now)).rowcount)
