"""Filters over submissions shared by the clinician table, its downloads and the CLI exports.

One filter type so that `Download CSV` exports exactly the rows the clinician is looking at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    and_,
    case,
    func,
    or_,
    select,
    true,
)

from storage.schema import submissions
from storage.submissions import as_record, searchable

OUTCOME_ORDER = ("urgent", "exclude", "review", "candidate")


@dataclass(frozen=True)
class SubmissionFilter:
    since: dt.date | None = None
    """First day included (UTC)."""
    until: dt.date | None = None
    """Last day included (UTC)."""
    outcomes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """(question id, code) pairs; a row matches when it has any of them (e.g. painful areas)."""
    text: str = ""
    """Case- and accent-insensitive search in names, phone, email and reference."""

    def where(self) -> ColumnElement[bool]:
        c = submissions.c
        parts: list[ColumnElement[bool]] = []
        if self.since:
            parts.append(c.submitted_at >= _start_of(self.since))
        if self.until:
            parts.append(c.submitted_at < _start_of(self.until + dt.timedelta(days=1)))
        if self.outcomes:
            parts.append(c.outcome.in_(self.outcomes))
        if self.statuses:
            parts.append(c.status.in_(self.statuses))
        if self.choices:
            tokens = (c.choice_tokens.contains(f" {q}={code} ") for q, code in self.choices)
            parts.append(or_(*tokens))
        needle = searchable(self.text)
        if needle:
            parts.append(
                or_(
                    c.search_text.contains(needle, autoescape=True),
                    func.upper(c.reference).contains(self.text.strip().upper(), autoescape=True),
                )
            )
        return and_(true(), *parts)

    def indexed(self) -> bool:
        """True when only days and outcomes are filtered, which the (outcome, submitted_at)
        index answers alone. Statuses, areas and text are checked row by row: a rare match
        would walk every outcome's rows, slower than sorting the matches found otherwise."""
        return not (self.statuses or self.choices or searchable(self.text))


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def urgent_first() -> list[Any]:
    """Order: most severe outcome first, then newest."""
    severity = case({o: i for i, o in enumerate(OUTCOME_ORDER)}, value=submissions.c.outcome,
                    else_=len(OUTCOME_ORDER))
    return [severity, submissions.c.submitted_at.desc(), submissions.c.id]


def outside(column: Any, known: tuple[str, ...]) -> ColumnElement[bool]:
    """`column` holds a value but none of `known`: written as the ranges between the known
    values rather than NOT IN, which no index can answer. Our known values are lowercase
    ASCII words, which every collation sorts alike."""
    values = sorted(known)
    between = (and_(column > low, column < high) for low, high in pairwise(values))
    return or_(column < values[0], *between, column > values[-1])


def unranked() -> ColumnElement[bool]:
    """Rows with no outcome of OUTCOME_ORDER (not screened, or an unknown outcome): listed last."""
    outcome = submissions.c.outcome
    return or_(outcome.is_(None), outside(outcome, OUTCOME_ORDER))


def filtered(flt: SubmissionFilter, *columns: Any) -> Select[Any]:
    return select(*(columns or (submissions,))).where(flt.where())


def page_of(engine: Engine, flt: SubmissionFilter, page: int, size: int) -> list[dict[str, Any]]:
    """One page of rows, urgent first: the browser never receives the whole table.

    The page's ids are chosen first over narrow rows, then only those rows are read whole:
    sorting 100,000 full rows (answers JSON) to skip most of them was 7 times slower. With
    no filter, or only days and outcomes, the ids are read outcome by outcome from an index
    (the dashboard's first page then costs the same at 1,000 and 100,000 rows); other
    filters sort their matches in one query.
    """
    skip = max(page, 0) * size
    with _snapshot(engine) as conn:
        ids: Any
        if flt.indexed():
            ids = _ids_by_outcome(conn, flt, skip, size)
            if not ids:
                return []
        else:
            ids = filtered(flt, submissions.c.id).order_by(*urgent_first()) \
                .limit(size).offset(skip)
        query = select(submissions).where(submissions.c.id.in_(ids)).order_by(*urgent_first())
        return [as_record(row) for row in conn.execute(query).mappings()]


def _snapshot(engine: Engine) -> Connection:
    """A connection whose reads all see the same data: a SQLite transaction does already;
    PostgreSQL's default (READ COMMITTED) would take a new snapshot for each statement."""
    conn = engine.connect()
    if engine.dialect.name == "postgresql":
        return conn.execution_options(isolation_level="REPEATABLE READ")
    return conn


def _ids_by_outcome(conn: Connection, flt: SubmissionFilter, skip: int, size: int) -> list[str]:
    """The page's ids, read outcome by outcome in severity order until the page is full.

    Each outcome's rows come newest first from the (outcome, submitted_at) index, so the
    first page reads about `size` index entries however many rows are stored, where one
    ORDER BY over every row sorted them all. Outcomes wholly before the page are counted
    (from the same index) and skipped.
    """
    ids: list[str] = []
    for bucket, order in _outcome_buckets(flt):
        where = and_(flt.where(), bucket)
        if skip:
            rows = conn.execute(select(func.count()).select_from(submissions).where(where))
            before = int(rows.scalar_one())
            if before <= skip:
                skip -= before
                continue
        query = select(submissions.c.id).where(where).order_by(*order)
        ids += conn.execute(query.limit(size - len(ids)).offset(skip)).scalars()
        skip = 0
        if len(ids) >= size:
            break
    return ids


def _outcome_buckets(flt: SubmissionFilter) -> list[tuple[ColumnElement[bool], list[Any]]]:
    """(condition, order) of each outcome the filter admits, most severe first, then the rest."""
    c = submissions.c
    newest = [c.submitted_at.desc(), c.id]
    buckets = [(c.outcome == o, newest) for o in OUTCOME_ORDER
               if not flt.outcomes or o in flt.outcomes]
    if not flt.outcomes or set(flt.outcomes) - set(OUTCOME_ORDER):
        # urgent_first() is `newest` here (one severity), but leading with an expression
        # stops SQLite from walking the submitted_at index past every ranked row.
        buckets.append((unranked(), urgent_first()))
    return buckets


def count(engine: Engine, flt: SubmissionFilter) -> int:
    with engine.connect() as conn:
        query = select(func.count()).select_from(submissions).where(flt.where())
        return int(conn.execute(query).scalar_one())


STREAMED = tuple(c for c in submissions.c if c.name not in ("search_text", "choice_tokens"))
"""What `stream` reads: every column but the two denormalised for the clinician's filters."""


def stream(engine: Engine, flt: SubmissionFilter, batch: int = 2000) -> Iterator[dict[str, Any]]:
    """Every matching row, oldest first, fetched in batches: memory stays flat as the store grows.

    Rows come as plain tuples zipped with the column names (not RowMapping → dict), which
    halved the reading time of a 100,000-row export; JSON is decoded by `storage.db.json_loads`.
    """
    query = filtered(flt, *STREAMED).order_by(submissions.c.submitted_at, submissions.c.id)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
        keys = tuple(result.keys())
        utc = dt.UTC
        for row in result:
            record = dict(zip(keys, row))  # noqa: B905 - the same columns by construction
            at = record["submitted_at"]
            if at.tzinfo is None:  # SQLite hands back naive UTC
                record["submitted_at"] = at.replace(tzinfo=utc)
            elif at.utcoffset():
                record["submitted_at"] = at.astimezone(utc)
            yield record
