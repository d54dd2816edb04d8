"""`python -m bench --size smoke` still runs every scenario and writes its JSON.

Benchmarks are not timed tests: this never looks at a figure, only that each scenario
produced its rows (measured, or skipped with a reason such as "no Chromium") and that none
failed to run. With INTAKE_TEST_POSTGRES_URL set, the PostgreSQL writers run too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = {"export", "rescreen", "submit", "wizard", "dashboard", "patients"}
"""The five scenarios of issue 8 (submit is one module for SQLite and PostgreSQL, the
Streamlit scenario two: the wizard and the dashboard)."""
ROW_KEYS = {"scenario", "metric", "unit", "ours", "floor", "ratio", "target", "met", "skipped"}
SMOKE_TIMEOUT_S = 900  # far above its usual ~90 s: a slow shared machine must not fail it


def test_smoke_size_runs_every_scenario_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    command = [sys.executable, "-m", "bench", "--size", "smoke", "--out", str(out),
               "--data-dir", str(tmp_path / "stores")]
    postgres = os.environ.get("INTAKE_TEST_POSTGRES_URL", "").strip()
    if postgres:
        command += ["--pg", postgres]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          timeout=SMOKE_TIMEOUT_S)

    assert done.returncode == 0, done.stderr[-4000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["size"] == "smoke"
    assert set(report["scenarios"]) == SCENARIOS
    for name, rows in report["scenarios"].items():
        assert rows, name
        for row in rows:
            assert ROW_KEYS <= set(row), (name, row)
            assert row["skipped"] or row["ours"] is not None, (name, row)
    submit = {row["scenario"]: row for row in report["scenarios"]["submit"]}
    for row in submit.values():  # failed saves are counted, and there must be none
        assert row["skipped"] or row["details"]["errors"] == 0, row
    if postgres:
        assert submit["submit_postgresql"]["skipped"] is None
    patients = report["scenarios"]["patients"][0]
    if not patients["skipped"]:  # every concurrent patient's submission is stored
        assert patients["details"]["stored"] == patients["details"]["patients"], patients
    assert done.stdout.splitlines()[0].split(" | ")[0].strip() == "scenario", done.stdout
