"""Scenario 1: `intake export --format csv` against `sqlite3 -csv` dumping the same rows.

Both are whole processes writing a file from the same store, measured the same way: wall
time, and peak RSS from wait4 (the child's own ru_maxrss). The floor selects exactly the
stored columns the export reads (answers and calculated JSON included), in the export's
order. Memory must stay flat as the store grows: the peak RSS of the export at the small
store, the big store and (with --million) 1,000,000 submissions.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from bench.common import (
    MILLION,
    Context,
    ProcessRun,
    Result,
    median,
    python_command,
    run_process,
    skipped,
)
from bench.stores import seeded_store, sqlite_url
from exports.columns import STORED

STORED_COLUMNS = ", ".join(STORED)
"""The submissions columns the CSV export reads, in its order."""
FLOOR_SQL = f"SELECT {STORED_COLUMNS} FROM submissions ORDER BY submitted_at, id"
READ_SQL = (f"SELECT {', '.join(STORED[:8])}, export_cells FROM submissions "
            "ORDER BY submitted_at, id")
"""What the export reads of a row whose answer cells were cached at submit: reported beside
the floor (which dumps the answers themselves, the submissions as stored)."""
TIME_TARGET = 3.0
FLAT_TARGET = 1.25
"""Peak RSS at the bigger store at most 1.25× the smaller: flat, allowing allocator noise."""


def run(ctx: Context) -> list[Result]:
    n = ctx.sizes.store
    store = seeded_store(ctx, n)
    if shutil.which("sqlite3") is None:
        reason = "the sqlite3 command-line shell is not installed (apt-get install sqlite3)"
        time_row = skipped("export", f"CSV export of {n:,} submissions", reason,
                           f"≤ {TIME_TARGET}× floor")
        return [time_row, _memory(ctx, n, _ours(ctx, store).max_rss_mb)]
    ours_runs, floor_runs, read_runs = [], [], []
    for _ in range(ctx.sizes.repeats):  # alternate, so a busy moment hits both alike
        floor_runs.append(_floor(ctx, store))
        ours_runs.append(_ours(ctx, store))
        read_runs.append(_floor(ctx, store, READ_SQL))
    ours = median([r.seconds for r in ours_runs])
    floor = median([r.seconds for r in floor_runs])
    ours_cpu = median([r.cpu_seconds for r in ours_runs])
    floor_cpu = median([r.cpu_seconds for r in floor_runs])
    time_row = Result(
        "export", f"CSV export of {n:,} submissions", "s", ours, floor,
        target=f"≤ {TIME_TARGET}× floor", met=ours <= TIME_TARGET * floor,
        details={"rows": n, "ours_runs_s": [r.seconds for r in ours_runs],
                 "floor_runs_s": [r.seconds for r in floor_runs],
                 "ours_cpu_s": ours_cpu, "floor_cpu_s": floor_cpu,
                 "cpu_ratio": ours_cpu / floor_cpu if floor_cpu else None,
                 "ours_peak_rss_mb": max(r.max_rss_mb for r in ours_runs),
                 "floor_peak_rss_mb": max(r.max_rss_mb for r in floor_runs),
                 "floor_command": f"sqlite3 -csv STORE '{FLOOR_SQL}' > FILE",
                 "sqlite3_dumping_what_the_export_reads_s": median(
                     [r.seconds for r in read_runs])},
    )
    return [time_row, _memory(ctx, n, max(r.max_rss_mb for r in ours_runs))]


def _ours(ctx: Context, store: Path) -> ProcessRun:
    out = ctx.work_dir / "export.csv"
    out.unlink(missing_ok=True)
    return run_process(python_command("-m", "intake_cli", "export", "--format", "csv",
                                      "--out", str(out), "--database", sqlite_url(store)))


def _floor(ctx: Context, store: Path, sql: str = FLOOR_SQL) -> ProcessRun:
    with (ctx.work_dir / "floor.csv").open("w") as out:
        return run_process(["sqlite3", "-csv", str(store), sql], stdout=out)


def _memory(ctx: Context, n: int, big_rss: float) -> Result:
    """Peak RSS of the export at a small store against the big one (and 1M when asked)."""
    small = ctx.sizes.small_store
    small_rss = _ours(ctx, seeded_store(ctx, small)).max_rss_mb
    points = {small: small_rss, n: big_rss}
    largest = n
    if ctx.million:
        started = time.perf_counter()
        run = _ours(ctx, seeded_store(ctx, MILLION))
        points[MILLION] = run.max_rss_mb
        largest = MILLION
        ctx.say(f"1M export: {run.seconds:.1f} s, peak {run.max_rss_mb:.0f} MB "
                f"({time.perf_counter() - started:.0f} s with seeding)")
    base = n if ctx.million else small
    ours, floor = points[largest], points[base]
    return Result(
        "export_memory", f"export peak RSS at {largest:,} vs {base:,}", "MB", ours, floor,
        target=f"≤ {FLAT_TARGET}× (flat)", met=ours <= FLAT_TARGET * floor,
        details={"peak_rss_mb_by_rows": {str(k): v for k, v in points.items()},
                 "million": ctx.million},
    )
