"""Scenario 2: screening throughput over stored submissions, and the time of one screen.

`intake rescreen` does not exist yet, so this measures its core directly: the stored
answers and calculated fields of every submission are read first (not timed), then
`rules.engine.screen` runs over each. The targets are absolute (≥ 50,000 per second, one
screen under 1 ms). The details also give the full path a rescreen that re-validates would
take (validate + calculate + screen, on a sample), for planning that command.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from bench.common import Context, Result, median, timed
from bench.stores import seeded_store, sqlite_url
from intake_pipeline import Intake
from questions import QuestionType
from rules import screen
from storage import open_engine
from storage.queries import SubmissionFilter, stream

RATE_TARGET = 50_000
ONE_TARGET_MS = 1.0
REVALIDATE_SAMPLE = 2_000


def run(ctx: Context) -> list[Result]:
    intake = Intake.load()
    engine = open_engine(sqlite_url(seeded_store(ctx, ctx.sizes.store)))
    values: list[dict[str, Any]] = []
    sample: list[dict[str, Any]] = []
    started = time.perf_counter()
    try:
        for record in stream(engine, SubmissionFilter()):
            values.append(typed_values(intake, record["answers"], record["calculated"]))
            if len(sample) < REVALIDATE_SAMPLE:
                sample.append(record)
    finally:
        engine.dispose()
    read_s = time.perf_counter() - started
    ruleset = intake.rules

    def screen_all() -> None:
        for v in values:
            screen(ruleset, v)

    rates = [len(values) / timed(screen_all)[0] for _ in range(ctx.sizes.repeats)]
    one_ms = [_one_ms(ruleset, v) for v in values]
    revalidate_s, _ = timed(lambda: [_revalidate(intake, r) for r in sample])
    rate = median(rates)
    details = {"submissions": len(values), "runs_per_s": rates,
               "read_and_type_s": read_s,
               "revalidate_and_screen_per_s": len(sample) / revalidate_s,
               "one_screen_p95_ms": sorted(one_ms)[int(len(one_ms) * 0.95)]}
    one = median(one_ms)
    return [
        Result("rescreen", f"screen {len(values):,} stored submissions", "/s", rate,
               target=f"≥ {RATE_TARGET:,}/s", met=rate >= RATE_TARGET, details=details),
        Result("rescreen_one", "median time of one screen", "ms", one,
               target=f"< {ONE_TARGET_MS} ms", met=one < ONE_TARGET_MS),
    ]


def typed_values(intake: Intake, answers: dict[str, Any], calculated: dict[str, Any]
                 ) -> dict[str, Any]:
    """What the rules saw at submit: stored JSON answers with dates as dates, plus calculations."""
    values = dict(answers)
    for q in intake.form.questions():
        if q.type is QuestionType.DATE and isinstance(values.get(q.id), str):
            values[q.id] = dt.date.fromisoformat(values[q.id])
    return {**values, **calculated}


def _one_ms(ruleset: Any, values: dict[str, Any]) -> float:
    start = time.perf_counter_ns()
    screen(ruleset, values)
    return (time.perf_counter_ns() - start) / 1e6


def _revalidate(intake: Intake, record: dict[str, Any]) -> Any:
    return intake.screen(intake.validate(record["answers"], on=record["submitted_at"].date()))
