"""What every scenario shares: the result row, sizes, timing and memory helpers.

A scenario returns `Result`s: our figure, the floor's figure measured in the same run, and
the target they are judged against. Times are medians of repeats, so one slow moment on a
shared machine does not decide a row.
"""

from __future__ import annotations

import logging
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
"""The project folder (scripts run with it as their working directory)."""


@dataclass(frozen=True)
class Sizes:
    """How big each scenario is at one `--size`."""

    name: str
    store: int
    """Submissions in the big store: export, rescreen, dashboard (100,000 at full size)."""
    small_store: int
    """The dashboard's small store, and the export's first memory point."""
    submits: int
    """Submissions stored by the 8 concurrent writers, in total."""
    patients: int
    """Concurrent Chromium sessions."""
    repeats: int
    """Repeats of each timed measurement (the median is reported)."""


SIZES = {
    "smoke": Sizes("smoke", store=1_000, small_store=100, submits=80, patients=2, repeats=1),
    "full": Sizes("full", store=100_000, small_store=1_000, submits=2_000, patients=20,
                  repeats=3),
}
MILLION = 1_000_000


@dataclass
class Context:
    """Options of one run, handed to every scenario."""

    sizes: Sizes
    data_dir: Path
    """Where seeded stores are kept between runs (seeding 100,000 takes minutes)."""
    work_dir: Path
    """Scratch space of this run (export files, writer databases); deleted at the end."""
    pg_url: str | None = None
    million: bool = False
    log: TextIO = sys.stderr

    def say(self, text: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=self.log, flush=True)


@dataclass
class Result:
    """One row of the table: scenario, ours, floor, ratio, target, met."""

    scenario: str
    metric: str
    unit: str
    ours: float | None
    floor: float | None = None
    target: str = ""
    met: bool | None = None
    details: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None
    """Why the row was not measured (e.g. no Chromium); None when it was."""

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.floor:
            return None
        return self.ours / self.floor

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio}


def skipped(scenario: str, metric: str, reason: str, target: str = "") -> Result:
    return Result(scenario, metric, "", None, target=target, skipped=reason)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return float(ordered[rank - 1])


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


@dataclass(frozen=True)
class ProcessRun:
    seconds: float
    max_rss_mb: float
    """Peak resident memory of the process (ru_maxrss from wait4)."""
    cpu_seconds: float = 0.0
    """User + system CPU time: steadier than wall time when others share the machine."""


def run_process(command: Sequence[str], stdout: TextIO | int = subprocess.DEVNULL,
                env: dict[str, str] | None = None) -> ProcessRun:
    """Run a command to completion; its wall time and its own peak RSS (not its parent's).

    What it prints goes to `stdout` (by default nowhere: the table is the bench's output)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=stdout, stderr=subprocess.PIPE,
                               env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}: {error[-2000:]}")
    return ProcessRun(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def rss_mb(pid: int) -> dict[str, float]:
    """Current and peak resident memory of a running process, from /proc (Linux)."""
    out: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[{"VmRSS": "rss_mb", "VmHWM": "peak_rss_mb"}[key]] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return out


def quiet_streamlit() -> None:
    """AppTest runs scripts without a server, and Streamlit warns about it on every run
    (its log level is reset whenever its configuration is read, so: no warnings at all in
    this process; the bench's own output is printed, not logged)."""
    logging.disable(logging.WARNING)


def python_command(*args: str) -> list[str]:
    """The interpreter running the benchmark, so children use the same environment."""
    return [sys.executable, *args]
