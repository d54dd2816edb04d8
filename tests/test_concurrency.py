"""Eight processes submitting at once leave exactly one row per submission key, no errors.

Real processes (tests/helpers/writer.py) on a real SQLite file (WAL, BEGIN IMMEDIATE, busy
timeout) and on PostgreSQL. Keys repeat on purpose: a retry by the same process, the same
document from two processes at the same moment, one key from all eight, and the same key
with different answers from two processes (one is stored, the other refused).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import candidate_answers
from helpers.pg import BACKENDS, backend_url
from helpers.procs import LineReader, job, start_writer
from sqlalchemy import Engine, func, select

from storage import open_engine, read
from storage.schema import screenings, submissions

WORKERS, PER_WORKER = 8, 50
AT = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
SECONDS = 60


@dataclass(frozen=True)
class Run:
    plans: list[list[dict[str, Any]]]
    results: list[list[dict[str, Any]]]
    """Each writer's result lines, in the order of its plan."""
    rows: dict[str, dict[str, Any]]
    """Stored submissions by key."""
    screenings: int


@pytest.fixture(scope="module", params=BACKENDS)
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
        ) -> Iterator[Run]:
    """One burst of eight writers per backend, checked by every test below."""
    folder = tmp_path_factory.mktemp("writers")
    with backend_url(request, folder) as url:
        engine = open_engine(url)  # the writers find it at head: one SELECT each
        plans = plan(candidate_answers())
        results = run_writers(url, plans, folder)
        with read(engine) as conn:
            count = conn.execute(select(func.count()).select_from(screenings)).scalar_one()
        yield Run(plans, results, stored(engine), count)
        engine.dispose()


def plan(answers: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """Each worker's documents; slot i of every worker is sent at about the same moment."""
    plans = []
    for w in range(WORKERS):
        jobs = []
        for i in range(PER_WORKER):
            if 10 <= i < 20:  # two workers, same key, same answers
                key = variant = f"pair-{i}-{w // 2}"
            elif 20 <= i < 23:  # two workers, same key, different answers
                key, variant = f"conflict-{i}-{w // 2}", f"conflict-{i}-by-{w}"
            elif i == 30:  # all eight workers
                key = variant = "everyone"
            elif i == 45:  # the same worker retries its document of slot 5
                key = variant = f"solo-{w}-5"
            else:
                key = variant = f"solo-{w}-{i}"
            jobs.append(job(key, answers, variant, AT))
        plans.append(jobs)
    return plans


def run_writers(url: str, plans: list[list[dict[str, Any]]], folder: Path) -> list[list[dict]]:
    """Start every writer, release them together, return each one's result lines."""
    procs = [start_writer(url, jobs, folder, f"writer{n}", wait=True)
             for n, jobs in enumerate(plans)]
    try:
        readers = [LineReader(p) for p in procs]
        for reader in readers:
            assert reader.lines(1, SECONDS) == ["ready"]
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write(b"go\n")
            proc.stdin.flush()
        results = [[json.loads(line) for line in r.rest(SECONDS)] for r in readers]
        for proc in procs:
            proc.wait(SECONDS)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    errors = [proc.stderr.read().decode() if proc.stderr else "" for proc in procs]
    assert [p.returncode for p in procs] == [0] * len(procs), "\n".join(errors)
    assert errors == [""] * len(procs)  # no "database is locked", no warning, nothing
    return results


def stored(engine: Engine) -> dict[str, dict[str, Any]]:
    query = select(submissions.c.submission_key, submissions.c.id, submissions.c.reference,
                   submissions.c.answers)
    with read(engine) as conn:
        return {row.submission_key: row._asdict() for row in conn.execute(query)}


def test_eight_writers_leave_exactly_one_row_per_key(run: Run) -> None:
    sent = {j["key"] for jobs in run.plans for j in jobs}
    assert set(run.rows) == sent and len(sent) == 333
    assert run.screenings == 333  # each stored with its screening, none half-stored


def test_every_writer_is_told_the_one_stored_record(run: Run) -> None:
    by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for lines in run.results:
        assert len(lines) == PER_WORKER
        for line in lines:
            by_key[line["key"]].append(line)
    for key, lines in by_key.items():
        row = run.rows[key]
        saved = [line for line in lines if not line.get("conflict")]
        assert sum(not line["duplicate"] for line in saved) == 1, key  # one insert won
        assert {(line["id"], line["reference"]) for line in saved} == {
            (row["id"], row["reference"])}
        if not key.startswith("conflict-"):
            assert len(saved) == len(lines), key


def test_the_same_key_with_other_answers_is_refused_never_stored_twice(run: Run) -> None:
    """Every conflicting pair: one stored with its own answers, the other told KeyConflict."""
    conflicts = 0
    for jobs, lines in zip(run.plans, run.results, strict=True):
        for sent, line in zip(jobs, lines, strict=True):
            if not sent["key"].startswith("conflict-"):
                continue
            goals = run.rows[sent["key"]]["answers"]["goals"]
            if line.get("conflict"):
                conflicts += 1
                assert goals != sent["answers"]["goals"]
            else:
                assert goals == sent["answers"]["goals"] and not line["duplicate"]
    assert conflicts == 12
