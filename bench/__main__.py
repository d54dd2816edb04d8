"""`python -m bench`: run the benchmark scenarios, print the table, write the JSON.

    python -m bench                     # full size (100,000-submission stores, 20 patients)
    python -m bench --size smoke        # tiny: checks the scenarios still run (under ~90 s)
    python -m bench --pg URL            # also the PostgreSQL writers
    python -m bench --million           # also the export's peak memory at 1,000,000
    python -m bench --only export,rescreen

Every figure is measured against its floor in the same run (see each scenario's module).
Results go to bench/results/latest.json. A target not met is reported, not an error: the
exit status is 1 only when a scenario could not run at all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench.common import SIZES, Context, Result
from bench.machine import describe
from bench.table import render

SCENARIOS = ("export", "rescreen", "submit", "wizard", "dashboard", "patients")
"""Module names under bench/, in the order they run (cheap first, the browser last)."""
RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_DATA = Path(os.environ.get("INTAKE_BENCH_DATA")
                    or Path(tempfile.gettempdir()) / "intake-bench")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=list(SIZES), default="full",
                        help="smoke: tiny stores, 2 patients; full: the issue's sizes")
    parser.add_argument("--pg", metavar="URL", help="PostgreSQL server URL (a database is "
                        "created on it for the run and dropped after)")
    parser.add_argument("--million", action="store_true",
                        help="also measure the export's peak memory at 1,000,000 submissions")
    parser.add_argument("--only", metavar="NAMES", help=f"comma-separated: {','.join(SCENARIOS)}")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA,
                        help=f"where seeded stores are kept between runs (default {DEFAULT_DATA})")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json", help="JSON file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    chosen = SCENARIOS if not args.only else tuple(s.strip() for s in args.only.split(","))
    unknown = set(chosen) - set(SCENARIOS)
    if unknown:
        print(f"unknown scenario(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="intake-bench-run-"))
    ctx = Context(SIZES[args.size], args.data_dir, work, pg_url=args.pg, million=args.million)
    started = dt.datetime.now(dt.UTC)
    scenarios: dict[str, list[dict[str, object]]] = {}
    rows: list[Result] = []
    failed = False
    try:
        for name in chosen:
            ctx.say(f"{name} ({args.size})")
            environment = dict(os.environ)
            begun = time.perf_counter()
            try:
                results = importlib.import_module(f"bench.{name}").run(ctx)
            except Exception:  # noqa: BLE001 - one broken scenario must not hide the others
                failed = True
                results = [Result(name, "could not run", "", None, met=False,
                                  details={"error": traceback.format_exc()[-4000:]})]
                ctx.say(f"{name} failed:\n{results[0].details['error']}")
            finally:
                os.environ.clear()
                os.environ.update(environment)
            ctx.say(f"{name} done in {time.perf_counter() - begun:.1f} s")
            rows += results
            scenarios[name] = [r.as_json() for r in results]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = {
        "date": started.isoformat(timespec="seconds"),
        "seconds": (dt.datetime.now(dt.UTC) - started).total_seconds(),
        "size": args.size,
        "options": {"pg": bool(args.pg), "million": args.million, "only": list(chosen)},
        "machine": describe(),
        "scenarios": scenarios,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(render(rows))
    print(f"\nWritten to {args.out} ({report['seconds']:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
