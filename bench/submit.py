"""Scenario 3: 8 concurrent writer processes storing submissions through `SubmissionStore.save`.

Floor: the same 8 processes each running a bare insert-and-commit loop (sqlite3 module,
or psycopg on PostgreSQL) of one row per commit holding the same bytes as our stored row,
with the same pragmas (WAL, synchronous=FULL, BEGIN IMMEDIATE, busy timeout). Throughput is
submissions per second from the first start to the last finish; every failed save is
counted and must be 0. Answers are validated and screened before the clock starts: this
measures storing only.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing as mp
import queue
import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from bench.common import Context, Result, median
from bench.stores import sqlite_url
from intake_pipeline import Intake
from questions.synthetic import Synthesizer
from storage import SubmissionStore, open_engine
from storage.submissions import NewSubmission, submission_row, submit_screening_row

WRITERS = 8
TARGET = 0.5
BUSY_TIMEOUT_MS = 30_000
FLOOR_TABLE = "CREATE TABLE floor_rows (id TEXT PRIMARY KEY, payload TEXT NOT NULL)"


def run(ctx: Context) -> list[Result]:
    rows = [_sqlite(ctx)]
    if ctx.pg_url:
        rows.append(_postgresql(ctx, ctx.pg_url))
    else:
        rows.append(Result("submit_postgresql", "8 writers, PostgreSQL", "/s", None,
                           target=f"≥ {TARGET}× floor, 0 errors",
                           skipped="no --pg URL given"))
    return rows


# ---- SQLite --------------------------------------------------------------------------


def _sqlite(ctx: Context) -> Result:
    ours, floor = [], []
    for repeat in range(ctx.sizes.repeats):
        path = ctx.work_dir / f"submit-{repeat}.db"
        open_engine(sqlite_url(path)).dispose()  # migrated once, before the writers start
        ours.append(_race(_ours_worker, sqlite_url(path), ctx.sizes.submits))
        floor_path = ctx.work_dir / f"floor-{repeat}.db"
        with sqlite3.connect(floor_path) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(FLOOR_TABLE)
        floor.append(_race(_sqlite_floor_worker, str(floor_path), ctx.sizes.submits))
    return _result("submit_sqlite", "8 writers, SQLite WAL/FULL", ours, floor)


def _sqlite_floor_worker(path: str, payloads: list[str], worker: int, barrier: Any,
                         results: Any) -> None:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", f"busy_timeout={BUSY_TIMEOUT_MS}",
                   "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")

    def insert(key: str, payload: str) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("INSERT INTO floor_rows VALUES (?, ?)", (key, payload))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    _loop(worker, payloads, insert, barrier, results)


# ---- PostgreSQL ----------------------------------------------------------------------


def _postgresql(ctx: Context, server: str) -> Result:
    ours, floor = [], []
    with _fresh_database(server) as url:
        open_engine(url).dispose()
        admin = create_engine(url, poolclass=NullPool)
        with admin.begin() as conn:
            conn.execute(text(FLOOR_TABLE.replace("TEXT NOT NULL", "JSON NOT NULL")))
        for _ in range(ctx.sizes.repeats):
            with admin.begin() as conn:  # every repeat starts from empty tables
                conn.execute(text("TRUNCATE submissions, screenings, floor_rows CASCADE"))
            ours.append(_race(_ours_worker, url, ctx.sizes.submits))
            floor.append(_race(_pg_floor_worker, _libpq(url), ctx.sizes.submits))
        admin.dispose()
    return _result("submit_postgresql", "8 writers, PostgreSQL", ours, floor)


def _pg_floor_worker(dsn: str, payloads: list[str], worker: int, barrier: Any,
                     results: Any) -> None:
    import psycopg

    conn = psycopg.connect(dsn)

    def insert(key: str, payload: str) -> None:
        try:
            conn.execute("INSERT INTO floor_rows VALUES (%s, %s)", (key, payload))
        except BaseException:
            conn.rollback()
            raise
        conn.commit()

    _loop(worker, payloads, insert, barrier, results)
    conn.close()


@contextmanager
def _fresh_database(server: str) -> Iterator[str]:
    """A new database on the given server for this run, dropped afterwards."""
    name = f"intake_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# ---- the race ------------------------------------------------------------------------


def _ours_worker(url: str, payloads: list[str], worker: int, barrier: Any,
                 results: Any) -> None:
    news = [_new(payload) for payload in payloads]
    store = SubmissionStore(open_engine(url))
    _loop(worker, news, lambda _, new: store.save(new), barrier, results)
    store.engine.dispose()


def _loop(worker: int, items: list[Any], save: Callable[[str, Any], Any], barrier: Any,
          results: Any) -> None:
    """Wait for every writer, then store each item; report counts, errors and times."""
    errors: list[str] = []
    barrier.wait()
    start = time.monotonic()
    for i, item in enumerate(items):
        try:
            save(f"w{worker}-{i}", item)
        except Exception as e:  # noqa: BLE001 - counted and reported, never hidden
            errors.append(f"{type(e).__name__}: {e}"[:300])
    results.put((worker, len(items) - len(errors), errors, start, time.monotonic()))


def _race(worker: Callable[..., None], target: str, total: int) -> dict[str, Any]:
    """Start the writers, release them together, and gather what they stored."""
    spawn = mp.get_context("spawn")
    barrier, results = spawn.Barrier(WRITERS), spawn.Queue()
    per = total // WRITERS
    with tempfile.TemporaryDirectory(prefix="intake-bench-") as folder:
        files = []
        for w, payloads in enumerate(_payloads(worker, per)):
            files.append(Path(folder) / f"writer-{w}.json")
            files[-1].write_text(json.dumps(payloads), encoding="utf-8")
        processes = [spawn.Process(target=_start, args=(worker, target, str(files[w]), w, barrier,
                                                          results))
                     for w in range(WRITERS)]
        for p in processes:
            p.start()
        reports = _gather(processes, results)
    stored = sum(r[1] for r in reports)
    errors = [e for r in reports for e in r[2]]
    seconds = max(r[4] for r in reports) - min(r[3] for r in reports)
    return {"stored": stored, "errors": len(errors), "error_samples": errors[:5],
            "seconds": seconds, "per_s": stored / seconds if seconds else 0.0}


def _start(worker: Callable[..., None], target: str, payload_file: str, w: int, barrier: Any,
           results: Any) -> None:
    """A writer process: its payloads come from a file, not through the start-up pipe (a
    parent writing 400 kB into the pipe of a child that died before reading it hung)."""
    payloads = json.loads(Path(payload_file).read_text(encoding="utf-8"))
    worker(target, payloads, w, barrier, results)


def _gather(processes: list[Any], results: Any) -> list[Any]:
    """Every writer's report; stop all of them if one dies before reporting."""
    reports: list[Any] = []
    while len(reports) < len(processes):
        try:
            reports.append(results.get(timeout=1))
        except queue.Empty:
            crashed = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
            if crashed:  # a writer died before reporting: stop, rather than wait forever
                for p in processes:
                    p.kill()
                raise RuntimeError(f"a writer process exited with status {crashed[0]}") from None
    for p in processes:
        p.join()
    return reports


def _payloads(worker: Callable[..., None], per: int) -> list[list[str]]:
    """Per writer: submission documents (ours) or rows of the same size (the floors)."""
    intake = Intake.load()
    synthesizer = Synthesizer(intake.form)
    rng = random.Random(1)
    now = dt.datetime.now(dt.UTC)
    out = []
    for w in range(WRITERS):
        docs = []
        for i in range(per):
            new = intake.prepare(synthesizer.answers(rng, now.date()),
                                 f"bench-{uuid.uuid4().hex}-{w}-{i}", now)
            docs.append(_encode(new) if worker is _ours_worker else _stored_bytes(new))
        out.append(docs)
    return out


def _encode(new: NewSubmission) -> str:
    return json.dumps({**new.__dict__, "submitted_at": new.submitted_at.isoformat()})


def _new(payload: str) -> NewSubmission:
    data = json.loads(payload)
    data["submitted_at"] = dt.datetime.fromisoformat(data["submitted_at"])
    return NewSubmission(**data)


def _stored_bytes(new: NewSubmission) -> str:
    """JSON of everything `save` stores for one submission (both rows): the same size."""
    row = submission_row(new)
    return json.dumps({"submission": row, "screening": submit_screening_row(row)}, default=str)


def _result(scenario: str, metric: str, ours: list[dict[str, Any]],
            floor: list[dict[str, Any]]) -> Result:
    ours_rate = median([r["per_s"] for r in ours])
    floor_rate = median([r["per_s"] for r in floor])
    errors = sum(r["errors"] for r in ours) + sum(r["errors"] for r in floor)
    return Result(
        scenario, metric, "/s", ours_rate, floor_rate,
        target=f"≥ {TARGET}× floor, 0 errors",
        met=ours_rate >= TARGET * floor_rate and errors == 0,
        details={"writers": WRITERS, "errors": errors, "ours_runs": ours, "floor_runs": floor},
    )
